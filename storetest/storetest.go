// Package storetest checks implementations of [fullauth.Store] and
// [fullauth.KV] against the contracts written in the root package's store.go
// and kv.go, in the way testing/fstest checks an fs.FS.
//
// A backend's own test calls [Run] with a constructor, and the suite does the
// rest:
//
//	func TestStore(t *testing.T) {
//		db := openTestDB(t) // one database for the whole test
//		storetest.Run(t, func(t *testing.T) fullauth.Store {
//			return mystore.New(db)
//		})
//	}
//
// Run checks the required [fullauth.Store] methods and then, for each optional
// capability the store implements ([fullauth.RoleStore],
// [fullauth.PermissionStore], [fullauth.SessionStore], [fullauth.OAuthStore],
// [fullauth.PasskeyStore], [fullauth.UserListStore]), a sub-suite for it. A capability the store lacks
// is reported as a skipped subtest. [RunKV] does the same for a KV.
//
// # Shared data
//
// The constructor is called once per subtest and may hand back stores that
// share their data, such as one SQL database or one Redis server. The suite
// never assumes a store is empty: every subtest makes its own users, emails,
// token hashes, family ids, role and permission names, provider ids,
// credential ids and KV keys from fresh random values, and only looks at what
// it made. It also deletes nothing it did not create, so it may run against a
// database holding other data (though a scratch one is better).
//
// # What the suite assumes about values
//
//   - User and passkey IDs are UUIDs (version 7 for users, version 4 for
//     passkeys), so stores with UUID key columns work.
//   - Emails it stores are already normalised (trimmed and lower-cased), as
//     the flows pass them; it looks them up in other cases.
//   - Times are whole seconds, sometimes in a zone other than UTC, and are
//     compared with [time.Time.Equal]: a store must keep the instant to at
//     least one-second precision, but need not keep the location or the
//     monotonic reading. Zero times (never used, unknown expiry) must come
//     back as zero.
//   - Strings fit the column sizes of CONTRACT.md §17.7.
//   - "Sorted" means byte-wise order, as [slices.Sort] sorts; role names in
//     the suite mix cases so that a collation-ordered query is caught.
//
// Timing: the KV suite sleeps for a few hundred milliseconds to watch keys
// expire. It asserts nothing about how fast a store is; where a slow machine
// would make a check meaningless it skips that check instead of failing.
package storetest

import (
	"testing"

	"github.com/fullauth/fullauth"
)

// Run checks a fullauth.Store against the contract in store.go, then runs a
// sub-suite for every optional capability the store implements (RoleStore,
// PermissionStore, SessionStore, OAuthStore, PasskeyStore, UserListStore),
// fstest-style.
// newStore is called for each subtest and may return a store sharing data
// with earlier calls (e.g. one SQL database): the suite therefore uses unique
// random emails, ids and hashes in every subtest and never assumes the store
// is empty.
func Run(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Helper()
	probe := newStore(t)
	if probe == nil {
		t.Fatal("newStore returned nil")
	}

	t.Run("Users", func(t *testing.T) { testUsers(t, newStore) })
	t.Run("Passwords", func(t *testing.T) { testPasswords(t, newStore) })
	t.Run("RefreshTokens", func(t *testing.T) { testRefreshTokens(t, newStore) })
	t.Run("DeleteUser", func(t *testing.T) { testDeleteUser(t, newStore) })

	capability[fullauth.PasswordHashSwapper](t, probe, "PasswordHashSwapper", func(t *testing.T) { testPasswordSwap(t, newStore) })
	capability[fullauth.RoleStore](t, probe, "Roles", func(t *testing.T) { testRoles(t, newStore) })
	capability[fullauth.PermissionStore](t, probe, "Permissions", func(t *testing.T) { testPermissions(t, newStore) })
	capability[fullauth.SessionStore](t, probe, "Sessions", func(t *testing.T) { testSessions(t, newStore) })
	capability[fullauth.OAuthStore](t, probe, "OAuth", func(t *testing.T) { testOAuth(t, newStore) })
	capability[fullauth.PasskeyStore](t, probe, "Passkeys", func(t *testing.T) { testPasskeys(t, newStore) })
	capability[fullauth.UserListStore](t, probe, "UserList", func(t *testing.T) { testUserList(t, newStore) })
}

// RunKV checks a fullauth.KV against the contract in kv.go. newKV is called
// for each subtest and may return KVs sharing data (one Redis); the suite
// uses unique random keys.
func RunKV(t *testing.T, newKV func(t *testing.T) fullauth.KV) {
	t.Helper()
	if newKV(t) == nil {
		t.Fatal("newKV returned nil")
	}
	testKV(t, newKV)
}

// capability runs suite as the subtest name when probe implements C, and
// otherwise records a skipped subtest so the report shows what was left out.
func capability[C any](t *testing.T, probe fullauth.Store, name string, suite func(t *testing.T)) {
	t.Helper()
	if _, ok := probe.(C); ok {
		t.Run(name, suite)
		return
	}
	t.Run(name, func(t *testing.T) {
		t.Skipf("store %T does not implement %s", probe, typeName[C]())
	})
}

// as returns s as capability C, failing the test if newStore handed back a
// store of a different kind than the one probed at the start.
func as[C any](t *testing.T, s fullauth.Store) C {
	t.Helper()
	c, ok := s.(C)
	if !ok {
		t.Fatalf("store %T does not implement %s, but the first store newStore returned did", s, typeName[C]())
	}
	return c
}
