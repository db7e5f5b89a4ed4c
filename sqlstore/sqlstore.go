// Package sqlstore is a [fullauth.Store] on database/sql for SQLite,
// PostgreSQL and MySQL/MariaDB, with every optional capability (roles,
// permissions, sessions, OAuth links, passkeys and listing users).
//
// The tables are those of fastapi-fullauth's bundled SQLAlchemy and SQLModel
// models, stored the way SQLAlchemy stores them, so a database that
// fastapi-fullauth created is served as it is, and fastapi-fullauth can
// serve a database this package wrote. [Store.Migrate] adopts an existing
// database (its first migration only creates what is missing) and then adds
// what this package needs.
//
// The package imports no driver. The caller opens the *sql.DB with the
// driver of its choice, passes it to [New] and closes it when done:
//
//	db, err := sql.Open("sqlite", "file:auth.db?_txlock=immediate"+
//		"&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
//	...
//	store := sqlstore.New(db, sqlstore.SQLite)
//	if _, err := store.Migrate(ctx); err != nil { ... }
//
// Drivers and connection strings:
//
//   - SQLite 3.35 or later: modernc.org/sqlite (driver "sqlite"). Set
//     foreign_keys(1), busy_timeout and WAL as above. Transactions always
//     begin with BEGIN IMMEDIATE, whatever _txlock says. A Store's own
//     writes queue in the Store, one at a time, so busy_timeout is only
//     waited on for other processes (and other Stores) on the same file.
//     An in-memory database needs a single connection
//     (db.SetMaxOpenConns(1)).
//   - PostgreSQL: github.com/jackc/pgx/v5/stdlib (driver "pgx"). The tables
//     live in the first schema of the search_path.
//   - MySQL 8.0 or later, MariaDB 10.3 or later: github.com/go-sql-driver/mysql
//     (driver "mysql"). No DSN option is required: times are exchanged as
//     UTC text, so parseTime and loc do not matter. Create the database
//     with CHARACTER SET utf8mb4. interpolateParams=true saves a round trip
//     per query.
//
// # Schema
//
// Per dialect, as SQLAlchemy renders fastapi-fullauth's models:
//
//   - UUID keys: uuid on PostgreSQL; CHAR(32), lowercase hex without
//     hyphens, on SQLite and MySQL. (SQLAlchemy 2.1 with a mariadb:// URL
//     makes MariaDB's native UUID columns instead; those accept the hex form
//     and read back hyphenated, which this package takes, but Migrate cannot
//     add a missing table next to them.) Identifiers cross the API as
//     canonical UUID text; a string that is not a UUID names nothing, so
//     lookups answer [fullauth.ErrNotFound], never a driver error.
//   - Times: timestamptz on PostgreSQL; DATETIME holding UTC text
//     "2006-01-02 15:04:05.000000" on SQLite; DATETIME(6) holding UTC on
//     MySQL. Times are stored in UTC to the microsecond and read back in UTC;
//     naive values are UTC.
//   - Emails match case-insensitively through an index: COLLATE NOCASE on
//     SQLite, a unique index on lower(email) on PostgreSQL, the
//     utf8mb4_unicode_ci collation on MySQL. Role and permission names,
//     credential ids and provider ids compare exactly everywhere
//     (utf8mb4_bin on MySQL).
//
// Beyond fastapi-fullauth's tables, the migrations add a nullable
// fullauth_users.display_name ([fullauth.User.DisplayName], "" stored as
// NULL), indexes that keep the sessions routes fast however long a user's
// history grows, an index on fullauth_users (created_at, id) for the pages
// of [Store.ListUsers], and fullauth_schema_migrations. Passkey sign counts
// are BIGINT, so every uint32 fits.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/fullauth/fullauth"
)

// Dialect names the SQL database behind a *sql.DB.
type Dialect int

