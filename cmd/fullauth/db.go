package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/sqlstore"
)

// Connection pool bounds of the server's database.
const (
	maxOpenConns = 32
	maxIdleConns = 16
)

// sqliteParams are the connection settings every SQLite database is opened
// with: writers queue for 5 s instead of failing, readers never block the
// writer (WAL), and foreign keys cascade.
const sqliteParams = "_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"

// database is a parsed FULLAUTH_DATABASE_URL.
type database struct {
	dialect sqlstore.Dialect
	driver  string // database/sql driver name
	dsn     string // what the driver is opened with; may hold credentials
	memory  bool   // sqlite::memory:
	path    string // SQLite file
	// memstore is memory:, the in-process store of package memstore; no
	// SQL database at all.
	memstore bool
}

// String names the database without credentials: its kind only.
func (d database) String() string {
	switch {
	case d.memstore:
		return "memory (not persisted)"
	case d.memory:
		return "sqlite (in memory)"
	case d.dialect == 0:
		return "none"
	}
	return d.dialect.String()
}

// parseDatabaseURL reads FULLAUTH_DATABASE_URL:
//
//	sqlite:PATH                      a file, relative to the working directory
//	sqlite:///PATH, sqlite:////ABS   the SQLAlchemy spellings of the same
//	sqlite::memory:                  one in-memory database, gone at exit
//	postgres://…, postgresql://…     anything pgx accepts
//	mysql://user:pass@host:port/db   MySQL 8 or MariaDB 10.6+ (also mariadb://)
//	memory:                          no database: package memstore, in the
//	                                 process; for development and benchmarks
//
// With memory: everything (users, sessions, tokens) is lost when the
// process exits and nothing is shared with other processes; migrations are
// a no-op and /readyz counts the store as always up.
//
// A SQLAlchemy driver suffix such as postgresql+asyncpg:// is ignored, so a
// fastapi-fullauth deployment's URL can be used as it is. Errors never
// repeat the URL, which may hold a password.
func parseDatabaseURL(raw string) (database, error) {
	raw = strings.TrimSpace(raw)
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" {
		return database{}, errors.New("expected sqlite:PATH, sqlite::memory:, postgres://… or mysql://…")
	}
	scheme = strings.ToLower(scheme)
	scheme, _, _ = strings.Cut(scheme, "+") // postgresql+asyncpg, sqlite+aiosqlite, mysql+aiomysql
	switch scheme {
	case "memory":
		if rest != "" {
			return database{}, errors.New("memory: takes nothing after the colon; write memory:")
		}
		return database{memstore: true}, nil
	case "sqlite", "sqlite3":
		return parseSQLite(rest)
	case "postgres", "postgresql":
		if _, err := url.Parse("postgres:" + rest); err != nil || !strings.HasPrefix(rest, "//") {
			return database{}, errors.New("invalid PostgreSQL URL; expected postgres://user:password@host:port/dbname")
		}
		return database{dialect: sqlstore.Postgres, driver: "pgx", dsn: "postgres:" + rest}, nil
	case "mysql", "mariadb":
		dsn, err := mysqlDSN(rest)
		if err != nil {
			return database{}, err
		}
		return database{dialect: sqlstore.MySQL, driver: "mysql", dsn: dsn}, nil
	}
	return database{}, fmt.Errorf("unsupported scheme %q; expected sqlite:PATH, sqlite::memory:, postgres://… or mysql://…", scheme)
}

func parseSQLite(rest string) (database, error) {
	// SQLAlchemy writes sqlite:///relative.db and sqlite:////absolute.db.
	if p, ok := strings.CutPrefix(rest, "//"); ok {
		rest = strings.TrimPrefix(p, "/")
		if strings.HasPrefix(p, "//") {
			rest = p[1:]
		}
	}
	path, query, _ := strings.Cut(rest, "?")
	switch path {
	case "":
		return database{}, errors.New("sqlite: needs a file path, as in sqlite:fullauth.db, or :memory:")
	case ":memory:":
		// A named in-memory database in shared-cache mode, so that every
		// connection of the pool sees the same one; openDB keeps it alive.
		name := "fullauth-" + rand.Text()
		return database{dialect: sqlstore.SQLite, driver: "sqlite", memory: true,
			dsn: "file:" + name + "?mode=memory&cache=shared&" + sqliteParams}, nil
	}
	dsn := "file:" + path + "?" + sqliteParams
	if query != "" {
		dsn += "&" + query
	}
	return database{dialect: sqlstore.SQLite, driver: "sqlite", dsn: dsn, path: path}, nil
}

