package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// The UserListStore sub-suite. What it checks:
//
//   - Users come oldest first: by CreatedAt (the instant, whatever the
//     zone), then by ID in byte-wise order.
//   - total counts every user that matches, whatever page is asked for; a
//     page past the end is empty (nil or empty, either is fine) with the
//     right total.
//   - EmailContains matches a part of the email, ignoring case, as plain
//     text: "%", "_", "\", "!" and "[" are characters like any other, not
//     wildcards or escapes.
//   - Deleted users are gone from the list, and a changed email is searched
//     as it is now.
//   - A Limit below 1 or a negative Offset is an error; any error will do.
//
// The store may hold other users, so every subtest gives its users emails
// containing a fresh marker and lists with EmailContains set to it, which
// makes totals exact. Only the subtest listing without a filter looks at
// users it did not make, and only to check their order.

// newMarker returns a fresh text to put in the emails of one subtest.
func newMarker() string { return "ul-" + randomHex(8) }

// markedUser returns an unsaved user whose email is marker, a dash and
// local, at example.com, created at created.
func markedUser(marker, local string, created time.Time) *fullauth.User {
	u := newUser()
	u.Email = marker + "-" + local + "@example.com"
	u.CreatedAt = created
	return u
}

func mustCreate(t *testing.T, s fullauth.Store, users ...*fullauth.User) {
	t.Helper()
	for _, u := range users {
		if err := s.CreateUser(ctx(t), u, newPasswordHash()); err != nil {
			t.Fatalf("CreateUser(%q) err = %v, want nil", u.Email, err)
		}
	}
}

// mustList calls ListUsers, which must succeed.
func mustList(t *testing.T, ls fullauth.UserListStore, q fullauth.UserQuery) ([]fullauth.User, int) {
	t.Helper()
	users, total, err := ls.ListUsers(ctx(t), q)
	if err != nil {
		t.Fatalf("ListUsers(%+v) err = %v, want nil", q, err)
	}
	return users, total
}

// listOrder sorts users the way ListUsers must return them.
func listOrder(users []*fullauth.User) []fullauth.User {
	out := make([]fullauth.User, len(users))
	for i, u := range users {
		out[i] = *u
	}
	slices.SortFunc(out, compareListed)
	return out
}

