package fullauth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/password"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "bob@example.com")

	got, pair, err := e.auth.Login(t.Context(), " BOB@example.com", goodPassword, fullauth.ClientInfo{UserAgent: "ua", IP: "203.0.113.7"})
	if err != nil {
		t.Fatalf("Login err = %v", err)
	}
	if got.ID != u.ID {
		t.Errorf("Login user = %s, want %s", got.ID, u.ID)
	}
	if pair.AccessToken == "" || pair.RefreshToken == "" || pair.FamilyID == "" || pair.ExpiresIn != 1800 {
		t.Errorf("pair = %+v, want both tokens, a family and expires_in 1800", pair)
	}
	if me := e.mustAuthenticate(t, pair.AccessToken); me.ID != u.ID {
		t.Errorf("Authenticate user = %s, want %s", me.ID, u.ID)
	}
	row, err := e.store.RefreshTokenFamily(t.Context(), pair.FamilyID)
	if err != nil || len(row) != 1 {
		t.Fatalf("family rows = %v, %v; want one", row, err)
	}
	if row[0].UserAgent != "ua" || row[0].IPAddress != "203.0.113.7" || row[0].Revoked {
		t.Errorf("stored refresh row = %+v, want the client's UA and IP, live", row[0])
	}
}

func TestLoginFailuresAreIndistinguishable(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "carol@example.com")
	inactive := e.mustRegister(t, "dave@example.com")
	off := false
	if _, err := e.store.UpdateUser(t.Context(), inactive.ID, fullauth.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	oauthOnly := &fullauth.User{ID: "0190a000-0000-7000-8000-000000000001", Email: "oauth@example.com", Active: true}
	if err := e.store.CreateUser(t.Context(), oauthOnly, ""); err != nil {
		t.Fatal(err)
	}

	tests := []struct{ name, login, pw string }{
		{"wrong password", "carol@example.com", "wrong-password"},
		{"unknown user", "nobody@example.com", goodPassword},
		{"inactive user", "dave@example.com", goodPassword},
		{"user without password", "oauth@example.com", goodPassword},
		{"empty password", "carol@example.com", ""},
		{"huge password", "carol@example.com", strings.Repeat("x", 1<<20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, pair, err := e.auth.Login(t.Context(), tc.login, tc.pw, fullauth.ClientInfo{})
			wantErr(t, "Login", err, fullauth.ErrInvalidCredentials)
			if pair != nil {
				t.Errorf("Login pair = %+v, want nil", pair)
			}
		})
	}
}

func TestLoginTimingDefenceUsesConfiguredAlgorithm(t *testing.T) {
	for _, alg := range []string{"argon2id", "bcrypt"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, func(c *fullauth.Config) { c.PasswordHashAlgorithm = alg; c.BcryptCost = 4 })
			// The dummy hash is made with the configured hasher on the first
			// unknown-user login; it must verify (and fail) without error.
			_, _, err := e.auth.Login(t.Context(), "ghost@example.com", "whatever-password", fullauth.ClientInfo{})
			wantErr(t, "Login", err, fullauth.ErrInvalidCredentials)
			if strings.Contains(e.logs.String(), "dummy hash failed") {
				t.Errorf("dummy hash failed: %s", e.logs.String())
			}
		})
	}
}

func TestLockout(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) { c.MaxLoginAttempts = 3 })
	e.mustRegister(t, "erin@example.com")
	ctx := t.Context()
	for i, login := range []string{"erin@example.com", "ERIN@example.com", " Erin@Example.com "} {
		_, _, err := e.auth.Login(ctx, login, "wrong", fullauth.ClientInfo{})
		wantErr(t, "failed Login "+string(rune('1'+i)), err, fullauth.ErrInvalidCredentials)
	}
	// Locked: the right password is refused too, and the case of the
	// identifier makes no difference (CONTRACT §24.6).
	_, _, err := e.auth.Login(ctx, "erin@EXAMPLE.com", goodPassword, fullauth.ClientInfo{})
	wantErr(t, "Login while locked", err, fullauth.ErrInvalidCredentials)
	if n := countLines(e.logs.String(), "Account locked after 3 failed attempts: erin@example.com"); n != 1 {
		t.Errorf("lock log lines = %d, want 1", n)
	}
	// Other identifiers are unaffected.
	e.mustRegister(t, "frank@example.com")
	e.mustLogin(t, "frank@example.com")
}

