package fullauth_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/token"
)

// onceHook holds a function that the next call of run runs, once: a change
// that lands in the middle of a store read.
type onceHook struct {
	mu sync.Mutex
	f  func()
}

func (h *onceHook) set(f func()) {
	h.mu.Lock()
	h.f = f
	h.mu.Unlock()
}

func (h *onceHook) run() {
	h.mu.Lock()
	f := h.f
	h.f = nil
	h.mu.Unlock()
	if f != nil {
		f()
	}
}

// countingStore counts user and role reads and can act in the middle of a
// user read.
type countingStore struct {
	*memstore.Store
	reads     atomic.Int64
	roleReads atomic.Int64
	// during runs after the next user read and before it returns: a change
	// that lands while a request is loading the user.
	during onceHook
}

func (s *countingStore) User(ctx context.Context, id string) (*fullauth.User, error) {
	s.reads.Add(1)
	u, err := s.Store.User(ctx, id)
	s.during.run()
	return u, err
}

func (s *countingStore) Roles(ctx context.Context, userID string) ([]string, error) {
	s.roleReads.Add(1)
	return s.Store.Roles(ctx, userID)
}

// newCacheEnv is newEnv on a counting store.
func newCacheEnv(t *testing.T, mod func(*fullauth.Config)) (*env, *countingStore) {
	t.Helper()
	e := newEnv(t, mod)
	cs := &countingStore{Store: e.store}
	cfg := e.auth.Config()
	a, err := fullauth.New(cs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.auth = a
	return e, cs
}

func TestUserCacheReadsTheStoreOnce(t *testing.T) {
	tests := []struct {
		name      string
		mod       func(*fullauth.Config)
		wantReads int64
	}{
		{"default", nil, 1},
		{"cache off", func(c *fullauth.Config) { c.UserCacheTTL = -1 }, 5},
		{"blacklist off", func(c *fullauth.Config) { c.DisableBlacklist = true }, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, cs := newCacheEnv(t, tc.mod)
			e.mustRegister(t, "ula@example.com")
			pair := e.mustLogin(t, "ula@example.com")
			before := cs.reads.Load()
			for range 5 {
				if u := e.mustAuthenticate(t, pair.AccessToken); u.Email != "ula@example.com" {
					t.Fatalf("Authenticate user = %q, want ula@example.com", u.Email)
				}
			}
			if got := cs.reads.Load() - before; got != tc.wantReads {
				t.Errorf("store user reads for 5 requests = %d, want %d", got, tc.wantReads)
			}
		})
	}
}