func compareListed(a, b fullauth.User) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func userIDs(users []fullauth.User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// wantPage checks one result of ListUsers against the users and total
// expected.
func wantPage(t *testing.T, q fullauth.UserQuery, got []fullauth.User, total int, want []fullauth.User, wantTotal int) {
	t.Helper()
	call := "ListUsers(" + describe(q) + ")"
	if total != wantTotal {
		t.Errorf("%s total = %d, want %d", call, total, wantTotal)
	}
	if !slices.Equal(userIDs(got), userIDs(want)) {
		t.Errorf("%s returned users %q, want %q", call, userIDs(got), userIDs(want))
		return
	}
	wantEqual(t, call, got, want)
}

func describe(q fullauth.UserQuery) string {
	return fmt.Sprintf("EmailContains: %q, Limit: %d, Offset: %d", q.EmailContains, q.Limit, q.Offset)
}

func testUserList(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("Pages", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		base := baseTime()
		// Seven users an hour apart, created out of order; every other one
		// in a zone whose wall clock is hours ahead, so a store that orders
		// by wall-clock text is caught.
		var users []*fullauth.User
		for i, hours := range []int{5, 1, 7, 3, 6, 2, 4} {
			created := base.Add(-time.Duration(hours) * time.Hour)
			if i%2 == 1 {
				created = created.In(otherZone)
			}
			users = append(users, markedUser(marker, "u"+strconv.Itoa(i), created))
		}
		mustCreate(t, s, users...)
		all := listOrder(users)

		var seen []fullauth.User
		for _, offset := range []int{0, 3, 6} {
			q := fullauth.UserQuery{EmailContains: marker, Limit: 3, Offset: offset}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, all[offset:min(offset+3, len(all))], len(all))
			seen = append(seen, got...)
		}
		if !slices.Equal(userIDs(seen), userIDs(all)) {
			t.Errorf("the three pages of 3 together = %q, want every user once, oldest first: %q", userIDs(seen), userIDs(all))
		}

		for _, q := range []fullauth.UserQuery{
			{EmailContains: marker, Limit: 100},
			{EmailContains: marker, Limit: 7},
		} {
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, all, len(all))
		}
		q := fullauth.UserQuery{EmailContains: marker, Limit: 1, Offset: 6}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, all[6:], len(all))
		q = fullauth.UserQuery{EmailContains: marker, Limit: 2, Offset: 2}
		got, total = mustList(t, ls, q)
		wantPage(t, q, got, total, all[2:4], len(all))

		// Past the end: no users, but still the total.
		for _, offset := range []int{7, 8, 1000} {
			q := fullauth.UserQuery{EmailContains: marker, Limit: 3, Offset: offset}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, nil, len(all))
		}
	})

	t.Run("TiesBrokenByID", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		at := baseTime().Add(-2 * time.Hour)
		// Six ids in byte-wise order. The earliest user gets the greatest
		// id and the latest the least, and the four created at the same
		// moment are created in descending id order, so neither insertion
		// order nor id order alone gives the right list.
		ids := make([]string, 6)
		for i := range ids {
			ids[i] = newUserID()
		}
		slices.Sort(ids)
		users := []*fullauth.User{
			markedUser(marker, "late", at.Add(time.Minute)),
			markedUser(marker, "tie4", at),
			markedUser(marker, "tie3", at.In(otherZone)),
			markedUser(marker, "tie2", at),
			markedUser(marker, "tie1", at.In(otherZone)),
			markedUser(marker, "early", at.Add(-time.Minute)),
		}
		for i, id := range []int{0, 4, 3, 2, 1, 5} {
			users[i].ID = ids[id]
		}
		mustCreate(t, s, users...)
		want := []fullauth.User{*users[5], *users[4], *users[3], *users[2], *users[1], *users[0]}

		q := fullauth.UserQuery{EmailContains: marker, Limit: 10}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, want, len(want))
		// Pages split the tie the same way.
		var seen []fullauth.User
		for offset := 0; offset < len(want); offset += 2 {
			q := fullauth.UserQuery{EmailContains: marker, Limit: 2, Offset: offset}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, want[offset:offset+2], len(want))
			seen = append(seen, got...)
		}
		if !slices.Equal(userIDs(seen), userIDs(want)) {
			t.Errorf("pages of 2 together = %q, want %q", userIDs(seen), userIDs(want))
		}
	})

	t.Run("IgnoresCase", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		base := baseTime()
		users := []*fullauth.User{
			markedUser(marker, "alice", base.Add(-2*time.Minute)),
			markedUser(marker, "bob", base.Add(-time.Minute)),
		}
		mustCreate(t, s, users...)
		all := listOrder(users)
		for _, sub := range []string{strings.ToUpper(marker), "Ul-" + marker[3:], strings.ToUpper(marker + "-")} {
			q := fullauth.UserQuery{EmailContains: sub, Limit: 10}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, all, len(all))
		}
		q := fullauth.UserQuery{EmailContains: strings.ToUpper(marker + "-alice@Example.COM"), Limit: 10}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, all[:1], 1)
	})

	t.Run("PlainText", func(t *testing.T) {
		// Each pair holds an email with a character that LIKE patterns (or
		// their escapes) treat specially, and one that the character would
		// match if the store passed it on unescaped. Searching for the
		// first must find only it.
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		base := baseTime()
		pairs := []struct{ special, decoy string }{
			{"a_b", "axb"},   // _ matches one character
			{"c%d", "cxyzd"}, // % matches any run
			{`e\f`, "ef"},    // \ escapes the next character
			{`g\%h`, `g\xh`}, // … including a wildcard
			{"i!j", "ij"},    // another common escape character
			{"k[l]m", "klm"}, // [l] is a set in some dialects
		}
		var users []*fullauth.User
		for i, p := range pairs {
			at := base.Add(-time.Duration(2*i) * time.Minute)
			users = append(users, markedUser(marker, p.special, at), markedUser(marker, p.decoy, at.Add(time.Second)))
		}
		mustCreate(t, s, users...)
		for i, p := range pairs {
			q := fullauth.UserQuery{EmailContains: marker + "-" + p.special, Limit: 10}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, []fullauth.User{*users[2*i]}, 1)
		}
		// Text that a wildcard would match in every email of the subtest,
		// and text ending in what would be an escape character.
		for _, tail := range []string{"%", "_", "%@example.com", "_c%d@", `\`, "!", "["} {
			q := fullauth.UserQuery{EmailContains: marker + tail, Limit: 10}
			got, total := mustList(t, ls, q)
			wantPage(t, q, got, total, nil, 0)
		}
		q := fullauth.UserQuery{EmailContains: marker, Limit: 100}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, listOrder(users), len(users))
	})

	t.Run("NoMatch", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		mustCreate(t, s, markedUser(newMarker(), "someone", baseTime()))
		q := fullauth.UserQuery{EmailContains: newMarker(), Limit: 10}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, nil, 0)
	})

	t.Run("DeletedUsersVanish", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		base := baseTime()
		users := []*fullauth.User{
			markedUser(marker, "first", base.Add(-3*time.Minute)),
			markedUser(marker, "second", base.Add(-2*time.Minute)),
			markedUser(marker, "third", base.Add(-time.Minute)),
		}
		mustCreate(t, s, users...)
		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), users[1].ID))
		want := []fullauth.User{*users[0], *users[2]}
		q := fullauth.UserQuery{EmailContains: marker, Limit: 10}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, want, 2)
		q = fullauth.UserQuery{EmailContains: marker, Limit: 1, Offset: 1}
		got, total = mustList(t, ls, q)
		wantPage(t, q, got, total, want[1:], 2)

		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), users[0].ID))
		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), users[2].ID))
		q = fullauth.UserQuery{EmailContains: marker, Limit: 10}
		got, total = mustList(t, ls, q)
		wantPage(t, q, got, total, nil, 0)
	})

	t.Run("EmailChange", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		before, after := newMarker(), newMarker()
		u := markedUser(before, "moving", baseTime().Add(-time.Minute))
		mustCreate(t, s, u)
		email := after + "-moved@example.com"
		updated, err := s.UpdateUser(ctx(t), u.ID, fullauth.UserUpdate{Email: &email})
		mustNil(t, "UpdateUser(email)", err)
		q := fullauth.UserQuery{EmailContains: before, Limit: 10}
		got, total := mustList(t, ls, q)
		wantPage(t, q, got, total, nil, 0)
		q = fullauth.UserQuery{EmailContains: after, Limit: 10}
		got, total = mustList(t, ls, q)
		wantPage(t, q, got, total, []fullauth.User{*updated}, 1)
	})

	t.Run("NoFilter", func(t *testing.T) {
		// "" keeps every user, ours among them. Other users may be in the
		// store, so this checks only that ours are counted and that the
		// whole list is in order.
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		base := baseTime()
		users := []*fullauth.User{
			markedUser(marker, "one", base.Add(-time.Minute)),
			markedUser(marker, "two", base),
		}
		mustCreate(t, s, users...)
		q := fullauth.UserQuery{Limit: 1}
		got, total := mustList(t, ls, q)
		if total < len(users) || len(got) != 1 {
			t.Fatalf("ListUsers(%s) = %d users, total %d; want 1 user and a total of at least %d", describe(q), len(got), total, len(users))
		}
		if total > 10000 {
			t.Skipf("the store holds %d users; not reading them all", total)
		}
		q = fullauth.UserQuery{Limit: total + 10}
		got, total = mustList(t, ls, q)
		if len(got) != total {
			t.Errorf("ListUsers(%s) returned %d users, total %d; want as many users as the total", describe(q), len(got), total)
		}
		if !slices.IsSortedFunc(got, compareListed) {
			t.Errorf("ListUsers(%s) is not ordered by CreatedAt, then ID", describe(q))
		}
		var ours []fullauth.User
		for _, u := range got {
			if strings.HasPrefix(u.Email, marker+"-") {
				ours = append(ours, u)
			}
		}
		wantEqual(t, "our users in ListUsers("+describe(q)+")", ours, listOrder(users))
	})

	t.Run("BadPage", func(t *testing.T) {
		s := newStore(t)
		ls := as[fullauth.UserListStore](t, s)
		marker := newMarker()
		mustCreate(t, s, markedUser(marker, "someone", baseTime()))
		for _, q := range []fullauth.UserQuery{
			{EmailContains: marker, Limit: 0},
			{EmailContains: marker, Limit: -1},
			{EmailContains: marker, Limit: 10, Offset: -1},
			{EmailContains: marker, Limit: 0, Offset: -5},
			{Limit: 0},
		} {
			if got, total, err := ls.ListUsers(ctx(t), q); err == nil {
				t.Errorf("ListUsers(%s) = %d users, total %d, nil error; want an error", describe(q), len(got), total)
			}
		}
	})
}
