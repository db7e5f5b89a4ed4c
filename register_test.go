package fullauth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
)

func TestRegister(t *testing.T) {
	e := newEnv(t, nil)
	u, err := e.auth.Register(t.Context(), "  Alice@Example.COM ", goodPassword)
	if err != nil {
		t.Fatalf("Register err = %v", err)
	}
	if u.Email != "alice@example.com" || !u.Active || u.Verified || u.Superuser {
		t.Errorf("Register user = %+v, want normalised email, active, unverified, not superuser", u)
	}
	if got, _ := e.mail.counts(); got != 1 {
		t.Errorf("verification emails after register = %d, want 1 (CONTRACT §24.5)", got)
	}
	stored, err := e.store.UserByEmail(t.Context(), "alice@example.com")
	if err != nil || stored.ID != u.ID {
		t.Fatalf("stored user = %+v, %v; want id %s", stored, err, u.ID)
	}
	hash, _ := e.store.PasswordHash(t.Context(), u.ID)
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Errorf("stored hash = %q, want an argon2id PHC string", hash)
	}

	_, err = e.auth.Register(t.Context(), "ALICE@example.com", "another-password-1")
	wantErr(t, "duplicate Register", err, fullauth.ErrExists)
	if got, _ := e.mail.counts(); got != 1 {
		t.Errorf("verification emails after duplicate = %d, want still 1", got)
	}
}

func TestRegisterPasswordRules(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*fullauth.Config)
		pw      string
		wantMsg string
	}{
		{"too short", nil, "short", "Password must be at least 8 characters"},
		{"length counts characters", nil, "ééééééé", "Password must be at least 8 characters"},
		{"all rules", func(c *fullauth.Config) {
			c.PasswordPolicy = fullauth.PasswordPolicy{MinLength: 10, RequireUppercase: true, RequireLowercase: true, RequireDigit: true, RequireSpecial: true}
		}, "abc", "Password must be at least 10 characters; Password must contain at least one uppercase letter; Password must contain at least one digit; Password must contain at least one special character"},
		{"blocked case-insensitively", func(c *fullauth.Config) { c.PasswordPolicy.Blocked = []string{"Password123"} }, "PASSWORD123", "This password is too common"},
		{"over 1024 bytes", nil, strings.Repeat("a", 1025), "Password must be at most 1024 bytes"},
		{"bcrypt over 72 bytes", func(c *fullauth.Config) { c.PasswordHashAlgorithm = "bcrypt"; c.BcryptCost = 4 },
			strings.Repeat("a", 73), "bcrypt passwords must be at most 72 bytes when UTF-8 encoded. Use argon2id for longer passwords."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.mod)
			_, err := e.auth.Register(t.Context(), "weak@example.com", tc.pw)
			var ve *fullauth.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Register err = %v, want *ValidationError", err)
			}
			if ve.Message != tc.wantMsg {
				t.Errorf("message = %q, want %q", ve.Message, tc.wantMsg)
			}
			if _, err := e.store.UserByEmail(t.Context(), "weak@example.com"); !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("user stored despite the policy failure: %v", err)
			}
		})
	}
	t.Run("bcrypt exactly 72 bytes", func(t *testing.T) {
		e := newEnv(t, func(c *fullauth.Config) { c.PasswordHashAlgorithm = "bcrypt"; c.BcryptCost = 4 })
		if _, err := e.auth.Register(t.Context(), "b@example.com", strings.Repeat("a", 72)); err != nil {
			t.Fatalf("Register err = %v, want nil", err)
		}
	})
}

func TestCreateSuperuser(t *testing.T) {
	e := newEnv(t, nil)
	u, err := e.auth.CreateSuperuser(t.Context(), "Root@Example.com", "x")
	if err != nil {
		t.Fatalf("CreateSuperuser err = %v (the policy does not apply)", err)
	}
	if !u.Superuser || !u.Verified || !u.Active {
		t.Errorf("user = %+v, want active verified superuser", u)
	}
	_, err = e.auth.CreateSuperuser(t.Context(), "root@example.com", "x")
	wantErr(t, "second CreateSuperuser", err, fullauth.ErrExists)
}
