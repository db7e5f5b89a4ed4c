package fullauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/token"
)

var client = fullauth.ClientInfo{UserAgent: "refresh-test", IP: "198.51.100.1"}

func TestRefreshRotates(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "ann@example.com")
	first := e.mustLogin(t, "ann@example.com")

	second, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	if err != nil {
		t.Fatalf("Refresh err = %v", err)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Errorf("Refresh gave the same tokens back, want new ones")
	}
	if second.FamilyID != first.FamilyID {
		t.Errorf("family = %s, want %s (same session)", second.FamilyID, first.FamilyID)
	}
	e.mustAuthenticate(t, second.AccessToken)
	rows, _ := e.store.RefreshTokenFamily(t.Context(), first.FamilyID)
	if len(rows) != 2 || !rows[0].Revoked || rows[1].Revoked || rows[1].UserAgent != client.UserAgent {
		t.Errorf("family rows = %+v, want the old one revoked and a live successor with the new client", rows)
	}
	third, err := e.auth.Refresh(t.Context(), second.RefreshToken, client)
	if err != nil {
		t.Fatalf("second Refresh err = %v", err)
	}
	if third.RefreshToken == second.RefreshToken {
		t.Error("second Refresh did not rotate")
	}
}

// TestRefreshGraceWindow: a rotated token presented again inside the grace
// window gets the same successor, never a sign-out (CONTRACT §24.3).
func TestRefreshGraceWindow(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "ben@example.com")
	first := e.mustLogin(t, "ben@example.com")
	a, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	if err != nil {
		t.Fatalf("Refresh of the rotated token within the grace window err = %v, want nil", err)
	}
	if b.RefreshToken != a.RefreshToken {
		t.Errorf("grace Refresh gave a different successor:\n got %s\nwant %s", b.RefreshToken, a.RefreshToken)
	}
	e.mustAuthenticate(t, b.AccessToken)
	e.mustAuthenticate(t, a.AccessToken)
	rows, _ := e.store.RefreshTokenFamily(t.Context(), first.FamilyID)
	if len(rows) != 2 {
		t.Errorf("family has %d rows, want 2 (one successor)", len(rows))
	}
	// The successor still rotates normally.
	if _, err := e.auth.Refresh(t.Context(), a.RefreshToken, client); err != nil {
		t.Errorf("Refresh of the successor err = %v", err)
	}
}

// TestRefreshConcurrentSameToken: many refreshes racing with one token all
// succeed with the same successor, and exactly one successor is stored.
func TestRefreshConcurrentSameToken(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "cal@example.com")
	first := e.mustLogin(t, "cal@example.com")
	const n = 24
	var wg sync.WaitGroup
	got := make([]*fullauth.TokenPair, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = e.auth.Refresh(context.Background(), first.RefreshToken, client)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Refresh %d err = %v, want nil", i, errs[i])
		}
		if got[i].RefreshToken != got[0].RefreshToken {
			t.Fatalf("Refresh %d successor differs from Refresh 0's", i)
		}
	}
	rows, _ := e.store.RefreshTokenFamily(t.Context(), first.FamilyID)
	if len(rows) != 2 {
		t.Errorf("family has %d rows, want exactly 2", len(rows))
	}
}

// TestRefreshReplayAfterGraceRevokesSession: after the window, a replay
// revokes the whole session, successor and access tokens included, whether
// or not anything else caught it (CONTRACT §24.2, §24.14).
func TestRefreshReplayAfterGraceRevokesSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		e.mustRegister(t, "dan@example.com")
		first := e.mustLogin(t, "dan@example.com")
		next, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
		if err != nil {
			t.Fatal(err)
		}
		// Past the default 10 s grace, which is counted from the end of the
		// rotation's second (the fake clock starts on a whole second).
		time.Sleep(11*time.Second + time.Millisecond)
		_, err = e.auth.Refresh(t.Context(), first.RefreshToken, client)
		wantErr(t, "replay after the grace window", err, fullauth.ErrTokenReused)
		if n := countLines(e.logs.String(), "Refresh token reuse detected"); n != 1 {
			t.Errorf("reuse log lines = %d, want 1", n)
		}

		_, err = e.auth.Refresh(t.Context(), next.RefreshToken, client)
		wantErr(t, "Refresh of the successor after the replay", err, fullauth.ErrTokenReused)
		e.mustReject(t, next.AccessToken)
		e.mustReject(t, first.AccessToken)
		// Other sessions of the user live on.
		other := e.mustLogin(t, "dan@example.com")
		e.mustAuthenticate(t, other.AccessToken)
	})
}

func TestRefreshStrictReuseWithoutGrace(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) { c.RefreshReuseGrace = -1 })
	e.mustRegister(t, "eve@example.com")
	first := e.mustLogin(t, "eve@example.com")
	next, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.auth.Refresh(t.Context(), first.RefreshToken, client)
	wantErr(t, "immediate replay without grace", err, fullauth.ErrTokenReused)
	_, err = e.auth.Refresh(t.Context(), next.RefreshToken, client)
	wantErr(t, "successor after replay", err, fullauth.ErrTokenReused)
}

