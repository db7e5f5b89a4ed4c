package fullauth_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

func TestConfirmEmail(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "rae@example.com")
	tok := e.mail.lastVerify(t)

	got, err := e.auth.ConfirmEmail(t.Context(), tok)
	if err != nil {
		t.Fatalf("ConfirmEmail err = %v", err)
	}
	if !got.Verified || got.ID != u.ID {
		t.Errorf("ConfirmEmail user = %+v, want %s verified", got, u.ID)
	}
	_, err = e.auth.ConfirmEmail(t.Context(), tok)
	wantErr(t, "second ConfirmEmail with the same token", err, fullauth.ErrInvalidToken)

	// Verified users are sent nothing more (CONTRACT §24.15).
	before, _ := e.mail.counts()
	if err := e.auth.RequestEmailVerification(t.Context(), got); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.mail.counts(); after != before {
		t.Errorf("verification emails = %d, want %d: an already verified user was sent another", after, before)
	}
	// A verification token is no session token.
	e.mustReject(t, tok)
}

// TestConfirmEmailSingleUseUnderRace: of many concurrent confirmations of
// one token exactly one succeeds.
func TestConfirmEmailSingleUseUnderRace(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "sam@example.com")
	tok := e.mail.lastVerify(t)
	const n = 32
	results := make(chan error, n)
	for range n {
		go func() {
			_, err := e.auth.ConfirmEmail(context.Background(), tok)
			results <- err
		}()
	}
	ok := 0
	for range n {
		err := <-results
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, fullauth.ErrInvalidToken):
			t.Errorf("ConfirmEmail err = %v, want nil or ErrInvalidToken", err)
		}
	}
	if ok != 1 {
		t.Errorf("successful confirmations = %d, want exactly 1", ok)
	}
}

func TestConfirmEmailRejects(t *testing.T) {
	e := newEnv(t, nil)
	deleted := e.mustRegister(t, "tom@example.com")
	deletedTok := e.mail.lastVerify(t)
	if err := e.store.DeleteUser(t.Context(), deleted.ID); err != nil {
		t.Fatal(err)
	}
	inactive := e.mustRegister(t, "uma@example.com")
	inactiveTok := e.mail.lastVerify(t)
	off := false
	e.store.UpdateUser(t.Context(), inactive.ID, fullauth.UserUpdate{Active: &off})
	e.mustRegister(t, "vic@example.com")
	if err := e.auth.RequestPasswordReset(t.Context(), "vic@example.com"); err != nil {
		t.Fatal(err)
	}
	resetTok := e.mail.lastReset(t)
	session := e.mustLogin(t, "vic@example.com")

	tests := []struct{ name, raw string }{
		{"deleted user (CONTRACT §24.7: never a 500)", deletedTok},
		{"deactivated user", inactiveTok},
		{"reset token", resetTok},
		{"session token", session.AccessToken},
		{"garbage", "x.y.z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.auth.ConfirmEmail(t.Context(), tc.raw)
			wantErr(t, "ConfirmEmail", err, fullauth.ErrInvalidToken)
		})
	}
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "wes@example.com")
	old := e.mustLogin(t, "wes@example.com")
	if err := e.auth.RequestPasswordReset(t.Context(), "WES@example.com"); err != nil {
		t.Fatal(err)
	}
	tok := e.mail.lastReset(t)

	// A weak password is refused and leaves the token usable.
	_, err := e.auth.ResetPassword(t.Context(), tok, "short")
	var ve *fullauth.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ResetPassword(weak) err = %v, want *ValidationError", err)
	}
	if _, err := e.auth.ResetPassword(t.Context(), tok, "brand-new-password"); err != nil {
		t.Fatalf("ResetPassword err = %v", err)
	}
	_, err = e.auth.ResetPassword(t.Context(), tok, "another-new-password")
	wantErr(t, "second ResetPassword", err, fullauth.ErrInvalidToken)

	// Every old session and access token is dead (CONTRACT §24.14).
	e.mustReject(t, old.AccessToken)
	_, err = e.auth.Refresh(t.Context(), old.RefreshToken, client)
	if err == nil {
		t.Error("Refresh with a pre-reset refresh token succeeded")
	}
	_, _, err = e.auth.Login(t.Context(), "wes@example.com", goodPassword, client)
	wantErr(t, "Login with the old password", err, fullauth.ErrInvalidCredentials)
	if _, _, err := e.auth.Login(t.Context(), "wes@example.com", "brand-new-password", client); err != nil {
		t.Errorf("Login with the new password err = %v", err)
	}
}