const (
	SQLite   Dialect = iota + 1 // SQLite 3.35 or later
	Postgres                    // PostgreSQL
	MySQL                       // MySQL 8.0 or later, MariaDB 10.3 or later
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// Store keeps users, refresh tokens, roles, permissions, OAuth links and
// passkeys in the fullauth_* tables. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	d   Dialect
	ids idGen

	// stmts caches a prepared statement per query text run on db (not in
	// a transaction), so the hot lookups skip parsing: SQLite re-parses
	// every text it is given, and go-sql-driver/mysql prepares and closes a
	// statement per query with arguments. PostgreSQL is left out: pgx
	// already caches statements per connection, and deployments behind a
	// transaction-pooling proxy turn that off in the DSN, which explicit
	// statements would bypass. The package's query texts are a small
	// fixed set; maxStmts guards the cache all the same.
	cacheStmts bool
	stmts      sync.Map // query text → *sql.Stmt
	nStmts     atomic.Int32

	// writeSlot, on SQLite, lets one of this store's writes at a time wait
	// for the database's write lock. SQLite's busy handler polls, and with
	// dozens of writers waiting some starve past busy_timeout ("database
	// is locked"); a channel queues them first come, first served, and a
	// waiter can give up with its context. nil on other databases, whose
	// writers queue on row locks.
	writeSlot chan struct{}
}

const maxStmts = 256

var (
	_ fullauth.Store           = (*Store)(nil)
	_ fullauth.RoleStore       = (*Store)(nil)
	_ fullauth.PermissionStore = (*Store)(nil)
	_ fullauth.SessionStore    = (*Store)(nil)
	_ fullauth.OAuthStore      = (*Store)(nil)
	_ fullauth.PasskeyStore    = (*Store)(nil)
	_ fullauth.UserListStore   = (*Store)(nil)
)

// New returns a Store on db, which must be a database of dialect d. The
// Store never closes db. New panics on an unknown dialect.
func New(db *sql.DB, d Dialect) *Store {
	switch d {
	case SQLite, Postgres, MySQL:
	default:
		panic("sqlstore: unknown dialect " + d.String())
	}
	s := &Store{db: db, d: d, cacheStmts: d != Postgres}
	if d == SQLite {
		s.writeSlot = make(chan struct{}, 1)
	}
	return s
}

// startWrite waits for this store's turn to write (see writeSlot) and
// returns the function that ends it.
func (s *Store) startWrite(ctx context.Context) (end func(), err error) {
	if s.writeSlot == nil {
		return func() {}, nil
	}
	select {
	case s.writeSlot <- struct{}{}:
		return func() { <-s.writeSlot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rebind turns the ? placeholders of query into $1, $2, … for PostgreSQL.
// Queries in this package never hold a literal question mark.
func (s *Store) rebind(query string) string {
	if s.d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// on returns what runs query on q: q itself, or, when q is the Store's
// database, a cached prepared statement of query.
func (s *Store) on(ctx context.Context, q querier, query string) (querier, string) {
	if !s.cacheStmts || q != querier(s.db) {
		return q, s.rebind(query)
	}
	if st, ok := s.stmts.Load(query); ok {
		return stmtQuerier{st.(*sql.Stmt)}, ""
	}
	text := s.rebind(query)
	if s.nStmts.Load() >= maxStmts {
		return q, text
	}
	st, err := s.db.PrepareContext(ctx, text)
	if err != nil {
		return q, text // the query itself will report the problem
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return stmtQuerier{prev.(*sql.Stmt)}, ""
	}
	s.nStmts.Add(1)
	return stmtQuerier{st}, ""
}

// stmtQuerier runs a prepared statement through the querier methods; the
// query text passed to them is ignored.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return q.st.ExecContext(ctx, args...)
}

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}

func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.st.QueryRowContext(ctx, args...)
}

// Close releases the Store's prepared statements. It does not close the
// database, which the caller owns.
func (s *Store) Close() error {
	s.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
	s.nStmts.Store(0)
	return nil
}

// writing runs fn, a write through the pool that exec cannot see (UPDATE …
// RETURNING read through query), in this store's turn to write.
func (s *Store) writing(ctx context.Context, fn func() error) error {
	end, err := s.startWrite(ctx)
	if err != nil {
		return err
	}
	defer end()
	return fn()
}

// exec runs a statement that writes. Outside a transaction (q is the
// pool) it takes its turn to write first; a transaction has taken it.
func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	if q == querier(s.db) {
		end, err := s.startWrite(ctx)
		if err != nil {
			return nil, err
		}
		defer end()
	}
	r, text := s.on(ctx, q, query)
	return r.ExecContext(ctx, text, args...)
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	r, text := s.on(ctx, q, query)
	return r.QueryContext(ctx, text, args...)
}

func (s *Store) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	r, text := s.on(ctx, q, query)
	return r.QueryRowContext(ctx, text, args...)
}

