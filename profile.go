package fullauth

import (
	"context"
	"unicode/utf8"
)

// ProfileUpdate holds what users may change about themselves. Privileged
// fields (email, roles, flags) are not in it, so no request body can reach
// them. A nil field is left as is.
type ProfileUpdate struct {
	DisplayName *string
}

// maxDisplayName is the width of the display_name column.
const maxDisplayName = 100

// UpdateProfile applies upd to the user. An update with nothing set returns
// ErrNoFieldsToUpdate.
func (a *Auth) UpdateProfile(ctx context.Context, userID string, upd ProfileUpdate) (*User, error) {
	if upd.DisplayName == nil {
		return nil, ErrNoFieldsToUpdate
	}
	if name := *upd.DisplayName; utf8.RuneCountInString(name) > maxDisplayName || !validText(name) {
		return nil, &ValidationError{Field: "display_name", Message: "display_name must be valid text of at most 100 characters"}
	}
	u, err := a.store.UpdateUser(ctx, userID, UserUpdate{DisplayName: upd.DisplayName})
	if err != nil {
		return nil, err
	}
	a.changed(ctx, u.ID)
	return u, nil
}

// DeleteUser ends every session of the user and deletes the account with
// everything stored for it. Its access tokens stop working because the
// user is gone.
func (a *Auth) DeleteUser(ctx context.Context, u *User) error {
	if err := a.revokeSessions(ctx, TokenSelector{UserID: u.ID}); err != nil {
		return err
	}
	if err := a.store.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	a.changed(ctx, u.ID)
	a.logs.named("account").WarnContext(ctx, "Account deleted", "user_id", u.ID, "email", u.Email)
	return nil
}

// ChangePassword sets a new password for u. A user with a password must
// give it as current (ErrWrongPassword otherwise, checked before the
// policy); an OAuth-only user sets a first password without one. Every
// session of the user ends, and their access tokens stop working.
func (a *Auth) ChangePassword(ctx context.Context, u *User, current, newPassword string) error {
	log := a.logs.named("change_password")
	hash, err := a.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return err
	}
	if hash != "" {
		ok := false
		if current != "" && len(current) <= MaxPasswordBytes {
			if ok, err = a.hasher.Verify(ctx, hash, current); err != nil {
				return err
			}
		}
		if !ok {
			log.WarnContext(ctx, "Password change with a wrong current password", "user_id", u.ID)
			return ErrWrongPassword
		}
	}
	if err := a.checkNewPassword(newPassword); err != nil {
		return err
	}
	if err := a.setPassword(ctx, u.ID, newPassword); err != nil {
		return err
	}
	log.InfoContext(ctx, "Password changed", "user_id", u.ID)
	if h := a.cfg.Hooks.AfterPasswordChange; h != nil {
		a.call(ctx, "after_password_change", func() error { return h(ctx, u) })
	}
	return nil
}
