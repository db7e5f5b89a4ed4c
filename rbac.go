package fullauth

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// SupportsRoles reports whether the store keeps roles ([RoleStore]).
func (a *Auth) SupportsRoles() bool { return a.roles != nil }

// SupportsPermissions reports whether the store grants permissions to roles
// ([PermissionStore]); permissions need roles too.
func (a *Auth) SupportsPermissions() bool { return a.roles != nil && a.perms != nil }

// HasRole reports whether u may act in any of the roles: superusers may,
// others need one of them among [Auth.UserRoles]: the roles loaded with u
// when it came from [Auth.Authenticate] with the user cache on (as current
// as the user itself: a change made through any Auth shows on the next
// request), and otherwise the roles as stored now. Authorization never
// trusts the roles claim of a token, so removing a role takes effect on the
// next request, not when the token expires.
func (a *Auth) HasRole(ctx context.Context, u *User, roles ...string) (bool, error) {
	if u.Superuser {
		return true, nil
	}
	if a.roles == nil {
		return false, nil
	}
	var have []string
	if u.roles != nil {
		have = *u.roles // read-only here, so not cloned as UserRoles does
	} else {
		var err error
		if have, err = a.roles.Roles(ctx, u.ID); err != nil {
			return false, err
		}
	}
	for _, r := range roles {
		if slices.Contains(have, r) {
			return true, nil
		}
	}
	return false, nil
}

// HasPermission reports whether u holds any of the permissions through its
// roles as stored now; superusers hold every permission. Without a
// PermissionStore it returns ErrUnsupported for anyone but a superuser.
func (a *Auth) HasPermission(ctx context.Context, u *User, perms ...string) (bool, error) {
	if u.Superuser {
		return true, nil
	}
	if !a.SupportsPermissions() {
		return false, ErrUnsupported
	}
	have, err := a.perms.UserPermissions(ctx, u.ID)
	if err != nil {
		return false, err
	}
	for _, p := range perms {
		if slices.Contains(have, p) {
			return true, nil
		}
	}
	return false, nil
}

// AssignRole gives the user a role, creating the role if needed. An
// unknown user is ErrNotFound. by is the administrator, for the log.
func (a *Auth) AssignRole(ctx context.Context, by *User, userID, role string) error {
	if a.roles == nil {
		return ErrUnsupported
	}
	if err := validName("role", role, 100); err != nil {
		return err
	}
	u, err := a.store.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := a.roles.AddRole(ctx, u.ID, role); err != nil {
		return err
	}
	a.changed(ctx, u.ID) // the id as tokens carry it, as in SetActive
	a.logs.named("admin").InfoContext(ctx, "Role assigned", "role", role, "user_id", u.ID, "by", by.ID)
	return nil
}

// RemoveRole takes a role from the user; removing an absent role is a no-op.
func (a *Auth) RemoveRole(ctx context.Context, by *User, userID, role string) error {
	if a.roles == nil {
		return ErrUnsupported
	}
	if validName("role", role, 100) != nil {
		return nil // a name no role can have is absent, whatever the store's collation makes of it
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil // nobody to take it from
	} else if err != nil {
		return err
	}
	if err := a.roles.RemoveRole(ctx, u.ID, role); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	a.changed(ctx, u.ID) // the id as tokens carry it, as in SetActive
	a.logs.named("admin").InfoContext(ctx, "Role removed", "role", role, "user_id", u.ID, "by", by.ID)
	return nil
}

// AssignPermission grants a permission to a role, creating both if needed.
func (a *Auth) AssignPermission(ctx context.Context, by *User, role, permission string) error {
	if !a.SupportsPermissions() {
		return ErrUnsupported
	}
	if err := validName("role", role, 100); err != nil {
		return err
	}
	if err := validName("permission", permission, 200); err != nil {
		return err
	}
	if err := a.perms.AddPermission(ctx, role, permission); err != nil {
		return err
	}
	a.logs.named("admin").InfoContext(ctx, "Permission assigned", "permission", permission, "role", role, "by", by.ID)
	return nil
}

// RemovePermission withdraws a permission from a role; a no-op when absent.
func (a *Auth) RemovePermission(ctx context.Context, by *User, role, permission string) error {
	if !a.SupportsPermissions() {
		return ErrUnsupported
	}
	if validName("role", role, 100) != nil || validName("permission", permission, 200) != nil {
		return nil // as in RemoveRole
	}
	if err := a.perms.RemovePermission(ctx, role, permission); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	a.logs.named("admin").InfoContext(ctx, "Permission removed", "permission", permission, "role", role, "by", by.ID)
	return nil
}

// RolePermissions lists a role's permissions; an unknown role has none.
func (a *Auth) RolePermissions(ctx context.Context, role string) ([]string, error) {
	if !a.SupportsPermissions() {
		return nil, ErrUnsupported
	}
	perms, err := a.perms.RolePermissions(ctx, role)
	if perms == nil && err == nil {
		perms = []string{}
	}
	return perms, err
}

// validName refuses role and permission names that are empty, too long for
// their column, or not storable text.
func validName(field, name string, maxLen int) error {
	if name == "" || len([]rune(name)) > maxLen || !validText(name) {
		return &ValidationError{Field: field, Message: field + " must be 1 to " + itoa(maxLen) + " characters of text"}
	}
	// MySQL compares such names padded with spaces, so "admin " would be
	// "admin" there and not elsewhere.
	if strings.TrimSpace(name) != name {
		return &ValidationError{Field: field, Message: field + " must not begin or end with white space"}
	}
	return nil
}
