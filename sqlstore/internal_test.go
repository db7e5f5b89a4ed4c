package sqlstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseUUID(t *testing.T) {
	const canon = "0190b2f4-3c1e-7a2b-8c3d-4e5f60718293"
	for _, in := range []string{canon, "0190B2F4-3C1E-7A2B-8C3D-4E5F60718293", "0190b2f43c1e7a2b8c3d4e5f60718293"} {
		u, ok := parseUUID(in)
		if !ok || u.String() != canon || u.hex() != "0190b2f43c1e7a2b8c3d4e5f60718293" {
			t.Errorf("parseUUID(%q) = %v, %v; want %s", in, u, ok, canon)
		}
	}
	for _, in := range []string{"", "0190b2f4-3c1e-7a2b-8c3d-4e5f6071829", "0190b2f4x3c1e-7a2b-8c3d-4e5f60718293",
		"{0190b2f4-3c1e-7a2b-8c3d-4e5f60718293}", "0190b2f43c1e7a2b8c3d4e5f6071829g", " 0190b2f43c1e7a2b8c3d4e5f6071829"} {
		if _, ok := parseUUID(in); ok {
			t.Errorf("parseUUID(%q) ok, want not a UUID", in)
		}
	}
}

func TestIDGen(t *testing.T) {
	var g idGen
	prev := ""
	for range 10000 {
		u := g.next()
		s := u.String()
		if s[14] != '7' || !strings.ContainsRune("89ab", rune(s[19])) {
			t.Fatalf("%s is not a UUIDv7 of the RFC 9562 variant", s)
		}
		if s <= prev {
			t.Fatalf("ids not increasing: %s after %s", s, prev)
		}
		prev = s
	}
	u := g.next()
	ms := int64(u[0])<<40 | int64(u[1])<<32 | int64(u[2])<<24 | int64(u[3])<<16 | int64(u[4])<<8 | int64(u[5])
	if d := time.Since(time.UnixMilli(ms)); d < -time.Second || d > 10*time.Second {
		t.Errorf("timestamp of %s is %v away from now", u, d)
	}
}

func TestParseStatements(t *testing.T) {
	stmts, err := parseStatements(`-- a comment
CREATE TABLE a (
	x INT -- trailing
);

-- fullauth:unless-index a ix_a
CREATE INDEX ix_a ON a (x);
-- fullauth:unless-column a y
ALTER TABLE a ADD COLUMN y INT;
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []statement{
		{sql: "CREATE TABLE a (\n\tx INT -- trailing\n)"},
		{sql: "CREATE INDEX ix_a ON a (x)", unless: "index", args: []string{"a", "ix_a"}},
		{sql: "ALTER TABLE a ADD COLUMN y INT", unless: "column", args: []string{"a", "y"}},
	}
	if !slices.EqualFunc(stmts, want, func(a, b statement) bool {
		return a.sql == b.sql && a.unless == b.unless && slices.Equal(a.args, b.args)
	}) {
		t.Errorf("parseStatements = %#v\nwant %#v", stmts, want)
	}
	for _, bad := range []string{"CREATE TABLE a (x INT)", "-- fullauth:unless-index a\nSELECT 1;", "-- fullauth:when a b\nSELECT 1;", "-- fullauth:unless-index a b\n"} {
		if _, err := parseStatements(bad); err == nil {
			t.Errorf("parseStatements(%q) err = nil, want an error", bad)
		}
	}
}

func TestEmbeddedMigrations(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres, MySQL} {
		migs, err := loadMigrations(d)
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		var names []string
		for _, m := range migs {
			names = append(names, m.name)
		}
		if want := []string{"0001_init", "0002_display_name", "0003_users_created_index"}; !slices.Equal(names, want) {
			t.Errorf("%v migrations = %q, want %q", d, names, want)
		}
	}
}

type pgErr struct{ code string }

func (e *pgErr) Error() string    { return "pg " + e.code }
func (e *pgErr) SQLState() string { return e.code }

type liteErr struct{ code int }

func (e *liteErr) Error() string { return fmt.Sprint("sqlite ", e.code) }
func (e *liteErr) Code() int     { return e.code }

// MySQLError has the shape of go-sql-driver's.
type MySQLError struct {
	Number   uint16
	SQLState [5]byte
	Message  string
}

func (e *MySQLError) Error() string { return e.Message }

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want errKind
	}{
		{&pgErr{"23505"}, errUnique},
		{fmt.Errorf("wrapped: %w", &pgErr{"23503"}), errForeignKey},
		{&pgErr{"40P01"}, errDeadlock},
		{&pgErr{"22P02"}, errOther},
		{&liteErr{2067}, errUnique},
		{&liteErr{1555}, errUnique},
		{&liteErr{787}, errForeignKey},
		{&liteErr{5}, errOther},
		{&MySQLError{Number: 1062}, errUnique},
		{fmt.Errorf("x: %w", &MySQLError{Number: 1452}), errForeignKey},
		{&MySQLError{Number: 1213}, errDeadlock},
		{&MySQLError{Number: 1146}, errOther},
		{errors.New("Error 1062: Duplicate entry"), errOther},
		{nil, errOther},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRebind(t *testing.T) {
	s := &Store{d: Postgres}
	if got, want := s.rebind("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)"; got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
	s.d = MySQL
	if got := s.rebind("a = ?"); got != "a = ?" {
		t.Errorf("rebind on MySQL = %q, want it unchanged", got)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{"ok": "ok", "a\x00b": "ab", "a\xffb": "a\uFFFDb", "\xff\xfe": "\uFFFD", "é": "é"} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
