package storetest

import (
	"testing"

	"github.com/fullauth/fullauth"
)

// roleNames returns three fresh role names with a common prefix, listed in
// byte-wise sorted order. One starts with an upper-case letter, which sorts
// before the lower-case ones byte-wise but after them under most linguistic
// collations.
func roleNames() []string {
	p := newName("role")
	return []string{p + "-Zulu", p + "-alpha", p + "-bravo"}
}

func mustRoles(t *testing.T, rs fullauth.RoleStore, userID string) []string {
	t.Helper()
	got, err := rs.Roles(ctx(t), userID)
	mustNil(t, "Roles", err)
	return got
}

func testRoles(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("AddSorted", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		u := mustCreateUser(t, s)
		names := roleNames()
		for _, i := range []int{2, 0, 1} {
			mustNil(t, "AddRole("+names[i]+")", rs.AddRole(ctx(t), u.ID, names[i]))
		}
		wantList(t, "Roles() (sorted byte-wise, as slices.Sort does)", mustRoles(t, rs, u.ID), names)
	})

	t.Run("NoneIsEmptySlice", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		u := mustCreateUser(t, s)
		got := mustRoles(t, rs, u.ID)
		if got == nil || len(got) != 0 {
			t.Errorf("Roles(user without roles) = %#v, want []string{} (empty, not nil)", got)
		}
	})

	t.Run("AddIdempotent", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		u := mustCreateUser(t, s)
		role := newName("role")
		for range 3 {
			mustNil(t, "AddRole", rs.AddRole(ctx(t), u.ID, role))
		}
		wantList(t, "Roles() after adding one role three times", mustRoles(t, rs, u.ID), []string{role})
	})

	t.Run("SharedByUsers", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		a, b := mustCreateUser(t, s), mustCreateUser(t, s)
		names := roleNames()
		mustNil(t, "AddRole(a)", rs.AddRole(ctx(t), a.ID, names[0]))
		mustNil(t, "AddRole(a)", rs.AddRole(ctx(t), a.ID, names[1]))
		mustNil(t, "AddRole(b)", rs.AddRole(ctx(t), b.ID, names[1]))
		wantList(t, "Roles(a)", mustRoles(t, rs, a.ID), names[:2])
		wantList(t, "Roles(b)", mustRoles(t, rs, b.ID), names[1:2])
	})

	t.Run("AddToMissingUser", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		id := newUserID()
		wantErr(t, "AddRole(missing user)", rs.AddRole(ctx(t), id, newName("role")), nil)
		if got, err := rs.Roles(ctx(t), id); err != nil || len(got) != 0 {
			t.Errorf("Roles(missing user) = %q, %v; want none, nil", got, err)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		a, b := mustCreateUser(t, s), mustCreateUser(t, s)
		names := roleNames()
		for _, r := range names {
			mustNil(t, "AddRole(a)", rs.AddRole(ctx(t), a.ID, r))
		}
		mustNil(t, "AddRole(b)", rs.AddRole(ctx(t), b.ID, names[1]))

		mustNil(t, "RemoveRole", rs.RemoveRole(ctx(t), a.ID, names[1]))
		wantList(t, "Roles(a) after RemoveRole", mustRoles(t, rs, a.ID), []string{names[0], names[2]})
		wantList(t, "Roles(b) after RemoveRole(a, shared role)", mustRoles(t, rs, b.ID), names[1:2])

		wantErr(t, "RemoveRole(again)", rs.RemoveRole(ctx(t), a.ID, names[1]), nil)
		wantErr(t, "RemoveRole(unknown role)", rs.RemoveRole(ctx(t), a.ID, newName("role")), nil)
		wantErr(t, "RemoveRole(missing user)", rs.RemoveRole(ctx(t), newUserID(), names[0]), nil)
		wantList(t, "Roles(a) after no-op removals", mustRoles(t, rs, a.ID), []string{names[0], names[2]})

		// A removed role can be added back.
		mustNil(t, "AddRole(removed role)", rs.AddRole(ctx(t), a.ID, names[1]))
		wantList(t, "Roles(a) after adding back", mustRoles(t, rs, a.ID), names)
	})

	t.Run("ConcurrentAdd", func(t *testing.T) {
		// The role is new: every caller may try to create it at once, and
		// a concurrent duplicate link counts as success.
		s := newStore(t)
		rs := as[fullauth.RoleStore](t, s)
		users := []*fullauth.User{mustCreateUser(t, s), mustCreateUser(t, s), mustCreateUser(t, s), mustCreateUser(t, s)}
		role := newName("role")
		race(raceN, func(i int) {
			u := users[i%len(users)]
			if err := rs.AddRole(ctx(t), u.ID, role); err != nil {
				t.Errorf("concurrent AddRole err = %v, want nil", err)
			}
		})
		for _, u := range users {
			wantList(t, "Roles() after concurrent AddRole", mustRoles(t, rs, u.ID), []string{role})
		}
	})
}

func mustRolePermissions(t *testing.T, ps fullauth.PermissionStore, role string) []string {
	t.Helper()
	got, err := ps.RolePermissions(ctx(t), role)
	mustNil(t, "RolePermissions", err)
	return got
}

