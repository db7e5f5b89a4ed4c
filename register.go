package fullauth

import (
	"context"
	"errors"
	"time"
)

// Register creates an active, unverified account and, when a verification
// sender is configured, sends the verification email (CONTRACT §24.5).
//
// A taken email returns ErrExists. The password is hashed before the
// duplicate is detected, so a duplicate costs the same time as a fresh
// registration and response timing does not reveal registered emails; the
// HTTP layer answers both alike unless Config.RevealRegisteredEmails is set.
// A weak password returns a *ValidationError before anything else.
func (a *Auth) Register(ctx context.Context, email, password string) (*User, error) {
	if err := a.checkNewPassword(password); err != nil {
		return nil, err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	u := &User{ID: newUserID(now), Email: NormalizeEmail(email), Active: true, CreatedAt: now}
	log := a.logs.named("register")
	if err := a.store.CreateUser(ctx, u, hash); err != nil {
		if errors.Is(err, ErrExists) {
			log.WarnContext(ctx, "Registration with an existing email", "email", u.Email)
		}
		return nil, err
	}
	log.InfoContext(ctx, "User registered", "user_id", u.ID, "email", u.Email)
	if send := a.cfg.Hooks.SendVerificationEmail; send != nil {
		a.sendVerification(ctx, u, send)
	}
	if h := a.cfg.Hooks.AfterRegister; h != nil {
		a.call(ctx, "after_register", func() error { return h(ctx, u) })
	}
	return u, nil
}

// CreateSuperuser creates a verified superuser without applying the password
// policy (CONTRACT §19). A taken email returns ErrExists.
func (a *Auth) CreateSuperuser(ctx context.Context, email, password string) (*User, error) {
	if err := a.checkHashable(password); err != nil {
		return nil, err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	u := &User{ID: newUserID(now), Email: NormalizeEmail(email), Active: true, Verified: true, Superuser: true, CreatedAt: now}
	if err := a.store.CreateUser(ctx, u, hash); err != nil {
		return nil, err
	}
	return u, nil
}
