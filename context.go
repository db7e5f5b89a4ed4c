package fullauth

import (
	"context"

	"github.com/fullauth/fullauth/token"
)

type userKey struct{}

type claimsKey struct{}

// WithUser returns a copy of ctx carrying the authenticated user.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the authenticated user carried by ctx, or nil.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// ClaimsFrom returns the verified access-token claims carried by ctx (see
// [Auth.AuthenticateContext]), or nil.
func ClaimsFrom(ctx context.Context) *token.Claims {
	c, _ := ctx.Value(claimsKey{}).(*token.Claims)
	return c
}

// authContext is the context AuthenticateContext returns. It holds its
// own copies of the user and the claims, so that attaching both to a
// request costs one allocation instead of four.
type authContext struct {
	context.Context
	user   User
	claims token.Claims
}

func (c *authContext) Value(key any) any {
	switch key.(type) {
	case userKey:
		return &c.user
	case claimsKey:
		return &c.claims
	}
	return c.Context.Value(key)
}

func (c *authContext) String() string {
	return contextName(c.Context) + ".WithAuthentication"
}

// contextName names ctx the way the context package's own String methods
// name their parents.
func contextName(ctx context.Context) string {
	if s, ok := ctx.(interface{ String() string }); ok {
		return s.String()
	}
	return "context"
}
