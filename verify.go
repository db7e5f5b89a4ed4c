package fullauth

import (
	"context"
	"errors"

	"github.com/fullauth/fullauth/token"
)

// RequestEmailVerification sends u a new verification token through
// Hooks.SendVerificationEmail. An already verified user is sent nothing
// (CONTRACT §24.15); the caller answers the same either way.
func (a *Auth) RequestEmailVerification(ctx context.Context, u *User) error {
	send := a.cfg.Hooks.SendVerificationEmail
	if u.Verified || send == nil {
		return nil
	}
	a.sendVerification(ctx, u, send)
	return nil
}

func (a *Auth) sendVerification(ctx context.Context, u *User, send func(context.Context, string, string) error) {
	tok, err := a.mintPurpose(u.ID, PurposeEmailVerify, a.cfg.EmailVerifyTTL)
	if err != nil {
		a.logs.named("email_verify").ErrorContext(ctx, "minting a verification token failed", "err", err)
		return
	}
	a.call(ctx, "send_verification_email", func() error { return send(ctx, u.Email, tok) })
}

// ConfirmEmail marks the user of a verification token verified. The token
// is single-use. A bad, expired, used or foreign token, a deleted user and
// a deactivated user all give ErrInvalidToken.
func (a *Auth) ConfirmEmail(ctx context.Context, raw string) (*User, error) {
	log := a.logs.named("email_verify")
	c, err := a.verifyPurpose(ctx, raw, PurposeEmailVerify)
	if err != nil {
		return nil, err
	}
	u, err := a.purposeUser(ctx, c)
	if err != nil {
		log.ErrorContext(ctx, "Verification token for a missing user", "sub", c.Subject)
		return nil, err
	}
	if err := a.consume(ctx, raw, c); err != nil {
		return nil, err
	}
	if !u.Active {
		log.WarnContext(ctx, "Verification for a deactivated user", "user_id", u.ID)
		return nil, ErrInvalidToken
	}
	if !u.Verified {
		verified := true
		if u, err = a.store.UpdateUser(ctx, u.ID, UserUpdate{Verified: &verified}); err != nil {
			return nil, err
		}
		a.changed(ctx, u.ID)
	}
	log.InfoContext(ctx, "Email verified", "user_id", u.ID)
	if h := a.cfg.Hooks.AfterEmailVerify; h != nil {
		a.call(ctx, "after_email_verify", func() error { return h(ctx, u) })
	}
	return u, nil
}

// purposeUser loads the subject of a purpose token; a deleted user is an
// invalid token, never a server error (CONTRACT §24.7).
func (a *Auth) purposeUser(ctx context.Context, c *token.Claims) (*User, error) {
	u, err := a.store.User(ctx, c.Subject)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidToken
	}
	return u, err
}

// RequestPasswordReset sends a reset token to the account with this email
// through Hooks.SendPasswordResetEmail, addressed to the email stored on
// the account. Unknown and deactivated accounts are sent nothing, and the
// result is the same, so the answer reveals nothing.
func (a *Auth) RequestPasswordReset(ctx context.Context, email string) error {
	log := a.logs.named("password_reset")
	u, err := a.userByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		log.DebugContext(ctx, "Password reset for an unknown email")
		return nil
	} else if err != nil {
		return err
	}
	send := a.cfg.Hooks.SendPasswordResetEmail
	if !u.Active || send == nil {
		return nil
	}
	tok, err := a.mintPurpose(u.ID, PurposePasswordReset, a.cfg.PasswordResetTTL)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "Password reset requested", "user_id", u.ID)
	// To the address on the account, never the one typed in: lookups fold
	// case, and a Unicode folding ("İ" to "i") can match an address whose
	// domain is someone else's.
	a.call(ctx, "send_password_reset_email", func() error { return send(ctx, u.Email, tok) })
	return nil
}

// ResetPassword sets a new password with a single-use reset token. It ends
// every session of the user and voids their access tokens, and the reset
// tokens sent before it. A weak password returns a *ValidationError and
// leaves the token usable.
//
// A reset token issued no later than the second of the user's last
// password change, reset, deactivation or revocation of all sessions is
// refused: an older link that leaked cannot take the account back.
func (a *Auth) ResetPassword(ctx context.Context, raw, newPassword string) (*User, error) {
	log := a.logs.named("password_reset")
	c, err := a.verifyPurpose(ctx, raw, PurposePasswordReset)
	if err != nil {
		return nil, err
	}
	if err := a.checkResetNotVoid(ctx, c); err != nil {
		return nil, err
	}
	if err := a.checkNewPassword(newPassword); err != nil {
		return nil, err
	}
	u, err := a.purposeUser(ctx, c)
	if err != nil {
		log.ErrorContext(ctx, "Reset token for a missing user", "sub", c.Subject)
		return nil, err
	}
	if err := a.consume(ctx, raw, c); err != nil {
		return nil, err
	}
	if !u.Active {
		log.WarnContext(ctx, "Password reset for a deactivated user", "user_id", u.ID)
		return nil, ErrInvalidToken
	}
	if err := a.setPassword(ctx, u.ID, newPassword); err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "Password reset completed", "user_id", u.ID)
	if h := a.cfg.Hooks.AfterPasswordReset; h != nil {
		a.call(ctx, "after_password_reset", func() error { return h(ctx, u) })
	}
	return u, nil
}

// checkResetNotVoid refuses the reset token c if the user's tokens were
// voided (revokeUser) in or after the second it was issued. Unlike access
// tokens, a reset token of that very second is refused too: a new link is
// one request away, a revived old one is an account lost.
func (a *Auth) checkResetNotVoid(ctx context.Context, c *token.Claims) error {
	vals, err := a.kv.Get(ctx, keyUserVoid+c.Subject)
	if err != nil {
		return unavailable("reset token check", err)
	}
	if second, ok := voidSecond(vals[0]); ok && c.IssuedAt <= second {
		a.logs.named("password_reset").WarnContext(ctx, "Reset token issued before the password last changed", "sub", c.Subject)
		return ErrInvalidToken
	}
	return nil
}

// setPassword stores a new password and ends every session of the user.
func (a *Auth) setPassword(ctx context.Context, userID, pw string) error {
	hash, err := a.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	if err := a.store.SetPasswordHash(ctx, userID, hash); err != nil {
		return err
	}
	return a.revokeUser(ctx, userID)
}
