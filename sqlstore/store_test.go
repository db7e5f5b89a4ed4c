package sqlstore_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/sqlstore"
)

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUser(t *testing.T, s *sqlstore.Store) *fullauth.User {
	t.Helper()
	u := &fullauth.User{
		Email:     "u-" + randHex(6) + "@example.com",
		Active:    true,
		CreatedAt: time.Now().Add(-time.Hour),
	}
	if err := s.CreateUser(t.Context(), u, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

func newToken(userID, family string, created, expires time.Time) *fullauth.RefreshToken {
	return &fullauth.RefreshToken{
		Hash: randHex(32), UserID: userID, FamilyID: family,
		ExpiresAt: expires, CreatedAt: created,
		UserAgent: "agent-" + randHex(2), IPAddress: "203.0.113.7",
	}
}

var hostileIDs = []string{
	"",
	"not-a-uuid",
	"1",
	"-1",
	"1 OR 1=1",
	"' OR '1'='1",
	"'; DROP TABLE fullauth_users; --",
	`"); DELETE FROM fullauth_users; --`,
	"0190b2f4-3c1e-7a2b-8c3d-4e5f6071829",   // 35 characters
	"0190b2f4-3c1e-7a2b-8c3d-4e5f607182939", // 37 characters
	"0190b2f4-3c1e-7a2b-8c3d-4e5f6071829g",
	"{0190b2f4-3c1e-7a2b-8c3d-4e5f60718293}",
	"urn:uuid:0190b2f4-3c1e-7a2b-8c3d-4e5f60718293",
	" 0190b2f4-3c1e-7a2b-8c3d-4e5f60718293",
	"0190b2f4_3c1e_7a2b_8c3d_4e5f60718293",
	"01234567-89ab-cdef-0123-456789abcdef", // a UUID of no RFC variant, and absent
	"00000000-0000-0000-0000-000000000000",
	strings.Repeat("a", 100000),
	strings.Repeat("0", 32) + "\x00",
	"\x00",
	"\xff\xfe\xfd",
	"%",
	"_",
	"?",
	"$1",
	"ünïcødé-🙂",
}

// hostileText is text that can never be stored, as lookup keys.
var hostileText = []string{"\x00", "a\x00b", "\xff\xfe", strings.Repeat("x", 100000), "' OR 1=1 --", "%", "?"}

// TestHostileInput: ids and keys that are not what the store keeps find
// nothing, and never surface as a driver error (which would be a 500).
func TestHostileInput(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		victim := newUser(t, s)
		rt := newToken(victim.ID, randHex(16), time.Now(), time.Now().Add(time.Hour))
		if err := s.SaveRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		notFound := func(call string, err error) {
			t.Helper()
			if !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("%s err = %v, want ErrNotFound", call, err)
			}
		}
		ok := func(call string, err error) {
			t.Helper()
			if err != nil {
				t.Errorf("%s err = %v, want nil", call, err)
			}
		}
		for _, id := range hostileIDs {
			q := fmt.Sprintf("%.40q", id)
			_, err := s.User(ctx, id)
			notFound("User("+q+")", err)
			_, err = s.PasswordHash(ctx, id)
			notFound("PasswordHash("+q+")", err)
			notFound("SetPasswordHash("+q+")", s.SetPasswordHash(ctx, id, "x"))
			email := "e@example.com"
			_, err = s.UpdateUser(ctx, id, fullauth.UserUpdate{Email: &email})
			notFound("UpdateUser("+q+")", err)
			ok("DeleteUser("+q+")", s.DeleteUser(ctx, id))

			roles, err := s.Roles(ctx, id)
			ok("Roles("+q+")", err)
			ok("AddRole("+q+")", s.AddRole(ctx, id, "admin"))
			ok("RemoveRole("+q+")", s.RemoveRole(ctx, id, "admin"))
			perms, err2 := s.UserPermissions(ctx, id)
			ok("UserPermissions("+q+")", err2)
			sessions, err3 := s.Sessions(ctx, id, time.Now())
			ok("Sessions("+q+")", err3)
			found, err4 := s.EndSession(ctx, id, rt.FamilyID)
			ok("EndSession("+q+")", err4)
			others, err5 := s.EndOtherSessions(ctx, id, rt.FamilyID)
			ok("EndOtherSessions("+q+")", err5)
			fams, err6 := s.RevokeRefreshTokens(ctx, fullauth.TokenSelector{UserID: id})
			if id == "" {
				// An empty selector is refused, not treated as "all users".
				if err6 == nil {
					t.Errorf("RevokeRefreshTokens(empty selector) err = nil, want an error")
				}
				fams = nil
			} else {
				ok("RevokeRefreshTokens(UserID "+q+")", err6)
			}
			accounts, err7 := s.OAuthAccounts(ctx, id)
			ok("OAuthAccounts("+q+")", err7)
			passkeys, err8 := s.Passkeys(ctx, id)
			ok("Passkeys("+q+")", err8)
			ok("DeletePasskey("+q+")", s.DeletePasskey(ctx, id))
			if len(roles)+len(perms)+len(sessions)+len(others)+len(fams)+len(accounts)+len(passkeys) != 0 || found {
				t.Errorf("id %s found something: %v %v %v %v %v %v %v %v", q, roles, perms, sessions, found, others, fams, accounts, passkeys)
			}
			err = s.SaveRefreshToken(ctx, newToken(id, "f", time.Now(), time.Now()))
			notFound("SaveRefreshToken(user "+q+")", err)
			_, err = s.CreateOAuthAccount(ctx, &fullauth.OAuthAccount{Provider: "p", ProviderUserID: randHex(4), UserID: id})
			notFound("CreateOAuthAccount(user "+q+")", err)
			notFound("SavePasskey(user "+q+")", s.SavePasskey(ctx, &fullauth.Passkey{UserID: id, CredentialID: randHex(8), PublicKey: "k"}))
		}
		for _, key := range hostileText {
			q := fmt.Sprintf("%.40q", key)
			_, err := s.UserByEmail(ctx, key)
			notFound("UserByEmail("+q+")", err)
			_, err = s.RefreshToken(ctx, key)
			notFound("RefreshToken("+q+")", err)
			notFound("RotateRefreshToken("+q+")", s.RotateRefreshToken(ctx, key, newToken(victim.ID, "f", time.Now(), time.Now())))
			fam, err := s.RefreshTokenFamily(ctx, key)
			ok("RefreshTokenFamily("+q+")", err)
			fams, err2 := s.RevokeRefreshTokens(ctx, fullauth.TokenSelector{FamilyID: key})
			ok("RevokeRefreshTokens(FamilyID "+q+")", err2)
			fams2, err3 := s.RevokeRefreshTokens(ctx, fullauth.TokenSelector{Hash: key})
			ok("RevokeRefreshTokens(Hash "+q+")", err3)
			found, err4 := s.EndSession(ctx, victim.ID, key)
			ok("EndSession(family "+q+")", err4)
			perms, err5 := s.RolePermissions(ctx, key)
			ok("RolePermissions("+q+")", err5)
			ok("RemoveRole(role "+q+")", s.RemoveRole(ctx, victim.ID, key))
			ok("RemovePermission("+q+")", s.RemovePermission(ctx, key, key))
			_, err = s.OAuthAccount(ctx, key, key)
			notFound("OAuthAccount("+q+")", err)
			notFound("UpdateOAuthAccount("+q+")", s.UpdateOAuthAccount(ctx, &fullauth.OAuthAccount{Provider: key, ProviderUserID: key}))
			ok("DeleteOAuthAccount("+q+")", s.DeleteOAuthAccount(ctx, key, key))
			_, err = s.PasskeyByCredentialID(ctx, key)
			notFound("PasskeyByCredentialID("+q+")", err)
			_, err = s.AdvanceSignCount(ctx, key, 5, time.Now())
			notFound("AdvanceSignCount("+q+")", err)
			if len(fam)+len(fams)+len(fams2)+len(perms) != 0 || found {
				t.Errorf("key %s found something: %v %v %v %v %v", q, fam, fams, fams2, perms, found)
			}
		}
		// Nothing was harmed.
		if u, err := s.User(ctx, victim.ID); err != nil || u.Email != victim.Email {
			t.Errorf("User(victim) = %v, %v after the hostile calls", u, err)
		}
		if got, err := s.RefreshToken(ctx, rt.Hash); err != nil || got.Revoked {
			t.Errorf("RefreshToken(victim's) = %+v, %v after the hostile calls; want live", got, err)
		}
	})
}

