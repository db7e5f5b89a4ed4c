package sqlstore_test

import (
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/sqlstore"
)

var allMigrations = []string{"0001_init", "0002_display_name", "0003_users_created_index"}

var allTables = []string{
	"fullauth_users", "fullauth_refresh_tokens", "fullauth_roles", "fullauth_user_roles",
	"fullauth_permissions", "fullauth_role_permissions", "fullauth_oauth_accounts", "fullauth_passkeys",
}

func TestMigrateTwice(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		s := sqlstore.New(db, b.dialect)
		applied, err := s.Migrate(t.Context())
		if err != nil {
			t.Fatalf("first Migrate: %v", err)
		}
		if !slices.Equal(applied, allMigrations) {
			t.Errorf("first Migrate applied %q, want %q", applied, allMigrations)
		}
		applied, err = s.Migrate(t.Context())
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if applied == nil || len(applied) != 0 {
			t.Errorf("second Migrate applied %#v, want an empty slice", applied)
		}
		wantSchema(t, db, b.dialect)
	})
}

// TestMigrateConcurrently starts four migrations at once, each through its
// own *sql.DB as separate processes would: every one must succeed and the
// migrations must be applied once in all.
func TestMigrateConcurrently(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		driver, dsn := b.open(t)
		const n = 4
		var wg sync.WaitGroup
		results := make([][]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			db := openDSN(t, driver, dsn)
			wg.Go(func() {
				<-start
				results[i], errs[i] = sqlstore.New(db, b.dialect).Migrate(t.Context())
			})
		}
		close(start)
		wg.Wait()
		var all []string
		for i := range n {
			if errs[i] != nil {
				t.Errorf("Migrate #%d: %v", i, errs[i])
			}
			all = append(all, results[i]...)
		}
		slices.Sort(all)
		if !slices.Equal(all, allMigrations) {
			t.Errorf("migrations applied across all runs = %q, want each of %q once", all, allMigrations)
		}
		db := openDSN(t, driver, dsn)
		wantSchema(t, db, b.dialect)
		var versions int
		if err := db.QueryRow("SELECT COUNT(*) FROM fullauth_schema_migrations").Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if versions != len(allMigrations) {
			t.Errorf("fullauth_schema_migrations has %d rows, want %d", versions, len(allMigrations))
		}
	})
}

