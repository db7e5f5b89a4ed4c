package fullauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fullauth/fullauth/token"
)

// Token types and purposes (CONTRACT §4).
const (
	typeAccess  = "access"
	typeRefresh = "refresh"

	PurposeEmailVerify   = "email_verify"
	PurposePasswordReset = "password_reset"
	PurposeOAuthState    = "oauth_state"
)

// KV key prefixes. A KV implementation adds its own namespace (the Redis
// one prefixes "fullauth:", giving the reference's key names).
const (
	keyBlacklist = "blacklist:"        // + jti: a revoked access token
	keyFamily    = "revoked-family:"   // + family id: a revoked session's access tokens
	keyUserVoid  = "revoked-before:"   // + user id: unix seconds; earlier access tokens and reset tokens are void
	keyUsed      = "used-token:"       // + jti: a consumed single-use token
	keyAttempts  = "lockout:attempts:" // + identifier
	keyLocked    = "lockout:locked:"   // + identifier
)

// reservedClaims may not be set by Config.TokenClaims (CONTRACT §13).
var reservedClaims = []string{"extra", "exp", "family_id", "iat", "jti", "purpose", "roles", "sub", "type"}

// TokenPair is what a sign-in or refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int
	// FamilyID names the session (the refresh-token family).
	FamilyID string
}

