package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/fullauth/fullauth/sqlstore"
)

// The databases the tests run on. SQLite always runs, on a file in a
// temporary directory. PostgreSQL and MySQL/MariaDB run when their variable
// is set, each test in a schema or database of its own that is dropped
// afterwards:
//
//	FULLAUTH_TEST_POSTGRES_URL  a pgx connection string, URL or key=value, e.g.
//	                            postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	FULLAUTH_TEST_MYSQL_URL     a go-sql-driver DSN, e.g.
//	                            root@tcp(127.0.0.1:3306)/test?parseTime=true&loc=UTC
//	                            or a URL, mysql://root@127.0.0.1:3306/test
//
// The user needs the right to create schemas (PostgreSQL) or databases
// (MySQL). An unset or unreachable server skips its tests, unless
// FULLAUTH_TEST_REQUIRE_SERVICES=1, which makes that a failure.

const sqliteParams = "_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"

// backend opens fresh, empty databases of one dialect.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	// open returns a DSN for a new empty database (dropped when tb ends)
	// and the driver name to open it with.
	open func(tb testing.TB) (driver, dsn string)
}

var backends = []backend{
	{"sqlite", sqlstore.SQLite, openSQLite},
	{"postgres", sqlstore.Postgres, openPostgres},
	{"mysql", sqlstore.MySQL, openMySQL},
}

// forEach runs f once per backend as a subtest.
func forEach(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// newDB opens a fresh empty database of b, closed when tb ends.
func (b backend) newDB(tb testing.TB) *sql.DB {
	tb.Helper()
	driver, dsn := b.open(tb)
	return openDSN(tb, driver, dsn)
}

func openDSN(tb testing.TB, driver, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// newStore returns a migrated store on a fresh database of b.
func (b backend) newStore(tb testing.TB) (*sqlstore.Store, *sql.DB) {
	tb.Helper()
	db := b.newDB(tb)
	s := sqlstore.New(db, b.dialect)
	if _, err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return s, db
}

func unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
		tb.Fatalf(format+" (FULLAUTH_TEST_REQUIRE_SERVICES=1)", args...)
	}
	tb.Skipf(format, args...)
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func openSQLite(tb testing.TB) (string, string) {
	return "sqlite", "file:" + filepath.Join(tb.TempDir(), "auth.db") + "?" + sqliteParams
}

// adminDB opens the server named by a test variable and checks that it
// answers, skipping (or failing) the test if it does not.
func adminDB(tb testing.TB, driver, dsn, what string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		unavailable(tb, "%s: %v", what, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		unavailable(tb, "%s is unreachable: %v", what, err)
	}
	return db
}

func openPostgres(tb testing.TB) (string, string) {
	tb.Helper()
	base := os.Getenv("FULLAUTH_TEST_POSTGRES_URL")
	if base == "" {
		unavailable(tb, "FULLAUTH_TEST_POSTGRES_URL is not set; skipping PostgreSQL")
	}
	admin := adminDB(tb, "pgx", base, "PostgreSQL at FULLAUTH_TEST_POSTGRES_URL")
	schema := randomName("fullauth_test_")
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return "pgx", withPostgresParam(tb, base, "search_path", schema)
}

// withPostgresParam adds a run-time parameter to a pgx connection string.
func withPostgresParam(tb testing.TB, dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("FULLAUTH_TEST_POSTGRES_URL: %v", err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

// mysqlConfig reads FULLAUTH_TEST_MYSQL_URL: a go-sql-driver DSN, or a
// mysql://user:password@host:port/db?params URL.
func mysqlConfig(tb testing.TB, raw string) *mysql.Config {
	tb.Helper()
	dsn := raw
	if strings.HasPrefix(raw, "mysql://") || strings.HasPrefix(raw, "mariadb://") {
		u, err := url.Parse(raw)
		if err != nil {
			tb.Fatalf("FULLAUTH_TEST_MYSQL_URL: %v", err)
		}
		host := u.Host
		if u.Port() == "" {
			host += ":3306"
		}
		dsn = u.User.String() + "@tcp(" + host + ")" + u.EscapedPath()
		if u.RawQuery != "" {
			dsn += "?" + u.RawQuery
		}
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("FULLAUTH_TEST_MYSQL_URL: %v", err)
	}
	return cfg
}

func openMySQL(tb testing.TB) (string, string) {
	tb.Helper()
	raw := os.Getenv("FULLAUTH_TEST_MYSQL_URL")
	if raw == "" {
		unavailable(tb, "FULLAUTH_TEST_MYSQL_URL is not set; skipping MySQL")
	}
	cfg := mysqlConfig(tb, raw)
	admin := adminDB(tb, "mysql", cfg.FormatDSN(), "MySQL at FULLAUTH_TEST_MYSQL_URL")
	name := randomName("fullauth_test_")
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	cfg.DBName = name
	return "mysql", cfg.FormatDSN()
}
