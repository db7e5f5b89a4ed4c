package sqlstore_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/password"
)

// Addresses that MySQL's default collation (utf8mb4_unicode_ci) finds equal
// to another account's, though they normalise differently, must not reach
// that account: not with its password, not with its reset link, and not
// with lockout counted apart from it.
func TestLookalikeEmailsAreOtherAccounts(t *testing.T) {
	const email, pw = "victim@example.com", "correct-horse-battery"
	lookalikes := []string{"victím@example.com", "vic\u200btim@example.com", "victim@exämple.com"}
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		var resets []string
		a, err := fullauth.New(s, fullauth.Config{
			SecretKey:        []byte("sqlstore-lookalike-secret-0123456789"),
			Argon2:           password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
			MaxLoginAttempts: 3,
			Logger:           slog.New(slog.DiscardHandler),
			Hooks: fullauth.Hooks{SendPasswordResetEmail: func(_ context.Context, to, _ string) error {
				resets = append(resets, to)
				return nil
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Register(t.Context(), email, pw); err != nil {
			t.Fatal(err)
		}
		for _, other := range lookalikes {
			if _, _, err := a.Login(t.Context(), other, pw, fullauth.ClientInfo{}); !errors.Is(err, fullauth.ErrInvalidCredentials) {
				t.Errorf("Login(%q, the password of %s) err = %v, want ErrInvalidCredentials", other, email, err)
			}
			if err := a.RequestPasswordReset(t.Context(), other); err != nil {
				t.Fatal(err)
			}
		}
		if len(resets) != 0 {
			t.Errorf("reset emails for lookalike addresses = %q, want none", resets)
		}
		// Lockout counts the account's own address; wrong guesses through
		// lookalikes neither count there nor reach its password.
		for range 3 {
			a.Login(t.Context(), email, "wrong-password", fullauth.ClientInfo{})
		}
		for _, other := range lookalikes {
			if _, _, err := a.Login(t.Context(), other, pw, fullauth.ClientInfo{}); !errors.Is(err, fullauth.ErrInvalidCredentials) {
				t.Errorf("after the lockout, Login(%q, the right password) err = %v, want ErrInvalidCredentials", other, err)
			}
		}
	})
}

// MySQL compares names padded with spaces ("admin " = "admin"), so names
// with surrounding white space are refused when assigned and are absent when
// removed, on every database alike.
func TestRoleNamesWithSurroundingSpace(t *testing.T) {
	admin := &fullauth.User{ID: "admin"}
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		a, err := fullauth.New(s, fullauth.Config{
			SecretKey: []byte("sqlstore-lookalike-secret-0123456789"),
			Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
			Logger:    slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Register(t.Context(), "ren@example.com", "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.AssignRole(t.Context(), admin, u.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"admin ", " admin", "admin\t"} {
			var ve *fullauth.ValidationError
			if err := a.AssignRole(t.Context(), admin, u.ID, name); !errors.As(err, &ve) {
				t.Errorf("AssignRole(%q) err = %v, want a ValidationError", name, err)
			}
			if err := a.AssignPermission(t.Context(), admin, name, "posts:write"); !errors.As(err, &ve) {
				t.Errorf("AssignPermission(%q, …) err = %v, want a ValidationError", name, err)
			}
			if err := a.RemoveRole(t.Context(), admin, u.ID, name); err != nil {
				t.Errorf("RemoveRole(%q) err = %v, want nil", name, err)
			}
		}
		if roles, err := a.Roles(t.Context(), u.ID); err != nil || len(roles) != 1 || roles[0] != "admin" {
			t.Errorf("roles after removing names with spaces = %q, %v; want [admin]", roles, err)
		}
	})
}