// TestRotateRace: of 32 concurrent rotations of one token exactly one wins
// and saves one successor; every loser answers ErrTokenReused only once the
// winner's commit is visible to it.
func TestRotateRace(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		u := newUser(t, s)
		family := randHex(16)
		now := time.Now()
		old := newToken(u.ID, family, now.Add(-time.Minute), now.Add(time.Hour))
		if err := s.SaveRefreshToken(ctx, old); err != nil {
			t.Fatal(err)
		}
		const n = 32
		errs := make([]error, n)
		seen := make([]int, n) // family rows a loser sees right after losing
		next := make([]*fullauth.RefreshToken, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			next[i] = newToken(u.ID, family, now, now.Add(time.Hour))
			wg.Go(func() {
				<-start
				errs[i] = s.RotateRefreshToken(ctx, old.Hash, next[i])
				if errors.Is(errs[i], fullauth.ErrTokenReused) {
					rows, err := s.RefreshTokenFamily(ctx, family)
					if err != nil {
						t.Error(err)
					}
					seen[i] = len(rows)
				}
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		var winner *fullauth.RefreshToken
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				winner = next[i]
			case errors.Is(err, fullauth.ErrTokenReused):
				if seen[i] != 2 {
					t.Errorf("loser %d saw %d family rows right after losing, want 2 (the winner's commit)", i, seen[i])
				}
			default:
				t.Errorf("RotateRefreshToken #%d err = %v, want nil or ErrTokenReused", i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("%d rotations won, want exactly 1", winners)
		}
		rows, err := s.RefreshTokenFamily(ctx, family)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Hash != old.Hash || !rows[0].Revoked || rows[1].Hash != winner.Hash || rows[1].Revoked {
			t.Errorf("family after the race = %+v, want the revoked original and the winner's live successor", rows)
		}
		for i := range n {
			if next[i] != winner {
				if _, err := s.RefreshToken(ctx, next[i].Hash); !errors.Is(err, fullauth.ErrNotFound) {
					t.Errorf("loser %d's successor was stored (err = %v)", i, err)
				}
			}
		}
	})
}

// TestSessionsAggregate checks the per-family figures of Sessions.
func TestSessionsAggregate(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		u := newUser(t, s)
		other := newUser(t, s)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		at := func(min int) time.Time { return now.Add(time.Duration(min) * time.Minute) }
		save := func(userID, family string, created, expires time.Time, revoked bool, ua string) *fullauth.RefreshToken {
			t.Helper()
			rt := newToken(userID, family, created, expires)
			rt.Revoked, rt.UserAgent = revoked, ua
			if err := s.SaveRefreshToken(ctx, rt); err != nil {
				t.Fatal(err)
			}
			return rt
		}
		// A: rotated twice; its newest row is live.
		save(u.ID, "A", at(-300), at(600), true, "a1")
		save(u.ID, "A", at(-200), at(600), true, "a2")
		a3 := save(u.ID, "A", at(-100), at(700), false, "a3")
		// B: the newest row is revoked but an older one is live (a replay
		// that has not been noticed): listed with the live row's details
		// and used at its latest row.
		b1 := save(u.ID, "B", at(-50), at(800), false, "b1")
		save(u.ID, "B", at(-10), at(900), true, "b2")
		// C: all rows revoked. D: the only live row expired.
		save(u.ID, "C", at(-5), at(900), true, "c")
		save(u.ID, "D", at(-400), at(-1), false, "d")
		// E: another user's family.
		save(other.ID, "E", at(-1), at(900), false, "e")

		got, err := s.Sessions(ctx, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []fullauth.Session{
			{FamilyID: "B", IPAddress: b1.IPAddress, UserAgent: "b1", CreatedAt: at(-50), LastUsedAt: at(-10), ExpiresAt: at(800)},
			{FamilyID: "A", IPAddress: a3.IPAddress, UserAgent: "a3", CreatedAt: at(-300), LastUsedAt: at(-100), ExpiresAt: at(700)},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Sessions =\n%+v\nwant\n%+v", got, want)
		}
	})
}

