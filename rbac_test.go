package fullauth_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/fullauth/fullauth"
)

func TestRolesAndPermissions(t *testing.T) {
	e := newEnv(t, nil)
	admin, err := e.auth.CreateSuperuser(t.Context(), "root@example.com", "x")
	if err != nil {
		t.Fatal(err)
	}
	u := e.mustRegister(t, "editor@example.com")
	ctx := t.Context()

	if ok, _ := e.auth.HasRole(ctx, u, "editor"); ok {
		t.Fatal("HasRole before assignment = true")
	}
	if ok, _ := e.auth.HasRole(ctx, admin, "anything"); !ok {
		t.Error("a superuser lacks a role; superusers pass every role check")
	}
	if err := e.auth.AssignRole(ctx, admin, u.ID, "editor"); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.AssignRole(ctx, admin, u.ID, "editor"); err != nil {
		t.Errorf("assigning a role twice err = %v, want nil (idempotent)", err)
	}
	wantErr(t, "AssignRole to an unknown user", e.auth.AssignRole(ctx, admin, "0190a000-0000-7000-8000-00000000beef", "editor"), fullauth.ErrNotFound)
	var ve *fullauth.ValidationError
	if err := e.auth.AssignRole(ctx, admin, u.ID, ""); !errors.As(err, &ve) {
		t.Errorf("AssignRole(\"\") err = %v, want *ValidationError", err)
	}
	if ok, _ := e.auth.HasRole(ctx, u, "viewer", "editor"); !ok {
		t.Error("HasRole(any of viewer, editor) = false after assigning editor")
	}

	if ok, _ := e.auth.HasPermission(ctx, u, "posts:write"); ok {
		t.Error("HasPermission before granting = true")
	}
	if err := e.auth.AssignPermission(ctx, admin, "editor", "posts:write"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.auth.HasPermission(ctx, u, "posts:delete", "posts:write"); !ok {
		t.Error("HasPermission(any of) = false after granting posts:write to editor")
	}
	perms, _ := e.auth.RolePermissions(ctx, "editor")
	if !slices.Equal(perms, []string{"posts:write"}) {
		t.Errorf("RolePermissions(editor) = %v", perms)
	}
	if perms, _ := e.auth.RolePermissions(ctx, "nobody"); perms == nil || len(perms) != 0 {
		t.Errorf("RolePermissions(unknown) = %#v, want an empty list", perms)
	}

	// Revocation takes effect at once: decisions read the store, not the
	// token's roles claim.
	if err := e.auth.RemoveRole(ctx, admin, u.ID, "editor"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.auth.HasRole(ctx, u, "editor"); ok {
		t.Error("HasRole after RemoveRole = true")
	}
	if ok, _ := e.auth.HasPermission(ctx, u, "posts:write"); ok {
		t.Error("HasPermission after the role was removed = true")
	}
	if err := e.auth.RemovePermission(ctx, admin, "ghost", "nothing"); err != nil {
		t.Errorf("RemovePermission of an absent link err = %v, want nil", err)
	}
}

// rolesOnly hides every capability of the memory store but roles.
type rolesOnly struct {
	fullauth.Store
	fullauth.RoleStore
}

func TestPermissionsNeedAPermissionStore(t *testing.T) {
	base := newEnv(t, nil)
	a, err := fullauth.New(rolesOnly{base.store, base.store}, fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	if !a.SupportsRoles() || a.SupportsPermissions() || a.SupportsSessions() {
		t.Errorf("supports roles %v, permissions %v, sessions %v; want true, false, false", a.SupportsRoles(), a.SupportsPermissions(), a.SupportsSessions())
	}
	u := &fullauth.User{ID: "u1"}
	_, err = a.HasPermission(t.Context(), u, "x")
	wantErr(t, "HasPermission without a PermissionStore", err, fullauth.ErrUnsupported)
	if ok, err := a.HasPermission(t.Context(), &fullauth.User{Superuser: true}, "x"); !ok || err != nil {
		t.Errorf("superuser HasPermission = %v, %v; want true", ok, err)
	}
}

// Roles go into the roles claim of tokens issued after they were assigned
// (informational: decisions read the store).
func TestRolesClaim(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.auth.CreateSuperuser(t.Context(), "root@example.com", "x")
	u := e.mustRegister(t, "claims@example.com")
	for _, r := range []string{"viewer", "editor"} {
		if err := e.auth.AssignRole(t.Context(), admin, u.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	pair := e.mustLogin(t, "claims@example.com")
	_, c, err := e.auth.Authenticate(t.Context(), pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Roles, []string{"editor", "viewer"}) {
		t.Errorf("roles claim = %v, want [editor viewer]", c.Roles)
	}
	refreshed, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.auth.RemoveRole(t.Context(), admin, u.ID, "viewer"); err != nil {
		t.Fatal(err)
	}
	again, err := e.auth.Refresh(t.Context(), refreshed.RefreshToken, client)
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ = e.auth.Authenticate(t.Context(), again.AccessToken)
	if !slices.Equal(c.Roles, []string{"editor"}) {
		t.Errorf("roles claim after removing viewer = %v, want [editor]", c.Roles)
	}
}