// execCount runs a statement and returns the number of rows it changed.
func (s *Store) execCount(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	res, err := s.exec(ctx, q, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exists reports whether query, a SELECT 1 … , finds a row.
func (s *Store) exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := s.queryRow(ctx, q, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// maxTxAttempts bounds how often a transaction is retried after the
// database broke a deadlock by aborting it.
const maxTxAttempts = 5

// tx runs fn in a transaction, commits if fn returns nil and rolls back
// otherwise. A transaction the database aborted to break a deadlock is run
// again. On SQLite the transaction takes the write lock at once (BEGIN
// IMMEDIATE), so concurrent writers queue on busy_timeout instead of failing
// when a read lock would have to be upgraded. On MySQL it runs at READ
// COMMITTED, whose record-only locks keep a compare-and-swap from
// deadlocking with the insert that follows it (under REPEATABLE READ the
// waiting losers' next-key locks block the winner's insert into the same
// index gap).
func (s *Store) tx(ctx context.Context, fn func(q querier) error) error {
	return s.txLevel(ctx, sql.LevelReadCommitted, fn)
}

// txLevel is tx at the given isolation level on MySQL; PostgreSQL keeps its
// default (READ COMMITTED) and SQLite is serializable.
func (s *Store) txLevel(ctx context.Context, level sql.IsolationLevel, fn func(q querier) error) error {
	return retryDeadlocks(ctx, func() error {
		switch s.d {
		case SQLite:
			return s.sqliteTx(ctx, fn)
		case MySQL:
			return s.sqlTx(ctx, &sql.TxOptions{Isolation: level}, fn)
		default:
			return s.sqlTx(ctx, nil, fn)
		}
	})
}

// retryDeadlocks runs fn, a transaction or a single statement, again when
// the database aborted it to break a deadlock, up to maxTxAttempts times.
func retryDeadlocks(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxTxAttempts || !isDeadlock(err) {
			return err
		}
		// Back off a little, at random, so the retries do not collide again.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond):
		}
	}
}

func (s *Store) sqlTx(ctx context.Context, opts *sql.TxOptions, fn func(q querier) error) error {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op; also on panic
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) sqliteTx(ctx context.Context, fn func(q querier) error) error {
	end, err := s.startWrite(ctx)
	if err != nil {
		return err
	}
	defer end()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	return withImmediate(ctx, conn, func() error { return fn(conn) })
}

// withImmediate runs fn inside BEGIN IMMEDIATE … COMMIT on conn and closes
// conn. A connection whose transaction cannot be ended is discarded rather
// than returned to the pool with the transaction open.
func withImmediate(ctx context.Context, conn *sql.Conn, fn func() error) error {
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed { // fn failed or panicked, or COMMIT failed
			rollbackConn(ctx, conn)
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	if err := endTx(ctx, conn, "COMMIT"); err != nil {
		return err
	}
	committed = true
	return nil
}

// endTx runs COMMIT or ROLLBACK even when ctx is already done.
func endTx(ctx context.Context, conn *sql.Conn, stmt string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := conn.ExecContext(ctx, stmt)
	return err
}

func rollbackConn(ctx context.Context, conn *sql.Conn) {
	err := endTx(ctx, conn, "ROLLBACK")
	if err != nil && !strings.Contains(err.Error(), "no transaction is active") {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// --- identifiers -----------------------------------------------------------

// key converts an identifier from the API into the value bound to a UUID
// column: canonical text for PostgreSQL's uuid type, 32 hex digits for the
// CHAR(32) that SQLAlchemy uses elsewhere (MariaDB's native UUID type
// accepts that form too). ok is false if id is not a UUID.
func (s *Store) key(id string) (arg any, ok bool) {
	u, ok := parseUUID(id)
	if !ok {
		return nil, false
	}
	if s.d == Postgres {
		return u.String(), true
	}
	return u.hex(), true
}

// newKey returns a fresh UUIDv7 as the value bound to a UUID column.
func (s *Store) newKey() any {
	u := s.ids.next()
	if s.d == Postgres {
		return u.String()
	}
	return u.hex()
}

// idScan reads a UUID column into canonical text, whichever form the
// database returns it in.
type idScan struct{ s *string }

func (d idScan) Scan(v any) error {
	var raw string
	switch x := v.(type) {
	case string:
		raw = x
	case []byte:
		if len(x) == 16 {
			var u uuid
			copy(u[:], x)
			*d.s = u.String()
			return nil
		}
		raw = string(x)
	case nil:
		*d.s = ""
		return nil
	default:
		return fmt.Errorf("sqlstore: cannot read %T as an id", v)
	}
	if u, ok := parseUUID(raw); ok {
		*d.s = u.String()
	} else {
		*d.s = raw
	}
	return nil
}

// --- times -----------------------------------------------------------------

// sqlTimeLayout is how SQLAlchemy writes a DateTime to SQLite, and what
// MySQL accepts for DATETIME(6). Fixed width, so text comparison orders it.
const sqlTimeLayout = "2006-01-02 15:04:05.000000"

// timeArg converts t to the value bound to a timestamp column: UTC,
// truncated to the microseconds every dialect keeps.
func (s *Store) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.d == Postgres {
		return t
	}
	return t.Format(sqlTimeLayout)
}

// nullTimeArg is timeArg with the zero time stored as NULL.
func (s *Store) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.timeArg(t)
}

// timeScan reads a timestamp column as UTC. A NULL reads as the zero time.
// Naive values are UTC: SQLite text without an offset, and every MySQL
// DATETIME, whose wall clock the driver may have placed in another location
// (loc) or not parsed at all (parseTime=false).
type timeScan struct {
	t     *time.Time
	naive bool
}

func (s *Store) tscan(t *time.Time) timeScan { return timeScan{t: t, naive: s.d == MySQL} }

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

func (d timeScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.t = time.Time{}
	case time.Time:
		if d.naive {
			x = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), time.UTC)
		}
		*d.t = x.UTC()
	case string:
		return d.parse(x)
	case []byte:
		return d.parse(string(x))
	default:
		return fmt.Errorf("sqlstore: cannot read %T as a time", v)
	}
	return nil
}