func TestPasswordResetRequestSendsNothingToUnknownOrInactive(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "xia@example.com")
	off := false
	e.store.UpdateUser(t.Context(), u.ID, fullauth.UserUpdate{Active: &off})
	for _, email := range []string{"nobody@example.com", "xia@example.com"} {
		if err := e.auth.RequestPasswordReset(t.Context(), email); err != nil {
			t.Errorf("RequestPasswordReset(%q) err = %v, want nil", email, err)
		}
	}
	if _, resets := e.mail.counts(); resets != 0 {
		t.Errorf("reset emails = %d, want 0", resets)
	}
}

// The reset email goes to the address on the account, whatever form of it
// found the account: lookups fold case, and Unicode folding maps "İ" to an
// ASCII "i", so "admin@gmaİl.com" finds admin@gmail.com but is a different
// domain, perhaps an attacker's.
func TestPasswordResetMailsTheStoredAddress(t *testing.T) {
	var mu sync.Mutex
	var sentTo []string
	e := newEnv(t, func(c *fullauth.Config) {
		c.Hooks.SendPasswordResetEmail = func(_ context.Context, email, _ string) error {
			mu.Lock()
			defer mu.Unlock()
			sentTo = append(sentTo, email)
			return nil
		}
	})
	e.mustRegister(t, "admin@gmail.com")
	for _, typed := range []string{"admin@gmail.com", "ADMIN@Gmail.com", " admin@gmail.com ", "admin@gmaİl.com"} {
		if err := e.auth.RequestPasswordReset(t.Context(), typed); err != nil {
			t.Fatalf("RequestPasswordReset(%q): %v", typed, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, got := range sentTo {
		if got != "admin@gmail.com" {
			t.Errorf("reset email %d went to %q, want admin@gmail.com", i, got)
		}
	}
	if len(sentTo) == 0 {
		t.Fatal("no reset email was sent")
	}
}

// A password change, a reset or a deactivation voids the reset links sent
// before it: an old link that leaked cannot take the account back.
func TestResetLinksDieWithThePassword(t *testing.T) {
	admin := &fullauth.User{ID: "admin"}
	tests := []struct {
		name   string
		change func(t *testing.T, e *env, u *fullauth.User)
	}{
		{"a reset with a later link", func(t *testing.T, e *env, u *fullauth.User) {
			if err := e.auth.RequestPasswordReset(t.Context(), u.Email); err != nil {
				t.Fatal(err)
			}
			if _, err := e.auth.ResetPassword(t.Context(), e.mail.lastReset(t), "reset-with-the-second-link"); err != nil {
				t.Fatal(err)
			}
		}},
		{"a password change", func(t *testing.T, e *env, u *fullauth.User) {
			if err := e.auth.ChangePassword(t.Context(), u, goodPassword, "changed-by-the-user"); err != nil {
				t.Fatal(err)
			}
		}},
		{"deactivation", func(t *testing.T, e *env, u *fullauth.User) {
			for _, active := range []bool{false, true} {
				if _, err := e.auth.SetActive(t.Context(), admin, u.ID, active); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			u := e.mustRegister(t, "lev@example.com")
			if err := e.auth.RequestPasswordReset(t.Context(), u.Email); err != nil {
				t.Fatal(err)
			}
			old := e.mail.lastReset(t)
			tc.change(t, e, u)
			_, err := e.auth.ResetPassword(t.Context(), old, "taken-back-by-an-old-link")
			wantErr(t, "ResetPassword with a link sent before the change", err, fullauth.ErrInvalidToken)

			// A link sent after the change works. The void mark is whole
			// seconds and refuses links of its own second too, so move it
			// back rather than wait for the clock.
			if err := e.kv.Set(t.Context(), "revoked-before:"+u.ID, []byte(strconv.FormatInt(time.Now().Unix()-5, 10)), time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := e.auth.RequestPasswordReset(t.Context(), u.Email); err != nil {
				t.Fatal(err)
			}
			if _, err := e.auth.ResetPassword(t.Context(), e.mail.lastReset(t), "reset-after-the-change"); err != nil {
				t.Errorf("ResetPassword with a link sent after the change: %v", err)
			}
		})
	}
}

func TestResetPasswordRejects(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "yan@example.com")
	verifyTok := e.mail.lastVerify(t)
	e.auth.RequestPasswordReset(t.Context(), "yan@example.com")
	tok := e.mail.lastReset(t)
	if err := e.store.DeleteUser(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{"deleted user": tok, "verification token": verifyTok} {
		t.Run(name, func(t *testing.T) {
			_, err := e.auth.ResetPassword(t.Context(), raw, "brand-new-password")
			wantErr(t, "ResetPassword", err, fullauth.ErrInvalidToken)
		})
	}
}
