package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/sqlstore"
)

// TestListUsersMatching covers what storetest cannot: emails adopted
// without being normalised, accents, and text no database can take or no
// LIKE pattern can be made of. Each dialect gets a fresh database, so
// totals are exact.
func TestListUsersMatching(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, db := b.newStore(t)
		ctx := t.Context()
		count := func(sub string) int {
			t.Helper()
			users, total, err := s.ListUsers(ctx, fullauth.UserQuery{EmailContains: sub, Limit: 10})
			if err != nil {
				t.Fatalf("ListUsers(%.40q) err = %v, want nil", sub, err)
			}
			if len(users) != total {
				t.Errorf("ListUsers(%.40q) = %d users, total %d; want as many as the total", sub, len(users), total)
			}
			return total
		}
		create := func(email string, created time.Time) *fullauth.User {
			t.Helper()
			u := &fullauth.User{Email: email, Active: true, CreatedAt: created}
			if err := s.CreateUser(ctx, u, ""); err != nil {
				t.Fatalf("CreateUser(%q): %v", email, err)
			}
			return u
		}
		now := time.Now()
		create("josé@example.com", now.Add(-2*time.Minute))
		adopted := create("placeholder@example.com", now.Add(-time.Minute))

		// Accents count: a plain substring, not a collation's idea of one.
		for sub, want := range map[string]int{"josé": 1, "JOSÉ": 1, "José@": 1, "jose": 0, "JOSE": 0} {
			if got := count(sub); got != want {
				t.Errorf("ListUsers(%q) total = %d, want %d", sub, got, want)
			}
		}

		// A table adopted from elsewhere may hold an email that is not
		// lower case; it is matched case-insensitively all the same.
		id := strings.ReplaceAll(adopted.ID, "-", "")
		update := "UPDATE fullauth_users SET email = ? WHERE id = ?"
		if b.dialect == sqlstore.Postgres {
			id, update = adopted.ID, "UPDATE fullauth_users SET email = $1 WHERE id = $2"
		}
		if _, err := db.Exec(update, "MiXeD.Case@Example.COM", id); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"mixed.case", "MIXED.CASE@EXAMPLE.COM", "xEd.c"} {
			if got := count(sub); got != 1 {
				t.Errorf("ListUsers(%q) total = %d, want 1 (the adopted MiXeD.Case@Example.COM)", sub, got)
			}
		}

		// Text that no email can hold finds nothing, without an error.
		for _, sub := range hostileText {
			if got := count(sub); got != 0 {
				t.Errorf("ListUsers(%.40q) total = %d, want 0", sub, got)
			}
		}
		if got := count(""); got != 2 {
			t.Errorf(`ListUsers("") total = %d, want 2`, got)
		}
	})
}
