package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds migrations/<dialect>/NNNN_name.sql.
//
// A migration is a list of statements, each ending with a semicolon at the
// end of a line. Lines starting with -- are comments, except directives,
// which make the statement that follows conditional:
//
//	-- fullauth:unless-column <table> <column>   skip it if the column exists
//	-- fullauth:unless-index <table> <index>     skip it if the index exists
//
// They exist for what a dialect cannot say with IF NOT EXISTS, so that every
// migration can run again over a partly migrated or adopted schema.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string // file name without .sql, e.g. 0001_init
	stmts   []statement
}

type statement struct {
	sql    string
	unless string   // "", "column" or "index"
	args   []string // table and column or index name
}

func loadMigrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: name must start with a positive number", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		stmts, err := parseStatements(string(text))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: version, name: name, stmts: stmts})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

func parseStatements(text string) ([]statement, error) {
	var out []statement
	var cur strings.Builder
	var pending statement
	for line := range strings.Lines(text) {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && strings.HasPrefix(trimmed, "--") {
			if d, ok := strings.CutPrefix(trimmed, "-- fullauth:"); ok {
				f := strings.Fields(d)
				if len(f) != 3 || (f[0] != "unless-column" && f[0] != "unless-index") {
					return nil, fmt.Errorf("bad directive %q", trimmed)
				}
				pending.unless, pending.args = strings.TrimPrefix(f[0], "unless-"), f[1:]
			}
			continue
		}
		if trimmed == "" && cur.Len() == 0 {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			pending.sql = strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, pending)
			pending = statement{}
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" || pending.unless != "" {
		return nil, errors.New("the last statement does not end with a semicolon")
	}
	return out, nil
}

// Migrate brings the schema up to date and returns the names of the
// migrations it applied, oldest first; none is an empty slice.
//
// Migrations are recorded in fullauth_schema_migrations. Processes that
// migrate the same database at once take turns: PostgreSQL holds an
// advisory lock, MySQL a named lock (GET_LOCK), SQLite a write
// transaction (BEGIN IMMEDIATE). On PostgreSQL and SQLite each migration
// commits with its record or not at all; MySQL commits DDL as it goes, so
// there every statement is written to be safely run again.
//
// The first migration only creates the tables and indexes that are
// missing, so it adopts a database that fastapi-fullauth created.
//
// On error, applied names the migrations that were committed before it.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	migs, err := loadMigrations(s.d)
	if err != nil {
		return nil, err
	}
	var applied []string
	switch s.d {
	case SQLite:
		applied, err = s.migrateSQLite(ctx, migs)
	default:
		applied, err = s.migrateLocked(ctx, migs)
	}
	if len(applied) > 0 {
		// Statements prepared against the old schema may no longer fit.
		s.Close()
	}
	if err != nil {
		return applied, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return applied, nil
}

func (s *Store) migrationsTable() string {
	switch s.d {
	case Postgres:
		return `CREATE TABLE IF NOT EXISTS fullauth_schema_migrations (
			version BIGINT NOT NULL PRIMARY KEY,
			name VARCHAR(255) NOT NULL,
			applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`
	case MySQL:
		return `CREATE TABLE IF NOT EXISTS fullauth_schema_migrations (
			version BIGINT NOT NULL PRIMARY KEY,
			name VARCHAR(255) NOT NULL,
			applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`
	}
	return `CREATE TABLE IF NOT EXISTS fullauth_schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name VARCHAR(255) NOT NULL,
		applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)`
}

