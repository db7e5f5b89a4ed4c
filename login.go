package fullauth

import (
	"context"
	"errors"
	"strconv"
)

// Login checks a password and starts a session. Unknown identifier, wrong
// password, missing password (OAuth-only user), inactive account and
// locked identifier all return ErrInvalidCredentials, with the same cost:
// unknown users are checked against a dummy hash of the configured
// algorithm unless Config.AllowLoginTimingLeak is set.
//
// Lockout (CONTRACT §9.1, §24.6) counts attempts per normalised identifier
// in the KV. Each attempt takes a numbered slot with one atomic increment
// before the password is checked, so however many guesses run in parallel
// on however many processes, at most MaxLoginAttempts are checked per
// window; the attempt that fills the last slot and fails locks the
// identifier for LockoutDuration. Success clears the count. An inactive
// user's correct password uses a slot too (the reference neither counts nor
// clears it).
//
// A hash made with other parameters or the other algorithm is replaced
// after a successful check (CONTRACT §24.8), when the store can do so only
// if the hash is unchanged ([PasswordHashSwapper]). A password change or
// reset that lands while a login is checking the old password wins: the
// login fails and its session is revoked.
func (a *Auth) Login(ctx context.Context, identifier, password string, client ClientInfo) (*User, *TokenPair, error) {
	log := a.logs.named("login")
	key := NormalizeEmail(identifier)
	if len(password) > MaxPasswordBytes {
		// Never hash attacker-sized input; no account has such a password.
		return nil, nil, ErrInvalidCredentials
	}
	slot, err := a.takeAttempt(ctx, key)
	if err != nil {
		return nil, nil, err
	}

	u, err := a.userByEmail(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, nil, err
	}
	var hash string
	if u != nil {
		if hash, err = a.store.PasswordHash(ctx, u.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return nil, nil, err
		}
	}
	if hash == "" {
		if !a.cfg.AllowLoginTimingLeak {
			if _, err := a.hasher.Verify(ctx, a.dummy(ctx), password); err != nil {
				return nil, nil, err
			}
		}
		log.WarnContext(ctx, "Login failed: unknown user or no password", "identifier", key)
		return nil, nil, a.failAttempt(ctx, key, slot)
	}
	ok, err := a.hasher.Verify(ctx, hash, password)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		log.WarnContext(ctx, "Login failed: invalid password", "identifier", key)
		return nil, nil, a.failAttempt(ctx, key, slot)
	}
	if !u.Active {
		log.WarnContext(ctx, "Login failed: User account is deactivated", "user_id", u.ID)
		return nil, nil, ErrInvalidCredentials
	}
	if a.hasher.NeedsRehash(hash) && a.swapHash != nil {
		hash = a.rehash(ctx, u.ID, hash, password)
	}
	if err := a.clearAttempts(ctx, key); err != nil {
		return nil, nil, err
	}
	pair, err := a.startSession(ctx, u, client)
	if err != nil {
		return nil, nil, err
	}
	if err := a.confirmPassword(ctx, u.ID, hash, password, pair.FamilyID); err != nil {
		return nil, nil, err
	}
	log.InfoContext(ctx, "Login succeeded", "user_id", u.ID)
	if h := a.cfg.Hooks.AfterLogin; h != nil {
		a.call(ctx, "after_login", func() error { return h(ctx, u) })
	}
	return u, pair, nil
}

// userByEmail finds the account of an email as typed. Stores match case
// by their own rules, and some are looser than NormalizeEmail (MySQL's
// default collations ignore accents and zero-width characters): an account
// whose address normalises differently is not this email's, or a lookalike
// address would get its own lockout counter for the same account, or the
// account's reset link.
func (a *Auth) userByEmail(ctx context.Context, email string) (*User, error) {
	key := NormalizeEmail(email)
	u, err := a.store.UserByEmail(ctx, key)
	if err != nil {
		return nil, err
	}
	if NormalizeEmail(u.Email) != key {
		return nil, ErrNotFound
	}
	return u, nil
}