func mustUserPermissions(t *testing.T, ps fullauth.PermissionStore, userID string) []string {
	t.Helper()
	got, err := ps.UserPermissions(ctx(t), userID)
	mustNil(t, "UserPermissions", err)
	return got
}

// permNames returns n fresh permission names in sorted order.
func permNames(n int) []string {
	p := "st:" + randomHex(6) + ":"
	out := make([]string, n)
	for i := range out {
		out[i] = p + string(rune('a'+i))
	}
	return out
}

func testPermissions(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("RolePermissions", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PermissionStore](t, s)
		role, perms := newName("role"), permNames(3)
		for _, i := range []int{2, 0, 1, 0} {
			mustNil(t, "AddPermission", ps.AddPermission(ctx(t), role, perms[i]))
		}
		wantList(t, "RolePermissions() (sorted, each once)", mustRolePermissions(t, ps, role), perms)
	})

	t.Run("UnknownRole", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PermissionStore](t, s)
		wantList(t, "RolePermissions(unknown role)", mustRolePermissions(t, ps, newName("role")), nil)
	})

	t.Run("Remove", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PermissionStore](t, s)
		r1, r2, perms := newName("role"), newName("role"), permNames(2)
		for _, r := range []string{r1, r2} {
			for _, p := range perms {
				mustNil(t, "AddPermission", ps.AddPermission(ctx(t), r, p))
			}
		}
		mustNil(t, "RemovePermission", ps.RemovePermission(ctx(t), r1, perms[0]))
		wantList(t, "RolePermissions(r1) after RemovePermission", mustRolePermissions(t, ps, r1), perms[1:])
		wantList(t, "RolePermissions(r2) after RemovePermission(r1, …)", mustRolePermissions(t, ps, r2), perms)

		wantErr(t, "RemovePermission(absent link)", ps.RemovePermission(ctx(t), r1, perms[0]), nil)
		wantErr(t, "RemovePermission(unknown permission)", ps.RemovePermission(ctx(t), r1, permNames(1)[0]), nil)
		wantErr(t, "RemovePermission(unknown role)", ps.RemovePermission(ctx(t), newName("role"), perms[1]), nil)
		wantList(t, "RolePermissions(r1) after no-op removals", mustRolePermissions(t, ps, r1), perms[1:])

		mustNil(t, "AddPermission(removed)", ps.AddPermission(ctx(t), r1, perms[0]))
		wantList(t, "RolePermissions(r1) after adding back", mustRolePermissions(t, ps, r1), perms)
	})

	t.Run("ConcurrentAdd", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PermissionStore](t, s)
		roles, perms := []string{newName("role"), newName("role")}, permNames(2)
		race(raceN, func(i int) {
			if err := ps.AddPermission(ctx(t), roles[i%2], perms[(i/2)%2]); err != nil {
				t.Errorf("concurrent AddPermission err = %v, want nil", err)
			}
		})
		for _, r := range roles {
			wantList(t, "RolePermissions() after concurrent AddPermission", mustRolePermissions(t, ps, r), perms)
		}
	})

	t.Run("UserPermissions", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PermissionStore](t, s)
		rs, ok := s.(fullauth.RoleStore)
		if !ok {
			t.Skipf("store %T implements PermissionStore but not RoleStore, so users cannot hold roles", s)
		}
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		wantList(t, "UserPermissions(user without roles)", mustUserPermissions(t, ps, u.ID), nil)
		wantList(t, "UserPermissions(missing user)", mustUserPermissions(t, ps, newUserID()), nil)

		r1, r2, r3, bare := newName("role"), newName("role"), newName("role"), newName("role")
		perms := permNames(4)
		// r1: a b c, r2: b d, r3 (not held): a d; bare has none.
		for _, l := range []struct{ role, perm string }{
			{r1, perms[2]}, {r1, perms[0]}, {r1, perms[1]},
			{r2, perms[3]}, {r2, perms[1]},
			{r3, perms[0]}, {r3, perms[3]},
		} {
			mustNil(t, "AddPermission", ps.AddPermission(ctx(t), l.role, l.perm))
		}
		// AddPermission created r1 and r2; AddRole links those same roles.
		for _, r := range []string{r1, r2, bare} {
			mustNil(t, "AddRole", rs.AddRole(ctx(t), u.ID, r))
		}
		mustNil(t, "AddRole(other)", rs.AddRole(ctx(t), other.ID, r3))
		wantList(t, "UserPermissions() (sorted union, each once)", mustUserPermissions(t, ps, u.ID), perms)
		wantList(t, "UserPermissions(other)", mustUserPermissions(t, ps, other.ID), []string{perms[0], perms[3]})

		mustNil(t, "RemoveRole(r2)", rs.RemoveRole(ctx(t), u.ID, r2))
		wantList(t, "UserPermissions() after RemoveRole", mustUserPermissions(t, ps, u.ID), perms[:3])
		mustNil(t, "RemovePermission(r1, b)", ps.RemovePermission(ctx(t), r1, perms[1]))
		wantList(t, "UserPermissions() after RemovePermission", mustUserPermissions(t, ps, u.ID), []string{perms[0], perms[2]})
	})
}