// TestStorageFormat checks what lands in the tables: SQLAlchemy's forms, so
// fastapi-fullauth can read a database this package wrote.
func TestStorageFormat(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, db := b.newStore(t)
		ctx := t.Context()
		created := time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.FixedZone("x", 5*3600+1800))
		u := &fullauth.User{Email: "fmt-" + randHex(4) + "@example.com", Active: true, CreatedAt: created}
		if err := s.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u.ID) {
			t.Errorf("generated id %q is not a canonical UUIDv7", u.ID)
		}
		var rawID, rawCreated string
		var hash *string
		query := "SELECT CAST(id AS CHAR(36)), CAST(created_at AS CHAR(40)), hashed_password FROM fullauth_users WHERE email = ?"
		if b.dialect == sqlstore.Postgres {
			query = "SELECT id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), hashed_password FROM fullauth_users WHERE email = $1"
		}
		if b.dialect == sqlstore.SQLite {
			query = "SELECT id, created_at || '', hashed_password FROM fullauth_users WHERE email = ?"
		}
		if err := db.QueryRow(query, u.Email).Scan(&rawID, &rawCreated, &hash); err != nil {
			t.Fatal(err)
		}
		wantID := strings.ReplaceAll(u.ID, "-", "")
		if b.dialect == sqlstore.Postgres {
			wantID = u.ID
		}
		if rawID != wantID {
			t.Errorf("stored id = %q, want %q", rawID, wantID)
		}
		if want := "2025-06-07 02:39:10.123456"; rawCreated != want {
			t.Errorf("stored created_at = %q, want %q (UTC, microseconds)", rawCreated, want)
		}
		if hash != nil {
			t.Errorf("stored hashed_password = %q, want NULL for no password", *hash)
		}
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := created.UTC().Truncate(time.Microsecond); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want)
		}
	})
}

