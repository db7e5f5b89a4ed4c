package fullauth

import "context"

// MaxUserPage is the largest page ListUsers serves.
const MaxUserPage = 200

// SupportsUserList reports whether the store can list users
// ([UserListStore]).
func (a *Auth) SupportsUserList() bool {
	_, ok := a.store.(UserListStore)
	return ok
}

// ListUsers returns a page of users for an administrator, with the total
// number matching. A limit outside 1..MaxUserPage or a negative offset is
// a *ValidationError.
func (a *Auth) ListUsers(ctx context.Context, q UserQuery) ([]User, int, error) {
	lister, ok := a.store.(UserListStore)
	if !ok {
		return nil, 0, ErrUnsupported
	}
	switch {
	case q.Limit < 1 || q.Limit > MaxUserPage:
		return nil, 0, &ValidationError{Field: "limit", Message: "limit must be between 1 and " + itoa(MaxUserPage)}
	case q.Offset < 0:
		return nil, 0, &ValidationError{Field: "offset", Message: "offset must not be negative"}
	case !validText(q.EmailContains):
		return nil, 0, &ValidationError{Field: "email", Message: "email must be text"}
	}
	return lister.ListUsers(ctx, q)
}

// User returns a user by id, for administrators; ErrNotFound if absent.
func (a *Auth) User(ctx context.Context, id string) (*User, error) {
	return a.store.User(ctx, id)
}

// SetActive activates or deactivates an account. Deactivation ends every
// session of the user at once, access tokens included; the user can no
// longer sign in. by is the administrator, for the log.
func (a *Auth) SetActive(ctx context.Context, by *User, userID string, active bool) (*User, error) {
	u, err := a.store.UpdateUser(ctx, userID, UserUpdate{Active: &active})
	if err != nil {
		return nil, err
	}
	// The marks go under the id as the store spells it, which is the one
	// tokens carry: a store may accept other spellings of it (SQL stores
	// take upper-case or unhyphenated UUIDs).
	a.changed(ctx, u.ID)
	if !active {
		if err := a.revokeUser(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	a.logs.named("admin").InfoContext(ctx, "Account active state changed", "user_id", u.ID, "active", active, "by", by.ID)
	return u, nil
}

// AdminDeleteUser deletes an account for an administrator: every session
// ends and everything stored for the user goes. ErrNotFound if absent.
func (a *Auth) AdminDeleteUser(ctx context.Context, by *User, userID string) error {
	u, err := a.store.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := a.DeleteUser(ctx, u); err != nil {
		return err
	}
	a.logs.named("admin").WarnContext(ctx, "Account deleted by an administrator", "user_id", u.ID, "by", by.ID)
	return nil
}
