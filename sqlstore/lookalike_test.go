package sqlstore_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/password"
)

// newFlowAuth builds an Auth on s for the flow tests of this file: cheap
// hashing, no logs, and mod applied to the config.
func newFlowAuth(t *testing.T, s fullauth.Store, mod func(*fullauth.Config)) *fullauth.Auth {
	t.Helper()
	cfg := fullauth.Config{
		SecretKey: []byte("sqlstore-lookalike-secret-0123456789"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		Logger:    slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := fullauth.New(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

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
		a := newFlowAuth(t, s, func(c *fullauth.Config) {
			c.MaxLoginAttempts = 3
			c.Hooks.SendPasswordResetEmail = func(_ context.Context, to, _ string) error {
				resets = append(resets, to)
				return nil
			}
		})
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
		a := newFlowAuth(t, s, nil)
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

// The SQL stores accept other spellings of a user id (upper case, no
// hyphens). Changes made through such a spelling must still reach the
// user's tokens, which carry the id as the store returns it.
func TestChangesThroughAnotherSpellingOfTheID(t *testing.T) {
	admin := &fullauth.User{ID: "admin"}
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		var resets []string
		a := newFlowAuth(t, s, func(c *fullauth.Config) {
			c.Hooks.SendPasswordResetEmail = func(_ context.Context, _, tok string) error {
				resets = append(resets, tok)
				return nil
			}
		})
		u, err := a.Register(t.Context(), "ida@example.com", "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{strings.ToUpper(u.ID), strings.ReplaceAll(u.ID, "-", "")} {
			if got, err := s.User(t.Context(), id); err != nil || got.ID != u.ID {
				t.Fatalf("User(%q) = %v, %v; want the user %s (the premise of this test)", id, got, err, u.ID)
			}
		}
		other := strings.ToUpper(u.ID)
		_, pair, err := a.Login(t.Context(), u.Email, "correct-horse-battery", fullauth.ClientInfo{})
		if err != nil {
			t.Fatal(err)
		}
		hasEditor := func() bool {
			t.Helper()
			me, _, err := a.Authenticate(t.Context(), pair.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := a.HasRole(t.Context(), me, "editor")
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if err := a.AssignRole(t.Context(), admin, other, "editor"); err != nil {
			t.Fatal(err)
		}
		if !hasEditor() {
			t.Error("after AssignRole through the upper-case id, the next request lacks the role")
		}
		if err := a.RemoveRole(t.Context(), admin, other, "editor"); err != nil {
			t.Fatal(err)
		}
		if hasEditor() {
			t.Error("after RemoveRole through the upper-case id, the next request still has the role")
		}

		if err := a.RequestPasswordReset(t.Context(), u.Email); err != nil || len(resets) != 1 {
			t.Fatalf("RequestPasswordReset: %v, %d emails", err, len(resets))
		}
		for _, active := range []bool{false, true} {
			if _, err := a.SetActive(t.Context(), admin, other, active); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.ResetPassword(t.Context(), resets[0], "taken-back-by-an-old-link"); !errors.Is(err, fullauth.ErrInvalidToken) {
			t.Errorf("ResetPassword with a link sent before deactivation through the upper-case id: err = %v, want ErrInvalidToken", err)
		}
		if _, _, err := a.Authenticate(t.Context(), pair.AccessToken); !errors.Is(err, fullauth.ErrInvalidToken) {
			t.Errorf("Authenticate after deactivation through the upper-case id: err = %v, want ErrInvalidToken", err)
		}
	})
}