// TestMySQLDSNOptions: times read back the same whatever parseTime and loc
// the DSN sets.
func TestMySQLDSNOptions(t *testing.T) {
	b := backends[2]
	driver, dsn := b.open(t)
	cfg := mysqlConfig(t, dsn)
	created := time.Date(2025, 6, 7, 8, 9, 10, 123456000, time.UTC)
	var id string
	for i, opts := range []struct {
		parseTime bool
		loc       string
	}{{true, "UTC"}, {false, "UTC"}, {true, "Asia/Kolkata"}, {true, "America/New_York"}} {
		c := cfg.Clone()
		c.ParseTime = opts.parseTime
		loc, err := time.LoadLocation(opts.loc)
		if err != nil {
			t.Skip(err)
		}
		c.Loc = loc
		s := sqlstore.New(openDSN(t, driver, c.FormatDSN()), sqlstore.MySQL)
		if i == 0 {
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			u := &fullauth.User{Email: "dsn@example.com", CreatedAt: created}
			if err := s.CreateUser(t.Context(), u, ""); err != nil {
				t.Fatal(err)
			}
			id = u.ID
		}
		u, err := s.User(t.Context(), id)
		if err != nil {
			t.Fatalf("parseTime=%v loc=%s: %v", opts.parseTime, opts.loc, err)
		}
		if !u.CreatedAt.Equal(created) {
			t.Errorf("parseTime=%v loc=%s: CreatedAt = %v, want %v", opts.parseTime, opts.loc, u.CreatedAt, created)
		}
	}
}

// TestConcurrentAddRole: concurrent grants of one new role all succeed.
func TestConcurrentAddRole(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		users := []*fullauth.User{newUser(t, s), newUser(t, s)}
		role := "Role-" + randHex(4)
		perm := "perm:" + randHex(4)
		var wg sync.WaitGroup
		const n = 16
		errs := make([]error, 2*n)
		for i := range n {
			wg.Go(func() { errs[i] = s.AddRole(ctx, users[i%2].ID, role) })
			wg.Go(func() { errs[n+i] = s.AddPermission(ctx, role, perm) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}
		for _, u := range users {
			if roles, err := s.Roles(ctx, u.ID); err != nil || !slices.Equal(roles, []string{role}) {
				t.Errorf("Roles = %q, %v; want [%s]", roles, err, role)
			}
			if perms, err := s.UserPermissions(ctx, u.ID); err != nil || !slices.Equal(perms, []string{perm}) {
				t.Errorf("UserPermissions = %q, %v; want [%s]", perms, err, perm)
			}
		}
	})
}

// TestCaseSensitiveKeys: emails ignore case; role names, credential ids and
// provider user ids do not, on every dialect.
func TestCaseSensitiveKeys(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		u := newUser(t, s)
		if got, err := s.UserByEmail(ctx, strings.ToUpper(u.Email)); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail(upper case) = %v, %v", got, err)
		}
		dup := &fullauth.User{Email: strings.ToUpper(u.Email)}
		if err := s.CreateUser(ctx, dup, ""); !errors.Is(err, fullauth.ErrExists) {
			t.Errorf("CreateUser(same email, other case) err = %v, want ErrExists", err)
		}
		for _, r := range []string{"Admin", "admin", "ADMIN"} {
			if err := s.AddRole(ctx, u.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		if roles, _ := s.Roles(ctx, u.ID); !slices.Equal(roles, []string{"ADMIN", "Admin", "admin"}) {
			t.Errorf("Roles = %q, want three roles differing in case, byte-sorted", roles)
		}
		for _, c := range []string{"AbC-_x", "abc-_x"} {
			if err := s.SavePasskey(ctx, &fullauth.Passkey{UserID: u.ID, CredentialID: c, PublicKey: "k"}); err != nil {
				t.Errorf("SavePasskey(%q): %v", c, err)
			}
		}
		if p, err := s.PasskeyByCredentialID(ctx, "ABC-_X"); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("PasskeyByCredentialID(other case) = %v, %v; want ErrNotFound", p, err)
		}
		for _, id := range []string{"User", "user"} {
			a := &fullauth.OAuthAccount{Provider: "gitlab", ProviderUserID: id, UserID: u.ID}
			got, err := s.CreateOAuthAccount(ctx, a)
			if err != nil || got.ProviderUserID != id {
				t.Errorf("CreateOAuthAccount(%q) = %+v, %v", id, got, err)
			}
		}
	})
}

