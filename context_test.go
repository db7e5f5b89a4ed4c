package fullauth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fullauth/fullauth"
)

type parentKey struct{}

func TestAuthenticateContext(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*fullauth.Config)
	}{
		{"cache on", nil},
		{"cache off", func(c *fullauth.Config) { c.UserCacheTTL = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.mod)
			want := e.mustRegister(t, "cora@example.com")
			pair := e.mustLogin(t, "cora@example.com")

			parent, cancel := context.WithCancel(context.WithValue(t.Context(), parentKey{}, "kept"))
			ctx, err := e.auth.AuthenticateContext(parent, pair.AccessToken)
			if err != nil {
				t.Fatalf("AuthenticateContext err = %v, want nil", err)
			}
			u, c := fullauth.UserFrom(ctx), fullauth.ClaimsFrom(ctx)
			if u == nil || u.ID != want.ID || u.Email != want.Email {
				t.Fatalf("UserFrom = %+v, want user %s <%s>", u, want.ID, want.Email)
			}
			if c == nil || c.Subject != want.ID || c.Type != "access" {
				t.Fatalf("ClaimsFrom = %+v, want access claims of %s", c, want.ID)
			}
			if got := ctx.Value(parentKey{}); got != "kept" {
				t.Errorf("parent's value = %v, want kept", got)
			}
			if got, want := fmt.Sprint(ctx), fmt.Sprint(parent)+".WithAuthentication"; got != want {
				t.Errorf("ctx prints as %q, want %q", got, want)
			}
			cancel()
			<-ctx.Done() // blocks forever if cancellation did not reach ctx
			if !errors.Is(ctx.Err(), context.Canceled) {
				t.Errorf("Err after the parent's cancel = %v, want context.Canceled", ctx.Err())
			}

			// What a request gets is its own: changing it changes nothing
			// the next request sees, cached or not.
			u.Email, u.Superuser, c.Subject = "mallory@example.com", true, "someone-else"
			again, err := e.auth.AuthenticateContext(t.Context(), pair.AccessToken)
			if err != nil {
				t.Fatalf("second AuthenticateContext err = %v", err)
			}
			if u2, c2 := fullauth.UserFrom(again), fullauth.ClaimsFrom(again); u2.Email != want.Email || u2.Superuser || c2.Subject != want.ID {
				t.Errorf("after changing the first request's copies, next request has user %s superuser=%v, sub %s; want %s, false, %s",
					u2.Email, u2.Superuser, c2.Subject, want.Email, want.ID)
			}
			au, ac, err := e.auth.Authenticate(t.Context(), pair.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			au.Email, ac.Subject = "eve@example.com", "x"
			if u3 := e.mustAuthenticate(t, pair.AccessToken); u3.Email != want.Email {
				t.Errorf("after changing Authenticate's user, next Authenticate has %s, want %s", u3.Email, want.Email)
			}

			// A user set on top wins over the authenticated one.
			other := &fullauth.User{ID: "other"}
			if got := fullauth.UserFrom(fullauth.WithUser(again, other)); got != other {
				t.Errorf("UserFrom(WithUser(ctx, other)) = %+v, want other", got)
			}
		})
	}
}

func TestAuthenticateContextRefuses(t *testing.T) {
	e := newEnv(t, nil)
	e.mustRegister(t, "rita@example.com")
	pair := e.mustLogin(t, "rita@example.com")
	if err := e.auth.Logout(t.Context(), pair.AccessToken, ""); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	parent := context.WithValue(t.Context(), parentKey{}, 1)
	for _, tc := range []struct{ name, raw string }{
		{"garbage", "not-a-token"},
		{"refresh token", pair.RefreshToken},
		{"revoked", pair.AccessToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, err := e.auth.AuthenticateContext(parent, tc.raw)
			wantErr(t, "AuthenticateContext", err, fullauth.ErrInvalidToken)
			if ctx != parent {
				t.Errorf("ctx = %v, want the parent back", ctx)
			}
			if u := fullauth.UserFrom(ctx); u != nil {
				t.Errorf("UserFrom = %+v, want nil", u)
			}
		})
	}
	if c := fullauth.ClaimsFrom(t.Context()); c != nil {
		t.Errorf("ClaimsFrom(a bare context) = %+v, want nil", c)
	}
}
