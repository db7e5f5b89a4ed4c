package fullauth

import (
	"context"
	"errors"
	"time"

	"github.com/fullauth/fullauth/token"
)

// Refresh exchanges a refresh token for a new access token and, with
// rotation on (the default), a new refresh token in the same session.
//
// Rotation is one atomic store step, so of two requests racing with the
// same token only one rotates it. The successor of a token is derived from
// it deterministically (its id is a keyed digest of its parent, its times
// are the rotation's), which gives the grace window of CONTRACT §24.3: the
// same token presented again within Config.RefreshReuseGrace of its
// rotation gets the same successor and a fresh access token, so a benign
// race (two tabs, a retried request) never signs the user out. Presented
// later, or when the successor has itself been used up, it is a replay:
// the whole session is revoked, access tokens included, and the answer is
// ErrTokenReused (CONTRACT §24.2).
//
// Every other failure is ErrInvalidToken.
func (a *Auth) Refresh(ctx context.Context, raw string, client ClientInfo) (*TokenPair, error) {
	now := time.Now()
	c, err := a.verify(raw, typeRefresh, now)
	if err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, c.Subject)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidToken
	} else if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, ErrInvalidToken
	}
	hash := digest(raw)
	row, err := a.store.RefreshToken(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidToken
	} else if err != nil {
		return nil, err
	}
	if row.UserID != u.ID || row.FamilyID != c.FamilyID {
		return nil, ErrInvalidToken
	}

	if a.cfg.DisableRefreshRotation {
		if row.Revoked {
			return nil, ErrInvalidToken
		}
		access, err := a.mintAccess(ctx, u, row.FamilyID, now)
		if err != nil {
			return nil, err
		}
		return a.pair(access, raw, row.FamilyID), nil
	}

	// The access token first: once the rotation is stored, the presented
	// token is used up, so a failure after it (a custom-claims hook, say)
	// would leave the client with neither token, and its retry would read
	// as a replay.
	access, err := a.mintAccess(ctx, u, row.FamilyID, now)
	if err != nil {
		return nil, err
	}
	successor := a.successorClaims(hash, c, now.Unix())
	next, err := a.signer.Sign(successor)
	if err != nil {
		return nil, err
	}
	err = a.store.RotateRefreshToken(ctx, hash, refreshRow(next, successor, client))
	switch {
	case errors.Is(err, ErrTokenReused):
		next, err = a.graceSuccessor(ctx, hash, c, row, now)
		if err != nil {
			return nil, err
		}
	case errors.Is(err, ErrNotFound):
		return nil, ErrInvalidToken
	case err != nil:
		return nil, err
	}
	return a.pair(access, next, row.FamilyID), nil
}

// successorClaims are the claims of the token that replaces the token with
// digest parentHash when it is rotated at iat.
func (a *Auth) successorClaims(parentHash string, parent *token.Claims, iat int64) *token.Claims {
	jti := a.keyedDigest("refresh-successor:" + parentHash)[:32]
	return a.refreshClaims(parent.Subject, jti, parent.FamilyID, iat)
}

// graceSuccessor handles a refresh token that was already rotated: inside
// the grace window it re-mints the successor it was rotated into; after
// it, it revokes the session and reports the replay.
func (a *Auth) graceSuccessor(ctx context.Context, hash string, c *token.Claims, row *RefreshToken, now time.Time) (string, error) {
	if grace := a.cfg.RefreshReuseGrace; grace > 0 {
		family, err := a.store.RefreshTokenFamily(ctx, row.FamilyID)
		if err != nil {
			return "", err
		}
		for _, r := range family {
			if r.CreatedAt.Before(row.CreatedAt) {
				continue
			}
			next, err := a.signer.Sign(a.successorClaims(hash, c, r.CreatedAt.Unix()))
			if err != nil {
				return "", err
			}
			if digest(next) != r.Hash {
				continue
			}
			// r.CreatedAt is the successor's iat, a whole second: the
			// rotation happened up to a second after it. Measured from
			// the end of that second, the window is never shorter than
			// grace (at most a second longer), so a retry inside it is
			// never taken for a replay.
			if !r.Revoked && now.Sub(r.CreatedAt) <= grace+time.Second {
				return next, nil
			}
			break
		}
	}
	a.logs.named("refresh").ErrorContext(ctx, "Refresh token reuse detected; revoking the session", "family_id", row.FamilyID, "user_id", row.UserID)
	if err := a.revokeSessions(ctx, TokenSelector{FamilyID: row.FamilyID}); err != nil {
		return "", err
	}
	return "", ErrTokenReused
}
