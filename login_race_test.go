package fullauth_test

import (
	"context"
	"sync"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

// pausingStore runs then right after the next PasswordHash read: a change
// that lands while a login is checking the password it just read.
type pausingStore struct {
	*memstore.Store
	then onceHook
}

func (s *pausingStore) PasswordHash(ctx context.Context, id string) (string, error) {
	h, err := s.Store.PasswordHash(ctx, id)
	s.then.run()
	return h, err
}

// oldHashUser creates a user whose hash Login will want to upgrade, so that
// the rehash is part of the race.
func oldHashUser(t *testing.T, e *env, email string) *fullauth.User {
	t.Helper()
	old, err := password.New(password.Options{Argon2: password.Argon2Params{Time: 2, MemoryKiB: 32, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := old.Hash(t.Context(), goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &fullauth.User{ID: "0190a000-0000-7000-8000-00000000c0de", Email: email, Active: true}
	if err := e.store.CreateUser(t.Context(), u, hash); err != nil {
		t.Fatal(err)
	}
	return u
}

// passwordChanges are the ways a password changes under a racing login.
var passwordChanges = []struct {
	name   string
	change func(t *testing.T, e *env, u *fullauth.User, to string) error
}{
	{"reset", func(t *testing.T, e *env, u *fullauth.User, to string) error {
		if err := e.auth.RequestPasswordReset(context.Background(), u.Email); err != nil {
			return err
		}
		_, err := e.auth.ResetPassword(context.Background(), e.mail.lastReset(t), to)
		return err
	}},
	{"change", func(t *testing.T, e *env, u *fullauth.User, to string) error {
		return e.auth.ChangePassword(context.Background(), u, goodPassword, to)
	}},
}

// A login that checked the old password while the password changed must
// neither open a session that outlives the change nor, by upgrading the old
// hash, put the old password back.
func TestLoginRacingPasswordChange(t *testing.T) {
	const newPassword = "a-brand-new-password"
	for _, pc := range passwordChanges {
		for _, rehash := range []bool{false, true} {
			name := pc.name
			if rehash {
				name += "/old hash"
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t, nil)
				ps := &pausingStore{Store: e.store}
				a, err := fullauth.New(ps, e.auth.Config())
				if err != nil {
					t.Fatal(err)
				}
				e.auth = a
				var u *fullauth.User
				if rehash {
					u = oldHashUser(t, e, "rae@example.com")
				} else {
					u = e.mustRegister(t, "rae@example.com")
				}
				ps.then.set(func() {
					if err := pc.change(t, e, u, newPassword); err != nil {
						t.Errorf("%s during the login: %v", pc.name, err)
					}
				})

				_, pair, err := e.auth.Login(t.Context(), u.Email, goodPassword, client)
				wantErr(t, "Login that checked the old password", err, fullauth.ErrInvalidCredentials)
				if pair != nil {
					t.Errorf("Login returned tokens: %+v", pair)
				}
				if _, _, err := e.auth.Login(t.Context(), u.Email, newPassword, client); err != nil {
					t.Errorf("Login with the new password: %v", err)
				}
				_, _, err = e.auth.Login(t.Context(), u.Email, goodPassword, client)
				wantErr(t, "Login with the old password afterwards", err, fullauth.ErrInvalidCredentials)
				sessions, err := e.auth.Sessions(t.Context(), u.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				if len(sessions) != 1 {
					t.Errorf("live sessions = %d, want 1 (the new password's login)", len(sessions))
				}
			})
		}
	}
}

// The same race left to the scheduler: whatever the order, once both are
// done the new password works, the old one does not, and tokens the racing
// login got (if it finished first) are dead.
func TestLoginRacingPasswordChangeGoroutines(t *testing.T) {
	const newPassword = "a-brand-new-password"
	for _, pc := range passwordChanges {
		t.Run(pc.name, func(t *testing.T) {
			for range 20 {
				e := newEnv(t, nil)
				u := oldHashUser(t, e, "gia@example.com")
				var pair *fullauth.TokenPair
				var changeErr error
				var wg sync.WaitGroup
				wg.Go(func() { _, pair, _ = e.auth.Login(context.Background(), u.Email, goodPassword, client) })
				wg.Go(func() { changeErr = pc.change(t, e, u, newPassword) })
				wg.Wait()
				if changeErr != nil {
					t.Fatalf("%s: %v", pc.name, changeErr)
				}
				if _, _, err := e.auth.Login(t.Context(), u.Email, newPassword, client); err != nil {
					t.Fatalf("Login with the new password after the race: %v", err)
				}
				if _, _, err := e.auth.Login(t.Context(), u.Email, goodPassword, client); err == nil {
					t.Fatal("Login with the old password works after the race")
				}
				if pair != nil {
					e.mustReject(t, pair.AccessToken)
					if _, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client); err == nil {
						t.Fatal("the racing login's refresh token works after the password changed")
					}
				}
			}
		})
	}
}
