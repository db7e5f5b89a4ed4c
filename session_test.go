package fullauth_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/token"
)

func TestLogout(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "lea@example.com")
	pair := e.mustLogin(t, "lea@example.com")
	other := e.mustLogin(t, "lea@example.com")

	if err := e.auth.Logout(t.Context(), pair.AccessToken, ""); err != nil {
		t.Fatalf("Logout err = %v", err)
	}
	e.mustReject(t, pair.AccessToken)
	_, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
	wantErr(t, "Refresh after logout", err, fullauth.ErrTokenReused)
	err = e.auth.Logout(t.Context(), pair.AccessToken, "")
	wantErr(t, "second Logout", err, fullauth.ErrInvalidToken)
	// The other session is untouched.
	e.mustAuthenticate(t, other.AccessToken)
	if _, err := e.auth.Refresh(t.Context(), other.RefreshToken, client); err != nil {
		t.Errorf("Refresh of the other session err = %v", err)
	}
}

// A session's other access tokens die with it (CONTRACT §24.14).
func TestLogoutKillsTheSessionsOtherAccessTokens(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "max@example.com")
	pair := e.mustLogin(t, "max@example.com")
	refreshed, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.auth.Logout(t.Context(), refreshed.AccessToken, ""); err != nil {
		t.Fatal(err)
	}
	e.mustReject(t, pair.AccessToken)
}

// An access token without a session falls back to the refresh token given,
// but only to one of the same user.
func TestLogoutRefreshFallback(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "ned@example.com")
	e.mustRegister(t, "oli@example.com")
	mine := e.mustLogin(t, "ned@example.com")
	theirs := e.mustLogin(t, "oli@example.com")
	signer, _ := token.NewSigner(token.HS256, []byte(testSecret))
	now := time.Now().Unix()
	sessionless := func() string {
		raw, _ := signer.Sign(&token.Claims{Subject: u.ID, IssuedAt: now, ExpiresAt: now + 600, ID: rand.Text(), Type: "access"})
		return raw
	}

	if err := e.auth.Logout(t.Context(), sessionless(), theirs.RefreshToken); err != nil {
		t.Fatalf("Logout err = %v", err)
	}
	if _, err := e.auth.Refresh(t.Context(), theirs.RefreshToken, client); err != nil {
		t.Errorf("another user's session was revoked: %v", err)
	}
	if err := e.auth.Logout(t.Context(), sessionless(), mine.RefreshToken); err != nil {
		t.Fatalf("Logout err = %v", err)
	}
	_, err := e.auth.Refresh(t.Context(), mine.RefreshToken, client)
	wantErr(t, "Refresh of the fallback session", err, fullauth.ErrTokenReused)
}

func TestAuthenticateRejects(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "pia@example.com")
	pair := e.mustLogin(t, "pia@example.com")
	signer, _ := token.NewSigner(token.HS256, []byte(testSecret))
	now := time.Now().Unix()
	sign := func(c token.Claims) string {
		raw, err := signer.Sign(&c)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tests := []struct{ name, raw string }{
		{"refresh token", pair.RefreshToken},
		{"purpose token", sign(token.Claims{Subject: u.ID, IssuedAt: now, ExpiresAt: now + 600, ID: "p1", Type: "access", Extra: []byte(`{"purpose":"email_verify"}`)})},
		{"expired beyond leeway", sign(token.Claims{Subject: u.ID, IssuedAt: now - 7200, ExpiresAt: now - 31, ID: "e1", Type: "access"})},
		{"unknown user", sign(token.Claims{Subject: "0190a000-0000-7000-8000-00000000dead", IssuedAt: now, ExpiresAt: now + 600, ID: "u1", Type: "access"})},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { e.mustReject(t, tc.raw) })
	}
	t.Run("within leeway", func(t *testing.T) {
		e.mustAuthenticate(t, sign(token.Claims{Subject: u.ID, IssuedAt: now - 7200, ExpiresAt: now - 20, ID: "l1", Type: "access"}))
	})
	t.Run("deactivated user", func(t *testing.T) {
		off := false
		e.mustAuthenticate(t, pair.AccessToken) // cached
		// A write around the Auth, announced as the documentation asks.
		e.store.UpdateUser(t.Context(), u.ID, fullauth.UserUpdate{Active: &off})
		if err := e.auth.UserChanged(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		e.mustReject(t, pair.AccessToken)
	})
}

// When revocation state cannot be read the request fails closed.
func TestAuthenticateKVDown(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "quin@example.com")
	pair := e.mustLogin(t, "quin@example.com")
	down, err := fullauth.New(e.store, fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2, KV: failingKV{}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = down.Authenticate(t.Context(), pair.AccessToken)
	wantErr(t, "Authenticate with the KV down", err, fullauth.ErrUnavailable)

	off, err := fullauth.New(e.store, fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2, KV: failingKV{}, DisableBlacklist: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := off.Authenticate(t.Context(), pair.AccessToken); err != nil {
		t.Errorf("Authenticate with the blacklist disabled err = %v, want nil (no KV read)", err)
	}
}