// Every change the Auth makes to a user shows on the next request, on this
// instance and on another sharing the store and the KV.
func TestUserCacheSeesChanges(t *testing.T) {
	admin := &fullauth.User{ID: "admin"}
	tests := []struct {
		name   string
		change func(t *testing.T, a *fullauth.Auth, e *env, u *fullauth.User)
		check  func(u *fullauth.User, roles []string) string // "" when the change shows
	}{
		{
			name: "display name",
			change: func(t *testing.T, a *fullauth.Auth, _ *env, u *fullauth.User) {
				name := "Vera"
				if _, err := a.UpdateProfile(t.Context(), u.ID, fullauth.ProfileUpdate{DisplayName: &name}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(u *fullauth.User, _ []string) string {
				if u.DisplayName != "Vera" {
					return "display name " + u.DisplayName
				}
				return ""
			},
		},
		{
			name: "role assigned",
			change: func(t *testing.T, a *fullauth.Auth, _ *env, u *fullauth.User) {
				if err := a.AssignRole(t.Context(), admin, u.ID, "editor"); err != nil {
					t.Fatal(err)
				}
			},
			check: func(_ *fullauth.User, roles []string) string {
				if !slices.Equal(roles, []string{"editor"}) {
					return fmt.Sprintf("roles %q", roles)
				}
				return ""
			},
		},
		{
			name: "role removed",
			change: func(t *testing.T, a *fullauth.Auth, _ *env, u *fullauth.User) {
				if err := a.RemoveRole(t.Context(), admin, u.ID, "reader"); err != nil {
					t.Fatal(err)
				}
			},
			check: func(_ *fullauth.User, roles []string) string {
				if len(roles) != 0 {
					return fmt.Sprintf("roles %q", roles)
				}
				return ""
			},
		},
		{
			name: "email verified",
			change: func(t *testing.T, a *fullauth.Auth, e *env, _ *fullauth.User) {
				if _, err := a.ConfirmEmail(t.Context(), e.mail.lastVerify(t)); err != nil {
					t.Fatal(err)
				}
			},
			check: func(u *fullauth.User, _ []string) string {
				if !u.Verified {
					return "not verified"
				}
				return ""
			},
		},
	}
	for _, tc := range tests {
		for _, where := range []string{"same instance", "other instance"} {
			t.Run(tc.name+"/"+where, func(t *testing.T) {
				e, _ := newCacheEnv(t, nil)
				u := e.mustRegister(t, "vera@example.com")
				if err := e.auth.AssignRole(t.Context(), admin, u.ID, "reader"); err != nil {
					t.Fatal(err)
				}
				pair := e.mustLogin(t, "vera@example.com")
				writer := e.auth
				if where == "other instance" {
					var err error
					if writer, err = fullauth.New(e.store, e.auth.Config()); err != nil {
						t.Fatal(err)
					}
				}
				e.mustAuthenticate(t, pair.AccessToken) // now cached
				if tc.name == "role assigned" {
					if err := e.auth.RemoveRole(t.Context(), admin, u.ID, "reader"); err != nil {
						t.Fatal(err)
					}
					e.mustAuthenticate(t, pair.AccessToken)
				}
				tc.change(t, writer, e, u)
				got := e.mustAuthenticate(t, pair.AccessToken)
				roles, err := e.auth.UserRoles(t.Context(), got)
				if err != nil {
					t.Fatal(err)
				}
				if msg := tc.check(got, roles); msg != "" {
					t.Errorf("after the change the next request saw %s", msg)
				}
				for _, role := range []string{"reader", "editor"} {
					has, err := e.auth.HasRole(t.Context(), got, role)
					if err != nil {
						t.Fatal(err)
					}
					if want := slices.Contains(roles, role); has != want {
						t.Errorf("HasRole(%q) = %v, but UserRoles = %q", role, has, roles)
					}
				}
			})
		}
	}
}

// Role guards answer from the roles cached with the user, and still see a
// role removed through another instance on the next request.
func TestUserCacheServesRoleChecks(t *testing.T) {
	admin := &fullauth.User{ID: "admin"}
	tests := []struct {
		name          string
		mod           func(*fullauth.Config)
		wantRoleReads int64 // by the 3 HasRole calls
	}{
		{"cache on", nil, 0},
		{"cache off", func(c *fullauth.Config) { c.UserCacheTTL = -1 }, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, cs := newCacheEnv(t, tc.mod)
			u := e.mustRegister(t, "gus@example.com")
			if err := e.auth.AssignRole(t.Context(), admin, u.ID, "editor"); err != nil {
				t.Fatal(err)
			}
			pair := e.mustLogin(t, "gus@example.com")
			var reads int64 // role reads made by HasRole itself
			hasEditor := func() bool {
				t.Helper()
				got := e.mustAuthenticate(t, pair.AccessToken)
				before := cs.roleReads.Load()
				ok, err := e.auth.HasRole(t.Context(), got, "admin", "editor")
				if err != nil {
					t.Fatal(err)
				}
				reads += cs.roleReads.Load() - before
				return ok
			}
			for range 2 {
				if !hasEditor() {
					t.Fatal("HasRole(editor) = false before the removal, want true")
				}
			}
			other, err := fullauth.New(cs, e.auth.Config())
			if err != nil {
				t.Fatal(err)
			}
			if err := other.RemoveRole(t.Context(), admin, u.ID, "editor"); err != nil {
				t.Fatal(err)
			}
			if hasEditor() {
				t.Error("HasRole(editor) = true on the request after another instance removed the role")
			}
			if reads != tc.wantRoleReads {
				t.Errorf("HasRole read the roles %d times, want %d", reads, tc.wantRoleReads)
			}
		})
	}
}

// A change made around the Auth stays unseen until UserChanged (or the
// cache age) — the documented trade-off.
func TestUserCacheWriteAroundTheAuth(t *testing.T) {
	e, _ := newCacheEnv(t, nil)
	u := e.mustRegister(t, "walt@example.com")
	pair := e.mustLogin(t, "walt@example.com")
	e.mustAuthenticate(t, pair.AccessToken)
	yes := true
	if _, err := e.store.UpdateUser(t.Context(), u.ID, fullauth.UserUpdate{Superuser: &yes}); err != nil {
		t.Fatal(err)
	}
	if got := e.mustAuthenticate(t, pair.AccessToken); got.Superuser {
		t.Fatal("the cache was not used: a write around the Auth showed at once (this test checks the cache exists)")
	}
	if err := e.auth.UserChanged(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.mustAuthenticate(t, pair.AccessToken); !got.Superuser {
		t.Error("after UserChanged the request still saw the old user")
	}
}

// A change that lands while a request is loading the user must not leave
// the old user cached, whether or not the KV held a generation.
func TestUserCacheChangeDuringLoad(t *testing.T) {
	for _, generation := range []bool{false, true} {
		name := "no generation yet"
		if generation {
			name = "generation set"
		}
		t.Run(name, func(t *testing.T) {
			e, cs := newCacheEnv(t, nil)
			u := e.mustRegister(t, "xia@example.com")
			pair := e.mustLogin(t, "xia@example.com")
			if generation {
				if err := e.auth.UserChanged(t.Context(), u.ID); err != nil {
					t.Fatal(err)
				}
			}
			writer, err := fullauth.New(e.store, e.auth.Config())
			if err != nil {
				t.Fatal(err)
			}
			cs.during.set(func() {
				name := "Xia"
				if _, err := writer.UpdateProfile(context.Background(), u.ID, fullauth.ProfileUpdate{DisplayName: &name}); err != nil {
					t.Error(err)
				}
			})
			if got := e.mustAuthenticate(t, pair.AccessToken); got.DisplayName != "" {
				t.Fatalf("the request that read the user before the change saw %q", got.DisplayName)
			}
			if got := e.mustAuthenticate(t, pair.AccessToken); got.DisplayName != "Xia" {
				t.Errorf("the next request saw display name %q, want Xia", got.DisplayName)
			}
		})
	}
}

// A cached token is still checked against revocation on every request and
// still expires.
func TestUserCacheKeepsTokenChecks(t *testing.T) {
	e, _ := newCacheEnv(t, func(c *fullauth.Config) {
		c.UserCacheTTL = time.Hour
		c.JWTLeeway = -1
	})
	u := e.mustRegister(t, "yan@example.com")
	tests := []struct {
		name   string
		revoke func(t *testing.T, pair *fullauth.TokenPair)
	}{
		{"logout", func(t *testing.T, pair *fullauth.TokenPair) {
			if err := e.auth.Logout(t.Context(), pair.AccessToken, pair.RefreshToken); err != nil {
				t.Fatal(err)
			}
		}},
		{"password change", func(t *testing.T, pair *fullauth.TokenPair) {
			caller := e.mustAuthenticate(t, pair.AccessToken)
			if err := e.auth.ChangePassword(t.Context(), caller, goodPassword, goodPassword+"-2"); err != nil {
				t.Fatal(err)
			}
			if err := e.auth.ChangePassword(t.Context(), caller, goodPassword+"-2", goodPassword); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pair := e.mustLogin(t, "yan@example.com")
			e.mustAuthenticate(t, pair.AccessToken) // cached
			tc.revoke(t, pair)
			e.mustReject(t, pair.AccessToken)
		})
	}
	t.Run("expiry", func(t *testing.T) {
		signer, err := token.NewSigner(token.HS256, []byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		exp := time.Now().Add(time.Second)
		raw, err := signer.Sign(&token.Claims{Subject: u.ID, IssuedAt: time.Now().Unix(), ExpiresAt: exp.Unix(), ID: "short", Type: "access"})
		if err != nil {
			t.Fatal(err)
		}
		e.mustAuthenticate(t, raw) // cached for an hour, unless the token ends first
		time.Sleep(time.Until(time.Unix(exp.Unix(), 0)))
		e.mustReject(t, raw)
	})
}

// While requests with the same token keep the cache busy, each change is
// seen by the first request after it returns: no request that loaded the
// user before the change leaves it cached under the new generation.
func TestUserCacheConcurrentChanges(t *testing.T) {
	e, _ := newCacheEnv(t, func(c *fullauth.Config) { c.UserCacheTTL = time.Hour })
	u := e.mustRegister(t, "zed@example.com")
	pair := e.mustLogin(t, "zed@example.com")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := e.auth.Authenticate(context.Background(), pair.AccessToken); err != nil {
					t.Errorf("Authenticate: %v", err)
					return
				}
			}
		})
	}
	for i := range 200 {
		name := fmt.Sprintf("name-%d", i)
		if _, err := e.auth.UpdateProfile(t.Context(), u.ID, fullauth.ProfileUpdate{DisplayName: &name}); err != nil {
			t.Fatal(err)
		}
		if got := e.mustAuthenticate(t, pair.AccessToken).DisplayName; got != name {
			t.Errorf("change %d: the next request saw display name %q, want %q", i, got, name)
			break
		}
	}
	close(stop)
	wg.Wait()
}
