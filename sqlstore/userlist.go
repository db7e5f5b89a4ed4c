package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/fullauth/fullauth"
)

// likeEscape is the escape character of the LIKE patterns built by
// containsPattern. It is not a backslash because a backslash means something
// different in a string literal depending on the dialect and, on MySQL, on
// sql_mode (NO_BACKSLASH_ESCAPES) and, on PostgreSQL, on
// standard_conforming_strings; '!' means nothing special anywhere.
const likeEscape = "!"

// containsPattern is the LIKE pattern that matches text containing sub:
// sub lower-cased, with the escape character and the wildcards % and _
// escaped, between two %.
func containsPattern(sub string) string {
	var b strings.Builder
	b.Grow(len(sub) + 8)
	b.WriteByte('%')
	for _, r := range strings.ToLower(sub) {
		if r == '%' || r == '_' || string(r) == likeEscape {
			b.WriteString(likeEscape)
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}

// emailContains returns the WHERE condition that keeps the emails
// containing sub, ignoring case, and the value to bind to it. Both sides
// are lower case: sub is lower-cased in Go (as NormalizeEmail does, beyond
// ASCII), the column with lower(), for tables adopted with emails that are
// not normalised. No btree index serves a search for a part of a text: the
// matches are found by scanning.
//
// SQLite uses instr, a plain substring search: a LIKE pattern longer than
// SQLITE_MAX_LIKE_PATTERN_LENGTH (50,000 bytes by default) is an error
// there, and a column without a declared length may hold emails as long.
//
// MySQL compares in utf8mb4_bin, byte for byte: the email column's
// utf8mb4_unicode_ci would also ignore accents ('é' LIKE 'e'), which is not
// a plain substring match. CONVERT makes that work on a column of any
// character set.
//
// On PostgreSQL an operator who adds a trigram index on lower(email)
// (pg_trgm's gin_trgm_ops) makes this LIKE use it.
func (s *Store) emailContains(sub string) (cond string, arg any) {
	switch s.d {
	case SQLite:
		return "instr(lower(email), ?) > 0", strings.ToLower(sub)
	case MySQL:
		return "CONVERT(lower(email) USING utf8mb4) COLLATE utf8mb4_bin LIKE ? ESCAPE '" + likeEscape + "'", containsPattern(sub)
	}
	return "lower(email) LIKE ? ESCAPE '" + likeEscape + "'", containsPattern(sub)
}

// ListUsers returns one page of the users whose email contains
// q.EmailContains, compared case-insensitively as plain text ("" keeps
// every user), ordered by created_at and then id; and how many users match
// in all. A page past the end is an empty slice with the total. A Limit
// below 1 or a negative Offset is a [*fullauth.ValidationError]. An
// EmailContains that no database could store (NUL bytes, invalid UTF-8)
// matches nothing.
//
// The page and the total come from one statement, so they agree with each
// other even while users are being added or deleted; only when the page is
// empty is the total counted by a second one. Migration 0003 indexes
// (created_at, id), so a page is read in order from the index instead of
// sorting the table; the total still counts every matching row.
func (s *Store) ListUsers(ctx context.Context, q fullauth.UserQuery) ([]fullauth.User, int, error) {
	switch {
	case q.Limit < 1:
		return nil, 0, &fullauth.ValidationError{Field: "limit", Message: "limit must be at least 1"}
	case q.Offset < 0:
		return nil, 0, &fullauth.ValidationError{Field: "offset", Message: "offset must not be negative"}
	}
	out := []fullauth.User{}
	var where string
	var args []any
	if q.EmailContains != "" {
		if !textOK(q.EmailContains) {
			return out, 0, nil
		}
		cond, arg := s.emailContains(q.EmailContains)
		where, args = " WHERE "+cond, []any{arg}
	}
	count := "SELECT COUNT(*) FROM fullauth_users" + where
	page := "SELECT " + userCols + ", (" + count + ") FROM fullauth_users" + where +
		" ORDER BY created_at, id LIMIT ? OFFSET ?"
	var pageArgs []any
	pageArgs = append(pageArgs, args...) // the count's WHERE
	pageArgs = append(pageArgs, args...) // the page's WHERE
	pageArgs = append(pageArgs, int64(q.Limit), int64(q.Offset))
	rows, err := s.query(ctx, s.db, page, pageArgs...)
	if err != nil {
		return nil, 0, wrap("list users", err)
	}
	defer rows.Close()
	total := -1
	for rows.Next() {
		u, err := s.scanUser(totalScan{rows, &total})
		if err != nil {
			return nil, 0, wrap("list users", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap("list users", err)
	}
	if total < 0 { // no row on this page: count on its own
		if err := s.queryRow(ctx, s.db, count, args...).Scan(&total); err != nil {
			return nil, 0, wrap("list users", err)
		}
	}
	return out, total, nil
}

// totalScan reads a user row followed by the total, for scanUser.
type totalScan struct {
	rows  *sql.Rows
	total *int
}

func (t totalScan) Scan(dest ...any) error { return t.rows.Scan(append(dest, t.total)...) }