// wantSchema checks that every table exists with the display_name column,
// and the index for listing users.
func wantSchema(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
	t.Helper()
	for _, table := range allTables {
		if _, err := db.Exec("SELECT * FROM " + table + " WHERE 1 = 0"); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	if _, err := db.Exec("SELECT display_name FROM fullauth_users WHERE 1 = 0"); err != nil {
		t.Errorf("fullauth_users.display_name: %v", err)
	}
	indexQuery := map[sqlstore.Dialect]string{
		sqlstore.SQLite:   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
		sqlstore.Postgres: "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1",
		sqlstore.MySQL:    "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?",
	}[d]
	var n int
	if err := db.QueryRow(indexQuery, "ix_fullauth_users_created_id").Scan(&n); err != nil || n != 1 {
		t.Errorf("index ix_fullauth_users_created_id: found %d, %v; want 1", n, err)
	}
}

// referenceSchema is what fastapi-fullauth's SQLAlchemy models create
// (SQLAlchemy 2.0 DDL, written out by hand): no display_name, none of our
// extra indexes, no migrations table, and only the core and role tables,
// as for an application that never configured OAuth, passkeys or
// permissions.
var referenceSchema = map[sqlstore.Dialect][]string{
	sqlstore.SQLite: {
		`CREATE TABLE fullauth_users (
			id CHAR(32) NOT NULL,
			email VARCHAR(320) NOT NULL,
			hashed_password TEXT,
			is_active BOOLEAN NOT NULL,
			is_verified BOOLEAN NOT NULL,
			is_superuser BOOLEAN NOT NULL,
			created_at DATETIME NOT NULL,
			PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_users_email ON fullauth_users (email)`,
		`CREATE TABLE fullauth_refresh_tokens (
			id CHAR(32) NOT NULL,
			token VARCHAR(512) NOT NULL,
			user_id CHAR(32) NOT NULL,
			family_id VARCHAR(36) NOT NULL,
			expires_at DATETIME NOT NULL,
			revoked BOOLEAN NOT NULL,
			user_agent VARCHAR(512),
			ip_address VARCHAR(45),
			created_at DATETIME NOT NULL,
			PRIMARY KEY (id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE)`,
		`CREATE UNIQUE INDEX ix_fullauth_refresh_tokens_token ON fullauth_refresh_tokens (token)`,
		`CREATE INDEX ix_fullauth_refresh_tokens_family_id ON fullauth_refresh_tokens (family_id)`,
		`CREATE TABLE fullauth_roles (id CHAR(32) NOT NULL, name VARCHAR(100) NOT NULL, PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_roles_name ON fullauth_roles (name)`,
		`CREATE TABLE fullauth_user_roles (
			user_id CHAR(32) NOT NULL,
			role_id CHAR(32) NOT NULL,
			PRIMARY KEY (user_id, role_id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
			FOREIGN KEY(role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE)`,
	},
	sqlstore.Postgres: {
		`CREATE TABLE fullauth_users (
			id UUID NOT NULL,
			email VARCHAR(320) NOT NULL,
			hashed_password TEXT,
			is_active BOOLEAN NOT NULL,
			is_verified BOOLEAN NOT NULL,
			is_superuser BOOLEAN NOT NULL,
			created_at TIMESTAMP WITH TIME ZONE NOT NULL,
			PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_users_email ON fullauth_users (email)`,
		`CREATE TABLE fullauth_refresh_tokens (
			id UUID NOT NULL,
			token VARCHAR(512) NOT NULL,
			user_id UUID NOT NULL,
			family_id VARCHAR(36) NOT NULL,
			expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
			revoked BOOLEAN NOT NULL,
			user_agent VARCHAR(512),
			ip_address VARCHAR(45),
			created_at TIMESTAMP WITH TIME ZONE NOT NULL,
			PRIMARY KEY (id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE)`,
		`CREATE UNIQUE INDEX ix_fullauth_refresh_tokens_token ON fullauth_refresh_tokens (token)`,
		`CREATE INDEX ix_fullauth_refresh_tokens_family_id ON fullauth_refresh_tokens (family_id)`,
		`CREATE TABLE fullauth_roles (id UUID NOT NULL, name VARCHAR(100) NOT NULL, PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_roles_name ON fullauth_roles (name)`,
		`CREATE TABLE fullauth_user_roles (
			user_id UUID NOT NULL,
			role_id UUID NOT NULL,
			PRIMARY KEY (user_id, role_id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
			FOREIGN KEY(role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE)`,
	},
	sqlstore.MySQL: {
		`CREATE TABLE fullauth_users (
			id CHAR(32) NOT NULL,
			email VARCHAR(320) NOT NULL,
			hashed_password TEXT,
			is_active BOOL NOT NULL,
			is_verified BOOL NOT NULL,
			is_superuser BOOL NOT NULL,
			created_at DATETIME NOT NULL,
			PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_users_email ON fullauth_users (email)`,
		`CREATE TABLE fullauth_refresh_tokens (
			id CHAR(32) NOT NULL,
			token VARCHAR(512) NOT NULL,
			user_id CHAR(32) NOT NULL,
			family_id VARCHAR(36) NOT NULL,
			expires_at DATETIME NOT NULL,
			revoked BOOL NOT NULL,
			user_agent VARCHAR(512),
			ip_address VARCHAR(45),
			created_at DATETIME NOT NULL,
			PRIMARY KEY (id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE)`,
		`CREATE UNIQUE INDEX ix_fullauth_refresh_tokens_token ON fullauth_refresh_tokens (token)`,
		`CREATE INDEX ix_fullauth_refresh_tokens_family_id ON fullauth_refresh_tokens (family_id)`,
		`CREATE TABLE fullauth_roles (id CHAR(32) NOT NULL, name VARCHAR(100) NOT NULL, PRIMARY KEY (id))`,
		`CREATE UNIQUE INDEX ix_fullauth_roles_name ON fullauth_roles (name)`,
		`CREATE TABLE fullauth_user_roles (
			user_id CHAR(32) NOT NULL,
			role_id CHAR(32) NOT NULL,
			PRIMARY KEY (user_id, role_id),
			FOREIGN KEY(user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
			FOREIGN KEY(role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE)`,
	},
}

// A user and a refresh token as fastapi-fullauth writes them.
const (
	refUserID    = "0190b2f4-3c1e-7a2b-8c3d-4e5f60718293"
	refUserHex   = "0190b2f43c1e7a2b8c3d4e5f60718293"
	refRoleHex   = "0190b2f43c1e7a2b8c3d4e5f60718294"
	refTokenHex  = "0190b2f43c1e7a2b8c3d4e5f60718295"
	refEmail     = "legacy@example.com"
	refHash      = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$0Kx9n2dUG2RqzHf8S0n7jyb3m0mHnkYQ0Qm1bZcE3mM"
	refDigest    = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	refFamily    = "6f1c3c1e9b2a4d5e8f7a6b5c4d3e2f1a"
	refCreated   = "2025-03-04 05:06:07.123456"
	refExpires   = "2099-03-04 05:06:07.123456"
	refCreatedAt = "2025-03-04T05:06:07.123456Z"
)

func TestAdoptReferenceSchema(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		db := b.newDB(t)
		for _, stmt := range referenceSchema[b.dialect] {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("reference DDL: %v\n%s", err, stmt)
			}
		}
		id, roleID, tokenID := refUserHex, refRoleHex, refTokenHex
		created, expires := any(refCreated), any(refExpires)
		if b.dialect == sqlstore.Postgres {
			id, roleID, tokenID = refUserID, "0190b2f4-3c1e-7a2b-8c3d-4e5f60718294", "0190b2f4-3c1e-7a2b-8c3d-4e5f60718295"
			created, expires = refCreated+"+00", refExpires+"+00"
		}
		if b.dialect == sqlstore.MySQL {
			// SQLAlchemy's DATETIME keeps whole seconds on MySQL.
			created, expires = refCreated[:19], refExpires[:19]
		}
		seed := []struct {
			query string
			args  []any
		}{
			{"INSERT INTO fullauth_users (id, email, hashed_password, is_active, is_verified, is_superuser, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				[]any{id, refEmail, refHash, true, true, false, created}},
			{"INSERT INTO fullauth_refresh_tokens (id, token, user_id, family_id, expires_at, revoked, user_agent, ip_address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				[]any{tokenID, refDigest, id, refFamily, expires, false, "Mozilla/5.0", nil, created}},
			{"INSERT INTO fullauth_roles (id, name) VALUES (?, ?)", []any{roleID, "admin"}},
			{"INSERT INTO fullauth_user_roles (user_id, role_id) VALUES (?, ?)", []any{id, roleID}},
		}
		for _, x := range seed {
			if _, err := db.Exec(rebind(b.dialect, x.query), x.args...); err != nil {
				t.Fatalf("seed: %v\n%s", err, x.query)
			}
		}

		s := sqlstore.New(db, b.dialect)
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate over the reference schema: %v", err)
		}
		if !slices.Equal(applied, allMigrations) {
			t.Errorf("Migrate applied %q, want %q", applied, allMigrations)
		}
		wantSchema(t, db, b.dialect)

		wantCreated, _ := time.Parse(time.RFC3339Nano, refCreatedAt)
		if b.dialect == sqlstore.MySQL {
			wantCreated = wantCreated.Truncate(time.Second)
		}
		want := &fullauth.User{ID: refUserID, Email: refEmail, Active: true, Verified: true, CreatedAt: wantCreated}
		u, err := s.User(ctx, refUserID)
		if err != nil {
			t.Fatalf("User: %v", err)
		}
		if *u != *want {
			t.Errorf("User = %+v\nwant   %+v", *u, *want)
		}
		if u, err := s.UserByEmail(ctx, "  Legacy@Example.COM"); err != nil || u.ID != refUserID {
			t.Errorf("UserByEmail = %v, %v; want the legacy user", u, err)
		}
		if h, err := s.PasswordHash(ctx, refUserID); err != nil || h != refHash {
			t.Errorf("PasswordHash = %q, %v; want the stored argon2 hash", h, err)
		}
		if roles, err := s.Roles(ctx, refUserID); err != nil || !slices.Equal(roles, []string{"admin"}) {
			t.Errorf("Roles = %q, %v; want [admin]", roles, err)
		}
		rt, err := s.RefreshToken(ctx, refDigest)
		if err != nil {
			t.Fatalf("RefreshToken: %v", err)
		}
		if rt.UserID != refUserID || rt.FamilyID != refFamily || rt.Revoked || rt.UserAgent != "Mozilla/5.0" || rt.IPAddress != "" || !rt.CreatedAt.Equal(wantCreated) {
			t.Errorf("RefreshToken = %+v", *rt)
		}
		sessions, err := s.Sessions(ctx, refUserID, time.Now())
		if err != nil || len(sessions) != 1 || sessions[0].FamilyID != refFamily {
			t.Errorf("Sessions = %+v, %v; want the legacy family", sessions, err)
		}

		// The adopted database keeps working for every feature, including
		// the tables the reference application never created.
		name := "Legacy User"
		if _, err := s.UpdateUser(ctx, refUserID, fullauth.UserUpdate{DisplayName: &name}); err != nil {
			t.Errorf("UpdateUser(display name): %v", err)
		}
		next := &fullauth.RefreshToken{Hash: strings.Repeat("ab", 32), UserID: refUserID, FamilyID: refFamily,
			ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()}
		if err := s.RotateRefreshToken(ctx, refDigest, next); err != nil {
			t.Errorf("RotateRefreshToken: %v", err)
		}
		if err := s.AddPermission(ctx, "admin", "users:read"); err != nil {
			t.Errorf("AddPermission: %v", err)
		}
		if perms, err := s.UserPermissions(ctx, refUserID); err != nil || !slices.Equal(perms, []string{"users:read"}) {
			t.Errorf("UserPermissions = %q, %v", perms, err)
		}
		if _, err := s.CreateOAuthAccount(ctx, &fullauth.OAuthAccount{Provider: "github", ProviderUserID: "42", UserID: refUserID, CreatedAt: time.Now()}); err != nil {
			t.Errorf("CreateOAuthAccount: %v", err)
		}
		if err := s.SavePasskey(ctx, &fullauth.Passkey{UserID: refUserID, CredentialID: "Y3JlZA", PublicKey: "a2V5", CreatedAt: time.Now()}); err != nil {
			t.Errorf("SavePasskey: %v", err)
		}
		if err := s.DeleteUser(ctx, refUserID); err != nil {
			t.Errorf("DeleteUser: %v", err)
		}
		for _, table := range []string{"fullauth_refresh_tokens", "fullauth_user_roles", "fullauth_oauth_accounts", "fullauth_passkeys"} {
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s has %d rows (%v) after DeleteUser, want 0", table, n, err)
			}
		}
	})
}

// TestAdoptExistingDisplayName: an application that added display_name to
// fastapi-fullauth's user model keeps its column.
func TestAdoptExistingDisplayName(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		for _, stmt := range referenceSchema[b.dialect][:2] {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec("ALTER TABLE fullauth_users ADD COLUMN display_name VARCHAR(100)"); err != nil {
			t.Fatal(err)
		}
		applied, err := sqlstore.New(db, b.dialect).Migrate(t.Context())
		if err != nil || !slices.Equal(applied, allMigrations) {
			t.Fatalf("Migrate = %q, %v; want %q", applied, err, allMigrations)
		}
	})
}

func rebind(d sqlstore.Dialect, q string) string {
	if d != sqlstore.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