// pending creates the migrations table if needed and returns the
// migrations not yet recorded in it.
func (s *Store) pending(ctx context.Context, q querier, migs []migration) ([]migration, error) {
	if _, err := q.ExecContext(ctx, s.migrationsTable()); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT version FROM fullauth_schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []migration
	for _, m := range migs {
		if !done[m.version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// apply runs the statements of m and records it.
func (s *Store) apply(ctx context.Context, q querier, m migration) error {
	for _, st := range m.stmts {
		if st.unless != "" {
			found, err := s.schemaHas(ctx, q, st.unless, st.args[0], st.args[1])
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if found {
				continue
			}
		}
		if _, err := q.ExecContext(ctx, st.sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	_, err := s.exec(ctx, q, "INSERT INTO fullauth_schema_migrations (version, name) VALUES (?, ?)", m.version, m.name)
	return err
}

// schemaHas reports whether table has the column or index called name.
func (s *Store) schemaHas(ctx context.Context, q querier, kind, table, name string) (bool, error) {
	var query string
	switch {
	case kind == "column" && s.d == SQLite:
		query = "SELECT 1 FROM pragma_table_info(?) WHERE name = ?"
	case kind == "column" && s.d == Postgres:
		query = "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?"
	case kind == "column":
		query = "SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?"
	case s.d == SQLite:
		query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?"
	case s.d == Postgres:
		query = "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname = ?"
	default:
		query = "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1"
	}
	return s.exists(ctx, q, query, table, name)
}

// migrateSQLite applies every pending migration in one BEGIN IMMEDIATE
// transaction, which waits for (and excludes) every other writer.
func (s *Store) migrateSQLite(ctx context.Context, migs []migration) ([]string, error) {
	for {
		var applied []string
		conn, err := s.db.Conn(ctx)
		if err == nil {
			err = withImmediate(ctx, conn, func() error {
				todo, err := s.pending(ctx, conn, migs)
				if err != nil {
					return err
				}
				for _, m := range todo {
					if err := s.apply(ctx, conn, m); err != nil {
						return err
					}
					applied = append(applied, m.name)
				}
				return nil
			})
		}
		if err == nil {
			return nonNil(applied), nil
		}
		// Without busy_timeout in the DSN, BEGIN IMMEDIATE fails at once
		// while another process migrates; and opening a connection to a new
		// file can fail the same way while another connection switches it
		// to WAL (a journal-mode change does not wait). Wait and retry.
		if !isBusy(err) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool {
	var lite interface{ Code() int }
	return errors.As(err, &lite) && lite.Code()&0xff == 5 // SQLITE_BUSY
}

// migrateLocked applies the pending migrations on one connection while it
// holds a session-level lock, each migration in its own transaction except
// on MySQL, where DDL commits implicitly.
func (s *Store) migrateLocked(ctx context.Context, migs []migration) (applied []string, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := s.lockMigrations(ctx, conn); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		// Release even if ctx is done. Should that fail, discard the
		// connection: the lock ends with its session.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		unlock := "SELECT pg_advisory_unlock(?)"
		args := []any{advisoryKey}
		if s.d == MySQL {
			unlock, args = "SELECT RELEASE_LOCK("+mysqlLockName+")", nil
		}
		if _, uerr := s.exec(uctx, conn, unlock, args...); uerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = fmt.Errorf("release the migration lock: %w", uerr)
			}
		}
	}()
	todo, err := s.pending(ctx, conn, migs)
	if err != nil {
		return nil, err
	}
	for _, m := range todo {
		if s.d == MySQL {
			err = s.apply(ctx, conn, m)
		} else {
			err = txOn(ctx, conn, func(tx *sql.Tx) error { return s.apply(ctx, tx, m) })
		}
		if err != nil {
			return applied, err
		}
		applied = append(applied, m.name)
	}
	return nonNil(applied), nil
}

// advisoryKey is the PostgreSQL advisory lock taken while migrating: the
// bytes of "fullauth".
const advisoryKey int64 = 0x66756c6c61757468

// mysqlLockName names the GET_LOCK lock, one per database (lock names are
// server-wide and at most 64 characters long).
const mysqlLockName = "CONCAT('fullauth_migrate:', LEFT(COALESCE(DATABASE(), ''), 40))"

func (s *Store) lockMigrations(ctx context.Context, conn *sql.Conn) error {
	if s.d == Postgres {
		_, err := s.exec(ctx, conn, "SELECT pg_advisory_lock(?)", advisoryKey)
		return err
	}
	// GET_LOCK waits at most the given seconds and answers 1 when it got
	// the lock and 0 when it timed out; wait in short rounds so a done ctx
	// is noticed.
	for {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+mysqlLockName+", 2)").Scan(&got); err != nil {
			return err
		}
		switch {
		case !got.Valid:
			return errors.New("GET_LOCK failed")
		case got.Int64 == 1:
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func txOn(ctx context.Context, conn *sql.Conn, fn func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