// rehash replaces hash, which password matched, with one made with the
// current parameters, unless the stored hash changed meanwhile (a password
// change or reset must never be undone by a login that checked the old
// password). It returns the hash stored now as far as this login knows.
func (a *Auth) rehash(ctx context.Context, userID, hash, password string) string {
	fresh, err := a.hasher.Hash(ctx, password)
	if err == nil {
		var swapped bool
		if swapped, err = a.swapHash.SwapPasswordHash(ctx, userID, hash, fresh); err == nil {
			if swapped {
				return fresh
			}
			return hash
		}
	}
	a.logs.named("login").ErrorContext(ctx, "Password rehash failed", "user_id", userID, "err", err)
	return hash
}

// confirmPassword runs after Login has stored its session: the password it
// checked against hash must still be the user's. A change or reset stores
// the new hash and then revokes every session, so one that landed while
// this login was checking the old password has either revoked this
// session already or is seen here, where the session is revoked and the
// login fails. A hash that differs but still matches the password (another
// login's rehash) is fine.
func (a *Auth) confirmPassword(ctx context.Context, userID, hash, password, family string) error {
	now, err := a.store.PasswordHash(ctx, userID)
	if err == nil && now == hash {
		return nil
	}
	if err == nil && now != "" {
		var ok bool
		if ok, err = a.hasher.Verify(ctx, now, password); err == nil && ok {
			return nil
		}
	}
	if rerr := a.revokeSessions(ctx, TokenSelector{FamilyID: family}); rerr != nil {
		return rerr
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	a.logs.named("login").WarnContext(ctx, "Login failed: the password changed while it was being checked", "user_id", userID)
	return ErrInvalidCredentials
}

// dummyPlaintext is the reference's, so timing matches across ports.
const dummyPlaintext = "fastapi-fullauth-timing-defense"

// dummy returns a hash of the configured algorithm to verify against when
// there is no real one, made once on first use.
func (a *Auth) dummy(ctx context.Context) string {
	a.dummyOnce.Do(func() {
		h, err := a.hasher.Hash(context.WithoutCancel(ctx), dummyPlaintext)
		if err != nil {
			a.logs.named("login").Error("dummy hash failed", "err", err)
		}
		a.dummyHash = h
	})
	return a.dummyHash
}

// takeAttempt takes the next lockout slot for key and returns its number,
// or fails with ErrInvalidCredentials when the identifier is locked or out
// of slots.
func (a *Auth) takeAttempt(ctx context.Context, key string) (int64, error) {
	if a.cfg.DisableLockout {
		return 0, nil
	}
	locked, err := a.kv.Has(ctx, keyLocked+key)
	if err != nil {
		return 0, unavailable("lockout", err)
	}
	n := int64(0)
	if !locked {
		if n, err = a.kv.Incr(ctx, keyAttempts+key, a.cfg.LockoutDuration); err != nil {
			return 0, unavailable("lockout", err)
		}
	}
	if locked || n > int64(a.cfg.MaxLoginAttempts) {
		a.logs.named("login").WarnContext(ctx, "Login refused: identifier locked", "identifier", key)
		return 0, ErrInvalidCredentials
	}
	return n, nil
}

// failAttempt records the failure of the attempt in slot n: the failure in
// the last slot locks the identifier. It returns the error the login
// answers with.
func (a *Auth) failAttempt(ctx context.Context, key string, n int64) error {
	if a.cfg.DisableLockout {
		return ErrInvalidCredentials
	}
	if n >= int64(a.cfg.MaxLoginAttempts) {
		if err := a.kv.Set(ctx, keyLocked+key, nil, a.cfg.LockoutDuration); err != nil {
			return unavailable("lockout", err)
		}
		a.logs.named("lockout").WarnContext(ctx, "Account locked after "+strconv.FormatInt(n, 10)+" failed attempts: "+key)
		if h := a.cfg.Hooks.AfterLockout; h != nil {
			a.call(ctx, "after_lockout", func() error { return h(ctx, key) })
		}
	}
	return ErrInvalidCredentials
}

func (a *Auth) clearAttempts(ctx context.Context, key string) error {
	if a.cfg.DisableLockout {
		return nil
	}
	if err := a.kv.Delete(ctx, keyAttempts+key, keyLocked+key); err != nil {
		return unavailable("lockout", err)
	}
	return nil
}