func TestLockoutSuccessClearsCount(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) { c.MaxLoginAttempts = 3 })
	e.mustRegister(t, "gina@example.com")
	for round := 0; round < 3; round++ {
		for i := 0; i < 2; i++ {
			if _, _, err := e.auth.Login(t.Context(), "gina@example.com", "wrong", fullauth.ClientInfo{}); !errors.Is(err, fullauth.ErrInvalidCredentials) {
				t.Fatalf("round %d: Login err = %v", round, err)
			}
		}
		e.mustLogin(t, "gina@example.com")
	}
}

func TestLockoutDisabled(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) { c.DisableLockout = true; c.MaxLoginAttempts = 1 })
	e.mustRegister(t, "hal@example.com")
	for i := 0; i < 3; i++ {
		e.auth.Login(t.Context(), "hal@example.com", "wrong", fullauth.ClientInfo{})
	}
	e.mustLogin(t, "hal@example.com")
}

// TestLockoutParallelGuesses proves that parallel guesses cannot get more
// password checks than MaxLoginAttempts: every attempt takes a numbered slot
// atomically before its password is checked.
func TestLockoutParallelGuesses(t *testing.T) {
	const max = 5
	e := newEnv(t, func(c *fullauth.Config) { c.MaxLoginAttempts = max })
	e.mustRegister(t, "ivy@example.com")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.auth.Login(context.Background(), "ivy@example.com", "wrong", fullauth.ClientInfo{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		wantErr(t, "parallel Login", err, fullauth.ErrInvalidCredentials)
	}
	checked := countLines(e.logs.String(), "Login failed: invalid password", "ivy@example.com")
	if checked != max {
		t.Errorf("passwords checked = %d, want exactly %d", checked, max)
	}
	_, _, err := e.auth.Login(t.Context(), "ivy@example.com", goodPassword, fullauth.ClientInfo{})
	wantErr(t, "Login after the parallel guesses", err, fullauth.ErrInvalidCredentials)
}

func TestLoginRehash(t *testing.T) {
	tests := []struct {
		name       string
		made, now  password.Options
		nowAlg     string
		wantPrefix string
	}{
		{"bcrypt to argon2id", password.Options{Algorithm: password.Bcrypt, BcryptCost: 4}, password.Options{}, "argon2id", "$argon2id$v=19$m=64,t=1,p=1$"},
		{"argon2id to bcrypt", password.Options{Argon2: cheapArgon2}, password.Options{}, "bcrypt", "$2b$04$"},
		{"argon2 parameters changed", password.Options{Argon2: password.Argon2Params{Time: 2, MemoryKiB: 32, Threads: 1}}, password.Options{}, "argon2id", "$argon2id$v=19$m=64,t=1,p=1$"},
		{"bcrypt cost changed", password.Options{Algorithm: password.Bcrypt, BcryptCost: 5}, password.Options{}, "bcrypt", "$2b$04$"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *fullauth.Config) { c.PasswordHashAlgorithm = tc.nowAlg; c.BcryptCost = 4 })
			old, err := password.New(tc.made)
			if err != nil {
				t.Fatal(err)
			}
			hash, err := old.Hash(t.Context(), goodPassword)
			if err != nil {
				t.Fatal(err)
			}
			u := &fullauth.User{ID: "0190a000-0000-7000-8000-0000000000aa", Email: "old@example.com", Active: true}
			if err := e.store.CreateUser(t.Context(), u, hash); err != nil {
				t.Fatal(err)
			}
			e.mustLogin(t, "old@example.com")
			got, _ := e.store.PasswordHash(t.Context(), u.ID)
			if !strings.HasPrefix(got, tc.wantPrefix) {
				t.Errorf("hash after login = %q, want prefix %q", got, tc.wantPrefix)
			}
			e.mustLogin(t, "old@example.com") // the new hash verifies
		})
	}
}

func TestLoginHooksNeverBreakTheRequest(t *testing.T) {
	e := newEnv(t, func(c *fullauth.Config) {
		c.Hooks.AfterLogin = func(context.Context, *fullauth.User) error { panic("boom") }
		c.Hooks.AfterRegister = func(context.Context, *fullauth.User) error { return errors.New("hook failed") }
	})
	e.mustRegister(t, "jay@example.com")
	e.mustLogin(t, "jay@example.com")
	logs := e.logs.String()
	for _, want := range []string{"hook for event 'after_login' raised", "hook for event 'after_register' raised"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestLockoutKVDownFailsClosed(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "kim@example.com")
	a, err := fullauth.New(e.store, fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2, KV: failingKV{}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = a.Login(t.Context(), "kim@example.com", goodPassword, fullauth.ClientInfo{})
	wantErr(t, "Login with the KV down", err, fullauth.ErrUnavailable)
}
