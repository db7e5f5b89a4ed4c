package fullauth

import (
	"context"
	"errors"
	"time"
)

// Logout ends the session of an access token: the token itself is revoked
// for the rest of its life and its session's refresh tokens are revoked,
// which also stops the session's other access tokens. An access token
// without a session falls back to the session of refreshRaw, if given and
// owned by the same user. Logging out twice with one token fails the second
// time with ErrInvalidToken.
func (a *Auth) Logout(ctx context.Context, accessRaw, refreshRaw string) error {
	c, err := a.AccessClaims(ctx, accessRaw)
	if err != nil {
		return err
	}
	log := a.logs.named("logout")
	if err := a.kv.Set(ctx, keyBlacklist+c.ID, nil, a.remaining(c.ExpiresAt, time.Now())); err != nil {
		return unavailable("logout", err)
	}
	switch {
	case c.FamilyID != "":
		err = a.revokeSessions(ctx, TokenSelector{FamilyID: c.FamilyID})
	case refreshRaw != "":
		var row *RefreshToken
		row, err = a.store.RefreshToken(ctx, digest(refreshRaw))
		switch {
		case errors.Is(err, ErrNotFound):
			err = nil
		case err != nil:
		case row.UserID != c.Subject:
			log.WarnContext(ctx, "Logout with a refresh token of another user; ignored", "sub", c.Subject)
		default:
			err = a.revokeSessions(ctx, TokenSelector{FamilyID: row.FamilyID})
		}
	}
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "Logged out", "sub", c.Subject, "jti", c.ID)
	if h := a.cfg.Hooks.AfterLogout; h != nil {
		a.call(ctx, "after_logout", func() error { return h(ctx, c.Subject) })
	}
	return nil
}