// newTokenID is a random UUID4 in 32-hex form, as the reference uses for
// jti and family ids.
func newTokenID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// newUserID returns a time-ordered UUIDv7 in canonical text form.
func newUserID(now time.Time) string {
	var b [16]byte
	rand.Read(b[6:])
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// customClaims calls Config.TokenClaims and returns the extra object.
func (a *Auth) customClaims(ctx context.Context, u *User) (json.RawMessage, error) {
	if a.cfg.TokenClaims == nil {
		return nil, nil
	}
	extra, err := a.cfg.TokenClaims(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("fullauth: token claims: %w", err)
	}
	var bad []string
	for _, k := range reservedClaims {
		if _, ok := extra[k]; ok {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("fullauth: Custom claims contain reserved keys: %s", strings.Join(bad, ", "))
	}
	if len(extra) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(extra)
	if err != nil {
		return nil, fmt.Errorf("fullauth: token claims: %w", err)
	}
	return raw, nil
}

// userRoles returns the user's roles, or none when the store keeps none.
func (a *Auth) userRoles(ctx context.Context, userID string) ([]string, error) {
	if a.roles == nil {
		return []string{}, nil
	}
	return a.roles.Roles(ctx, userID)
}

// Roles returns the user's roles as stored now; none when the store has no
// roles capability.
func (a *Auth) Roles(ctx context.Context, userID string) ([]string, error) {
	return a.userRoles(ctx, userID)
}

// UserRoles returns u's roles: those loaded with u when it came from
// [Auth.Authenticate] with the user cache on, so that a response shows the
// user and roles of one moment, and otherwise the roles as stored now.
func (a *Auth) UserRoles(ctx context.Context, u *User) ([]string, error) {
	if u.roles != nil {
		return slices.Clone(*u.roles), nil
	}
	return a.userRoles(ctx, u.ID)
}

// mintAccess signs an access token for a session of u.
func (a *Auth) mintAccess(ctx context.Context, u *User, familyID string, now time.Time) (string, error) {
	roles, err := a.userRoles(ctx, u.ID)
	if err != nil {
		return "", err
	}
	extra, err := a.customClaims(ctx, u)
	if err != nil {
		return "", err
	}
	return a.signer.Sign(&token.Claims{
		Subject:   u.ID,
		ExpiresAt: now.Add(a.cfg.AccessTokenTTL).Unix(),
		IssuedAt:  now.Unix(),
		ID:        newTokenID(),
		Type:      typeAccess,
		Roles:     roles,
		Extra:     extra,
		FamilyID:  familyID,
	})
}

// refreshClaims are the claims of a refresh token of familyID issued at iat.
func (a *Auth) refreshClaims(userID, jti, familyID string, iat int64) *token.Claims {
	return &token.Claims{
		Subject:   userID,
		ExpiresAt: iat + int64(a.cfg.RefreshTokenTTL/time.Second),
		IssuedAt:  iat,
		ID:        jti,
		Type:      typeRefresh,
		FamilyID:  familyID,
	}
}

// refreshRow is the stored form of a refresh token.
func refreshRow(raw string, c *token.Claims, client ClientInfo) *RefreshToken {
	return &RefreshToken{
		Hash:      digest(raw),
		UserID:    c.Subject,
		FamilyID:  c.FamilyID,
		ExpiresAt: time.Unix(c.ExpiresAt, 0).UTC(),
		UserAgent: truncate(client.UserAgent, 512),
		IPAddress: truncate(client.IP, 45),
		CreatedAt: time.Unix(c.IssuedAt, 0).UTC(),
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the stored text stays valid UTF-8.
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// startSession issues a token pair in a new family and stores its refresh
// token.
func (a *Auth) startSession(ctx context.Context, u *User, client ClientInfo) (*TokenPair, error) {
	now := time.Now()
	family := newTokenID()
	access, err := a.mintAccess(ctx, u, family, now)
	if err != nil {
		return nil, err
	}
	claims := a.refreshClaims(u.ID, newTokenID(), family, now.Unix())
	refresh, err := a.signer.Sign(claims)
	if err != nil {
		return nil, err
	}
	if err := a.store.SaveRefreshToken(ctx, refreshRow(refresh, claims, client)); err != nil {
		return nil, err
	}
	return a.pair(access, refresh, family), nil
}

func (a *Auth) pair(access, refresh, family string) *TokenPair {
	return &TokenPair{
		AccessToken:  access,
		RefreshToken: refresh,
		ExpiresIn:    int(a.cfg.AccessTokenTTL / time.Second),
		FamilyID:     family,
	}
}

// mintPurpose signs a single-purpose token (CONTRACT §4.4).
func (a *Auth) mintPurpose(userID, purpose string, ttl time.Duration) (string, error) {
	now := time.Now()
	extra, _ := json.Marshal(map[string]string{"purpose": purpose})
	return a.signer.Sign(&token.Claims{
		Subject:   userID,
		ExpiresAt: now.Add(ttl).Unix(),
		IssuedAt:  now.Unix(),
		ID:        newTokenID(),
		Type:      typeAccess,
		Roles:     []string{},
		Extra:     extra,
	})
}

// verify checks signature, expiry and type of raw.
func (a *Auth) verify(raw, typ string, now time.Time) (*token.Claims, error) {
	c, err := a.verifier.Verify(raw, now)
	if err != nil {
		a.logs.named("tokens").Debug("token rejected", "err", err)
		return nil, ErrInvalidToken
	}
	if c.Type != typ {
		a.logs.named("tokens").Warn("Unexpected token type", "sub", c.Subject, "type", c.Type)
		return nil, ErrInvalidToken
	}
	return c, nil
}

// verifyPurpose checks a purpose token and consumes it: a second use of the
// same token fails. Consumption is one atomic KV step on the token's id, so
// tokens issued by the reference implementation are single-use too.
func (a *Auth) verifyPurpose(ctx context.Context, raw, purpose string) (*token.Claims, error) {
	c, err := a.verify(raw, typeAccess, time.Now())
	if err != nil {
		return nil, err
	}
	if c.Purpose != purpose {
		a.logs.named("tokens").Warn("Unexpected token purpose", "sub", c.Subject)
		return nil, ErrInvalidToken
	}
	return c, nil
}

// consume marks a verified single-use token as used; a token already used
// gives ErrInvalidToken.
func (a *Auth) consume(ctx context.Context, raw string, c *token.Claims) error {
	id := c.ID
	if id == "" {
		id = digest(raw)
	}
	fresh, err := a.kv.SetNX(ctx, keyUsed+id, nil, a.remaining(c.ExpiresAt, time.Now()))
	if err != nil {
		return unavailable("consume token", err)
	}
	if !fresh {
		return ErrInvalidToken
	}
	return nil
}

// checkRevoked looks up, in one KV round trip, whether the access token c
// was revoked: by itself (logout), with its session, or with every token of
// its user issued before a password change. A KV failure fails closed.
// With withGen, the same round trip reads the user's generation for the
// user cache, which it returns (nil when the KV holds none).
func (a *Auth) checkRevoked(ctx context.Context, c *token.Claims, withGen bool) (gen []byte, err error) {
	if a.cfg.DisableBlacklist {
		return nil, nil
	}
	return a.readRevocation(ctx, c, revocationKeys(make([]string, 0, 4), c, withGen))
}

// readRevocation is checkRevoked with the keys of revocationKeys already
// built; with four keys it returns the user's generation.
func (a *Auth) readRevocation(ctx context.Context, c *token.Claims, keys []string) (gen []byte, err error) {
	vals, err := a.kv.Get(ctx, keys...)
	if err != nil {
		a.logs.named("blacklist").ErrorContext(ctx, "revocation check failed; refusing the token", "err", err)
		return nil, unavailable("revocation check", err)
	}
	if vals[0] != nil || vals[2] != nil {
		a.logs.named("tokens").WarnContext(ctx, "Revoked token used", "jti", c.ID, "sub", c.Subject)
		return nil, ErrInvalidToken
	}
	if before, ok := voidSecond(vals[1]); ok && c.IssuedAt < before {
		return nil, ErrInvalidToken
	}
	if len(keys) == 4 {
		gen = vals[3]
	}
	return gen, nil
}

// voidSecond reads a keyUserVoid value: the Unix second of the user's last
// revokeUser. Access tokens issued before it are void, reset tokens issued
// in it too. ok is false when there is no (readable) mark.
func voidSecond(v []byte) (second int64, ok bool) {
	if v == nil {
		return 0, false
	}
	second, err := strconv.ParseInt(string(v), 10, 64)
	return second, err == nil
}

// revocationKeys appends to dst the keys checkRevoked reads: the token,
// the user's void-before time, the session (the token again when there is
// none), and with gen the user's generation. They are substrings of one
// string, built with one allocation rather than one per key.
func revocationKeys(dst []string, c *token.Claims, gen bool) []string {
	parts := [...][2]string{{keyBlacklist, c.ID}, {keyUserVoid, c.Subject}, {keyFamily, c.FamilyID}, {keyUserGen, c.Subject}}
	if c.FamilyID == "" {
		parts[2] = parts[0]
	}
	n := 3
	if gen {
		n = 4
	}
	size := 0
	for _, p := range parts[:n] {
		size += len(p[0]) + len(p[1])
	}
	var b strings.Builder
	b.Grow(size)
	for _, p := range parts[:n] {
		b.WriteString(p[0])
		b.WriteString(p[1])
	}
	all := b.String()
	for _, p := range parts[:n] {
		k := len(p[0]) + len(p[1])
		dst = append(dst, all[:k])
		all = all[k:]
	}
	return dst
}

// AccessClaims verifies an access token for a session: signature, expiry,
// type, no purpose, not revoked. It touches no store: resource servers that
// trust the token's claims can stop here.
func (a *Auth) AccessClaims(ctx context.Context, raw string) (*token.Claims, error) {
	c, _, err := a.accessClaims(ctx, raw, time.Now(), false)
	return c, err
}

// accessClaims is AccessClaims; with withGen it also returns the user's
// generation, read with the revocation state (see checkRevoked).
func (a *Auth) accessClaims(ctx context.Context, raw string, now time.Time, withGen bool) (*token.Claims, []byte, error) {
	c, err := a.verify(raw, typeAccess, now)
	if err != nil {
		return nil, nil, err
	}
	gen, err := a.checkRevoked(ctx, c, withGen)
	if err != nil {
		return nil, nil, err
	}
	if c.Purpose != "" {
		a.logs.named("tokens").Warn("Unexpected token purpose", "sub", c.Subject)
		return nil, nil, ErrInvalidToken
	}
	return c, gen, nil
}

// Authenticate is the per-request check: it verifies the access token and
// loads its user, who must exist and be active. Every failure is
// ErrInvalidToken, except ErrUnavailable when revocation state can't be read.
//
// With the user cache on (Config.UserCacheTTL), a token seen recently is
// not verified again and its user and roles come from the cache, as long
// as the user's generation, read with the revocation state (which is read
// on every request), still matches; [Auth.UserRoles] then returns the
// roles loaded with the user. The claims' Roles and Extra may be shared
// with other requests: don't modify them.
func (a *Auth) Authenticate(ctx context.Context, raw string) (*User, *token.Claims, error) {
	u, c, cached, err := a.authenticate(ctx, raw)
	if err != nil || !cached {
		return u, c, err
	}
	own := &struct {
		user   User
		claims token.Claims
	}{*u, *c}
	return &own.user, &own.claims, nil
}

// AuthenticateContext is [Auth.Authenticate] for a request's context: on
// success it returns ctx carrying the user and the claims, for [UserFrom]
// and [ClaimsFrom]; on failure, ctx itself and the error. It is what the
// authhttp middleware calls: one allocation, where Authenticate and two
// context.WithValue calls make three.
func (a *Auth) AuthenticateContext(ctx context.Context, raw string) (context.Context, error) {
	u, c, _, err := a.authenticate(ctx, raw)
	if err != nil {
		return ctx, err
	}
	return &authContext{Context: ctx, user: *u, claims: *c}, nil
}

// authenticate is Authenticate without the copies. With cached, the user
// or the claims it returns are the cache's, which callers copy before
// handing them out; otherwise both are the caller's own.
func (a *Auth) authenticate(ctx context.Context, raw string) (u *User, c *token.Claims, cached bool, err error) {
	now := time.Now()
	if a.users != nil {
		if e := a.users.get(raw, now); e != nil {
			// The cache is on only with revocation on (see New), and the
			// entry's keys are the ones checkRevoked would build.
			gen, err := a.readRevocation(ctx, e.claims, e.keys)
			if err != nil {
				return nil, nil, false, err
			}
			if gen != nil && string(gen) == e.gen {
				return &e.user, e.claims, true, nil
			}
			if u, err = a.loadUser(ctx, raw, e.claims, gen, now); err != nil {
				return nil, nil, false, err
			}
			return u, e.claims, true, nil
		}
	}
	c, gen, err := a.accessClaims(ctx, raw, now, a.users != nil)
	if err != nil {
		return nil, nil, false, err
	}
	if u, err = a.loadUser(ctx, raw, c, gen, now); err != nil {
		return nil, nil, false, err
	}
	return u, c, false, nil
}

// loadUser finishes Authenticate from the store: it loads the subject of
// the verified token raw, and with the cache on caches it with c under
// gen, the generation read before the store was.
func (a *Auth) loadUser(ctx context.Context, raw string, c *token.Claims, gen []byte, now time.Time) (*User, error) {
	u, err := a.store.User(ctx, c.Subject)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	if !u.Active {
		return nil, ErrInvalidToken
	}
	if a.users != nil {
		if err := a.cacheUser(ctx, raw, c, u, gen, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// cacheUser loads u's roles onto u and caches them with the token raw and
// its claims c under gen. When the KV held no generation it sets a fresh
// one first, and caches nothing if another request or a change got there
// first: the user just read might predate that change.
func (a *Auth) cacheUser(ctx context.Context, raw string, c *token.Claims, u *User, gen []byte, now time.Time) error {
	roles, err := a.userRoles(ctx, u.ID)
	if err != nil {
		return err
	}
	u.roles = &roles
	if gen == nil {
		gen = newGeneration()
		fresh, err := a.kv.SetNX(ctx, keyUserGen+u.ID, gen, a.accessLife())
		if err != nil {
			return unavailable("user generation", err)
		}
		if !fresh {
			return nil
		}
	}
	claims := *c
	a.users.put(raw, &cachedAuth{
		claims:  &claims,
		keys:    revocationKeys(make([]string, 0, 4), c, true),
		expires: time.Unix(c.ExpiresAt, 0).Add(a.leeway),
		gen:     string(gen),
		loaded:  now,
		user:    *u,
	})
	return nil
}

// accessLife is how long an access token issued now can be accepted, so
// how long per-user and per-session revocation marks must last. A user's
// cache generation lasts as long: a user without a request for that long
// is loaded from the store again anyway.
func (a *Auth) accessLife() time.Duration {
	return a.cfg.AccessTokenTTL + a.leeway
}

// revokeFamilies marks the sessions' access tokens revoked in the KV, so
// they stop working at once rather than at expiry (CONTRACT §24.14).
func (a *Auth) revokeFamilies(ctx context.Context, families []string) error {
	ttl := a.accessLife()
	for _, f := range slices.Compact(slices.Sorted(slices.Values(families))) {
		if err := a.kv.Set(ctx, keyFamily+f, nil, ttl); err != nil {
			return unavailable("revoke session", err)
		}
	}
	return nil
}

// revokeSessions revokes the refresh tokens picked by sel and the access
// tokens of their sessions.
func (a *Auth) revokeSessions(ctx context.Context, sel TokenSelector) error {
	families, err := a.store.RevokeRefreshTokens(ctx, sel)
	if err != nil {
		return err
	}
	return a.revokeFamilies(ctx, families)
}

// revokeUser ends every session of the user and voids every access token
// issued before now, including tokens outside any session.
func (a *Auth) revokeUser(ctx context.Context, userID string) error {
	if err := a.revokeSessions(ctx, TokenSelector{UserID: userID}); err != nil {
		return err
	}
	// The mark also voids the reset links sent before it (see
	// ResetPassword), so it lasts as long as the longer-lived of the two.
	now := strconv.AppendInt(nil, time.Now().Unix(), 10)
	if err := a.kv.Set(ctx, keyUserVoid+userID, now, max(a.accessLife(), a.cfg.PasswordResetTTL+a.leeway)); err != nil {
		return unavailable("revoke user tokens", err)
	}
	return nil
}