func TestRefreshWithoutRotation(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) { c.DisableRefreshRotation = true })
	e.mustRegister(t, "fay@example.com")
	first := e.mustLogin(t, "fay@example.com")
	for i := 0; i < 3; i++ {
		p, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
		if err != nil {
			t.Fatalf("Refresh %d err = %v", i, err)
		}
		if p.RefreshToken != first.RefreshToken {
			t.Fatalf("Refresh %d returned a new refresh token, want the same one echoed", i)
		}
		e.mustAuthenticate(t, p.AccessToken)
	}
	if _, err := e.store.RevokeRefreshTokens(t.Context(), fullauth.TokenSelector{FamilyID: first.FamilyID}); err != nil {
		t.Fatal(err)
	}
	_, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	wantErr(t, "Refresh of a revoked token", err, fullauth.ErrInvalidToken)
}

func TestRefreshRejects(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "gus@example.com")
	pair := e.mustLogin(t, "gus@example.com")

	signer, _ := token.NewSigner(token.HS256, []byte(testSecret))
	now := time.Now().Unix()
	unstored, _ := signer.Sign(&token.Claims{Subject: u.ID, IssuedAt: now, ExpiresAt: now + 3600, ID: "abc", Type: "refresh", FamilyID: pair.FamilyID})
	otherKey, _ := token.NewSigner(token.HS256, []byte(strings.Repeat("k", 40)))
	forged, _ := otherKey.Sign(&token.Claims{Subject: u.ID, IssuedAt: now, ExpiresAt: now + 3600, ID: "abc", Type: "refresh"})

	tests := []struct{ name, raw string }{
		{"access token", pair.AccessToken},
		{"garbage", "not.a.token"},
		{"empty", ""},
		{"validly signed but never stored", unstored},
		{"signed with another key", forged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.auth.Refresh(t.Context(), tc.raw, client)
			wantErr(t, "Refresh", err, fullauth.ErrInvalidToken)
		})
	}
	t.Run("deactivated user", func(t *testing.T) {
		off := false
		e.store.UpdateUser(t.Context(), u.ID, fullauth.UserUpdate{Active: &off})
		_, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
		wantErr(t, "Refresh", err, fullauth.ErrInvalidToken)
	})
}

func TestCustomClaimsOnEveryIssuance(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) {
		c.TokenClaims = func(_ context.Context, u *fullauth.User) (map[string]any, error) {
			return map[string]any{"tenant": "acme", "email": u.Email}, nil
		}
	})
	e.mustRegister(t, "hil@example.com")
	pair := e.mustLogin(t, "hil@example.com")
	refreshed, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{"login": pair.AccessToken, "refresh": refreshed.AccessToken} {
		_, c, err := e.auth.Authenticate(t.Context(), raw)
		if err != nil {
			t.Fatalf("%s: Authenticate err = %v", name, err)
		}
		var extra map[string]string
		if err := json.Unmarshal(c.Extra, &extra); err != nil || extra["tenant"] != "acme" || extra["email"] != "hil@example.com" {
			t.Errorf("%s: extra = %s, want the custom claims", name, c.Extra)
		}
	}
}

func TestCustomClaimsReservedKeys(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) {
		c.TokenClaims = func(context.Context, *fullauth.User) (map[string]any, error) {
			return map[string]any{"sub": "x", "roles": []string{}}, nil
		}
	})
	e.mustRegister(t, "ida@example.com")
	_, _, err := e.auth.Login(t.Context(), "ida@example.com", goodPassword, client)
	if err == nil || !strings.Contains(err.Error(), "Custom claims contain reserved keys: roles, sub") {
		t.Fatalf("Login err = %v, want the reserved-keys error", err)
	}
	if errors.Is(err, fullauth.ErrInvalidCredentials) {
		t.Error("a misconfigured claims callback must not look like bad credentials")
	}
}

// The grace window is never shorter than configured: the successor's times
// are whole seconds, and a rotation late in a second must not lose most of
// that second from the window.
func TestRefreshGraceCountsFromTheRotation(t *testing.T) {
	for _, grace := range []time.Duration{time.Second, 10 * time.Second} {
		t.Run(grace.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, func(c *fullauth.Config) { c.RefreshReuseGrace = grace })
				e.mustRegister(t, "gus@example.com")
				first := e.mustLogin(t, "gus@example.com")
				time.Sleep(900 * time.Millisecond) // the rotation comes late in its second
				next, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(grace - 100*time.Millisecond) // still inside the window
				again, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
				if err != nil {
					t.Fatalf("a retry %v after the rotation, inside the %v grace: %v", grace-100*time.Millisecond, grace, err)
				}
				if again.RefreshToken != next.RefreshToken {
					t.Error("the retry inside the grace window got another successor")
				}
			})
		})
	}
}

// A refresh that fails before it hands out tokens does not use the
// presented token up: the client's retry succeeds.
func TestRefreshFailureKeepsTheToken(t *testing.T) {
	fail := true
	e := newEnv(t, func(c *fullauth.Config) {
		c.RefreshReuseGrace = -1 // no grace window to hide a burnt token
		c.TokenClaims = func(context.Context, *fullauth.User) (map[string]any, error) {
			if fail {
				return nil, errors.New("claims service down")
			}
			return nil, nil
		}
	})
	e.mustRegister(t, "flo@example.com")
	fail = false
	first := e.mustLogin(t, "flo@example.com")
	fail = true
	if _, err := e.auth.Refresh(t.Context(), first.RefreshToken, client); err == nil {
		t.Fatal("Refresh with the claims hook failing err = nil, want its error")
	}
	fail = false
	next, err := e.auth.Refresh(t.Context(), first.RefreshToken, client)
	if err != nil {
		t.Fatalf("the retry after the failure: %v", err)
	}
	e.mustAuthenticate(t, next.AccessToken)
	e.mustAuthenticate(t, first.AccessToken) // the session was not revoked
}