// mysqlDSN turns //user:pass@host:port/db?params into a go-sql-driver DSN
// with parseTime=true and loc=UTC unless the URL says otherwise.
func mysqlDSN(rest string) (string, error) {
	u, err := url.Parse("mysql:" + rest)
	if err != nil || u.Host == "" {
		return "", errors.New("invalid MySQL URL; expected mysql://user:password@host:port/dbname")
	}
	q := u.Query()
	if !q.Has("parseTime") {
		q.Set("parseTime", "true")
	}
	if !q.Has("loc") {
		q.Set("loc", "UTC")
	}
	cfg, err := mysql.ParseDSN("/?" + q.Encode())
	if err != nil {
		return "", fmt.Errorf("invalid MySQL URL parameters: %w", err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return "", errors.New("invalid MySQL URL: it must name one database, as in mysql://user:password@host:3306/dbname")
	}
	return cfg.FormatDSN(), nil
}

// openedDB is an open database and what keeps it alive.
type openedDB struct {
	*sql.DB // nil for memory:
	store   migratingStore
	// keep holds an in-memory database open while the pool's connections
	// come and go.
	keep *sql.Conn
}

// openDB opens d and checks that it answers. A new SQLite file is created
// readable by its owner only, since it holds password hashes; SQLite gives
// its -wal and -shm files the same permissions.
func openDB(ctx context.Context, d database) (*openedDB, error) {
	if d.memstore {
		return &openedDB{store: memoryStore{memstore.New()}}, nil
	}
	if d.path != "" {
		f, err := os.OpenFile(d.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			f.Close()
		case !errors.Is(err, fs.ErrExist):
			return nil, fmt.Errorf("create %s database: %w", d, err)
		}
	}
	db, err := sql.Open(d.driver, d.dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	o := &openedDB{DB: db, store: sqlstore.New(db, d.dialect)}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if d.memory {
		// The database lives as long as one connection to it is open: hold
		// one that the pool never closes, and serve from one other, since
		// shared-cache connections lock each other out instead of waiting.
		if o.keep, err = db.Conn(pctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s database: %w", d, err)
		}
		db.SetMaxOpenConns(2)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if !d.memory {
		// Keep connections for the request load instead of opening and
		// closing one per burst (database/sql keeps 2 idle by default),
		// and bound them so a spike cannot exhaust the database's limit.
		db.SetMaxOpenConns(maxOpenConns)
		db.SetMaxIdleConns(maxIdleConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.PingContext(pctx); err != nil {
		o.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d, err)
	}
	return o, nil
}

// PingContext checks that the database answers; the memory store always
// does.
func (o *openedDB) PingContext(ctx context.Context) error {
	if o.DB == nil {
		return nil
	}
	return o.DB.PingContext(ctx)
}

// Close closes the database.
func (o *openedDB) Close() error {
	if o.DB == nil {
		return nil
	}
	if o.keep != nil {
		o.keep.Close()
	}
	return o.DB.Close()
}

// migratingStore is a store the server can migrate before serving.
type migratingStore interface {
	fullauth.Store
	Migrate(ctx context.Context) ([]string, error)
}

// memoryStore is memstore with the migrations of a SQL store: none. The
// embedding keeps every optional capability of memstore visible to
// fullauth.New.
type memoryStore struct{ *memstore.Store }

// Migrate does nothing: memstore has no schema.
func (memoryStore) Migrate(context.Context) ([]string, error) { return nil, nil }