// TestHostileWrites: text no database could store is cleaned (descriptive
// text from outside) or refused as a validation error (what users chose),
// never passed on to fail in the driver.
func TestHostileWrites(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		u := newUser(t, s)
		var verr *fullauth.ValidationError

		rt := newToken(u.ID, randHex(16), time.Now(), time.Now().Add(time.Hour))
		rt.UserAgent, rt.IPAddress = "Bad\xff\xfeAgent\x00/1.0", "::1\x00"
		if err := s.SaveRefreshToken(ctx, rt); err != nil {
			t.Fatalf("SaveRefreshToken(invalid UTF-8 user agent) err = %v, want nil", err)
		}
		got, err := s.RefreshToken(ctx, rt.Hash)
		if err != nil || got.UserAgent != "Bad\uFFFDAgent/1.0" || got.IPAddress != "::1" {
			t.Errorf("RefreshToken = %+v, %v; want the user agent and IP cleaned", got, err)
		}

		for _, bad := range []string{"a\x00b", "\xff"} {
			name := bad
			if _, err := s.UpdateUser(ctx, u.ID, fullauth.UserUpdate{DisplayName: &name}); !errors.As(err, &verr) || verr.Field != "display_name" {
				t.Errorf("UpdateUser(display name %q) err = %v, want a ValidationError for display_name", bad, err)
			}
			email := "x" + bad + "@example.com"
			if err := s.CreateUser(ctx, &fullauth.User{Email: email}, ""); !errors.As(err, &verr) || verr.Field != "email" {
				t.Errorf("CreateUser(email %q) err = %v, want a ValidationError for email", email, err)
			}
			if err := s.AddRole(ctx, u.ID, bad); !errors.As(err, &verr) {
				t.Errorf("AddRole(%q) err = %v, want a ValidationError", bad, err)
			}
		}
		if err := s.AddRole(ctx, u.ID, strings.Repeat("r", 101)); !errors.As(err, &verr) {
			t.Errorf("AddRole(101 characters) err = %v, want a ValidationError", err)
		}
		if err := s.AddPermission(ctx, "role", strings.Repeat("é", 201)); !errors.As(err, &verr) {
			t.Errorf("AddPermission(201 characters) err = %v, want a ValidationError", err)
		}
		if err := s.AddRole(ctx, u.ID, strings.Repeat("é", 100)); err != nil {
			t.Errorf("AddRole(100 two-byte characters) err = %v, want nil", err)
		}

		a, err := s.CreateOAuthAccount(ctx, &fullauth.OAuthAccount{Provider: "github", ProviderUserID: "1", UserID: u.ID,
			ProviderEmail: "\xffme@example.com", AccessToken: "tok\x00en"})
		if err != nil || a.ProviderEmail != "\uFFFDme@example.com" || a.AccessToken != "token" {
			t.Errorf("CreateOAuthAccount = %+v, %v; want the provider's text cleaned", a, err)
		}
		if got, err := s.OAuthAccount(ctx, "github", "1"); err != nil || got.ProviderEmail != a.ProviderEmail || got.AccessToken != a.AccessToken {
			t.Errorf("OAuthAccount = %+v, %v; want what CreateOAuthAccount returned", got, err)
		}
		p := &fullauth.Passkey{UserID: u.ID, CredentialID: "cred", PublicKey: "key", DeviceName: "Phone\x00\xff", Transports: []string{"usb", "nf\xffc"}}
		if err := s.SavePasskey(ctx, p); err != nil {
			t.Fatalf("SavePasskey: %v", err)
		}
		if got, err := s.PasskeyByCredentialID(ctx, "cred"); err != nil || got.DeviceName != "Phone\uFFFD" || !slices.Equal(got.Transports, []string{"usb", "nf\uFFFDc"}) {
			t.Errorf("PasskeyByCredentialID = %+v, %v; want the device name and transports cleaned", got, err)
		}
	})
}