func (d timeScan) parse(s string) error {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			*d.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqlstore: cannot parse time %q", s)
}

// --- text ------------------------------------------------------------------

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cleanText makes descriptive text from outside (user agents, device
// names, what an OAuth provider sent) storable everywhere: NUL bytes are
// dropped and invalid UTF-8 becomes U+FFFD, which PostgreSQL and MySQL's
// utf8mb4 would otherwise refuse with an error. It never adds characters.
func cleanText(s string) string {
	if textOK(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// textOK reports whether every database can take s as a text parameter.
// PostgreSQL rejects invalid UTF-8 and NUL bytes with an error, so a
// lookup of such a value (which cannot be stored) finds nothing instead.
func textOK(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// --- errors ----------------------------------------------------------------

type errKind int

const (
	errOther errKind = iota
	errUnique
	errForeignKey
	errDeadlock
)

// classify sorts a driver error without importing the driver: pgx's
// *pgconn.PgError has SQLState(), modernc's *sqlite.Error has Code(), and
// go-sql-driver's *mysql.MySQLError has a Number field.
func classify(err error) errKind {
	if err == nil {
		return errOther
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		switch pg.SQLState() {
		case "23505":
			return errUnique
		case "23503":
			return errForeignKey
		case "40P01", "40001":
			return errDeadlock
		}
		return errOther
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return errUnique
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return errForeignKey
		case 19: // SQLITE_CONSTRAINT without the extended code
			msg := err.Error()
			switch {
			case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "PRIMARY KEY"):
				return errUnique
			case strings.Contains(msg, "FOREIGN KEY constraint failed"):
				return errForeignKey
			}
		}
		return errOther
	}
	if n, ok := mysqlNumber(err); ok {
		switch n {
		case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
			return errUnique
		case 1452, 1216: // ER_NO_REFERENCED_ROW_2, ER_NO_REFERENCED_ROW
			return errForeignKey
		case 1213: // ER_LOCK_DEADLOCK
			return errDeadlock
		}
	}
	return errOther
}

// mysqlNumber finds the error number of a *mysql.MySQLError in err's chain.
func mysqlNumber(err error) (uint16, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || v.Type().Name() != "MySQLError" {
			continue
		}
		if f := v.FieldByName("Number"); f.IsValid() && f.Kind() == reflect.Uint16 {
			return uint16(f.Uint()), true
		}
	}
	return 0, false
}

func isUnique(err error) bool     { return classify(err) == errUnique }
func isForeignKey(err error) bool { return classify(err) == errForeignKey }
func isDeadlock(err error) bool   { return classify(err) == errDeadlock }

// wrap adds the operation to an unexpected database error.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
