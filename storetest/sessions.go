package storetest

import (
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// sessionFixture is one user's refresh-token families, built to exercise every
// aggregation rule of Sessions (CONTRACT.md §3.7 and §17.6), plus a family of
// another user.
type sessionFixture struct {
	user, other *fullauth.User
	now         time.Time
	// a: revoked oldest row, live middle row, revoked newest row.
	// b: revoked old row, live newest row with unknown UA and IP, expiring
	//    an hour after now.
	// c: every row revoked.
	// d: one row, not revoked but expired at now.
	// e: two live rows and a newer expired one; its newest live row
	//    expires two hours after now, the older one a day after.
	// f: the other user's live family.
	a, b, c, d, e, f string
	rows             map[string][]*fullauth.RefreshToken // by family
}

func newSessionFixture(t *testing.T, s fullauth.Store) *sessionFixture {
	t.Helper()
	now := baseTime()
	fx := &sessionFixture{
		user: mustCreateUser(t, s), other: mustCreateUser(t, s), now: now,
		a: newFamilyID(), b: newFamilyID(), c: newFamilyID(), d: newFamilyID(), e: newFamilyID(), f: newFamilyID(),
		rows: map[string][]*fullauth.RefreshToken{},
	}
	add := func(u *fullauth.User, family string, created, expires time.Duration, revoked bool) *fullauth.RefreshToken {
		rt := newToken(u.ID, family, now.Add(created))
		rt.ExpiresAt = now.Add(expires)
		rt.Revoked = revoked
		fx.rows[family] = append(fx.rows[family], rt)
		return rt
	}
	const day = 24 * time.Hour
	add(fx.user, fx.a, -10*time.Minute, day, true)
	add(fx.user, fx.a, -5*time.Minute, 2*day, false)
	add(fx.user, fx.a, -2*time.Minute, 3*day, true)

	add(fx.user, fx.b, -20*time.Minute, day, true)
	blank := add(fx.user, fx.b, -30*time.Second, time.Hour, false)
	blank.UserAgent, blank.IPAddress = "", ""

	add(fx.user, fx.c, -40*time.Minute, day, true)
	add(fx.user, fx.c, -3*time.Minute, day, true)

	add(fx.user, fx.d, -50*time.Minute, -time.Second, false)

	add(fx.user, fx.e, -30*time.Minute, day, false)
	add(fx.user, fx.e, -25*time.Minute, 2*time.Hour, false)
	add(fx.user, fx.e, -20*time.Minute, -time.Minute, false)

	add(fx.other, fx.f, -4*time.Minute, day, false)

	// Saved newest first, so a store that lists rows in insertion order
	// rather than by CreatedAt is caught.
	for _, fam := range []string{fx.a, fx.b, fx.c, fx.d, fx.e, fx.f} {
		rows := fx.rows[fam]
		for i := len(rows) - 1; i >= 0; i-- {
			mustSaveToken(t, s, rows[i])
		}
	}
	return fx
}

func testSessions(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("List", func(t *testing.T) {
		s := newStore(t)
		ss := as[fullauth.SessionStore](t, s)
		fx := newSessionFixture(t, s)
		a, b, e := fx.rows[fx.a], fx.rows[fx.b], fx.rows[fx.e]
		got, err := ss.Sessions(ctx(t), fx.user.ID, fx.now)
		mustNil(t, "Sessions", err)
		// Most recently used first: b (30 s ago), a (2 min), e (20 min).
		// c (all revoked) and d (only an expired row) are not listed.
		want := []fullauth.Session{
			session(fx.b, b[0], b[1], b[1]),
			session(fx.a, a[0], a[2], a[1]),
			session(fx.e, e[0], e[2], e[1]),
		}
		wantEqual(t, "Sessions()", got, want)
	})

	t.Run("ListUsesNow", func(t *testing.T) {
		// Three hours later b's live row and e's newest live row have
		// expired; e is still listed through its older live row.
		s := newStore(t)
		ss := as[fullauth.SessionStore](t, s)
		fx := newSessionFixture(t, s)
		a, e := fx.rows[fx.a], fx.rows[fx.e]
		got, err := ss.Sessions(ctx(t), fx.user.ID, fx.now.Add(3*time.Hour))
		mustNil(t, "Sessions(now+3h)", err)
		want := []fullauth.Session{
			session(fx.a, a[0], a[2], a[1]),
			session(fx.e, e[0], e[2], e[0]),
		}
		wantEqual(t, "Sessions(now+3h)", got, want)

		got, err = ss.Sessions(ctx(t), fx.user.ID, fx.now.Add(30*24*time.Hour))
		if err != nil || len(got) != 0 {
			t.Errorf("Sessions(after every row expired) = %+v, %v; want none", got, err)
		}
	})

	t.Run("ListNone", func(t *testing.T) {
		s := newStore(t)
		ss := as[fullauth.SessionStore](t, s)
		u := mustCreateUser(t, s)
		for _, id := range []string{u.ID, newUserID()} {
			got, err := ss.Sessions(ctx(t), id, baseTime())
			if err != nil || len(got) != 0 {
				t.Errorf("Sessions(user without tokens) = %+v, %v; want none, nil", got, err)
			}
		}
	})

	t.Run("End", func(t *testing.T) {
		s := newStore(t)
		ss := as[fullauth.SessionStore](t, s)
		fx := newSessionFixture(t, s)
		for _, tc := range []struct {
			name, family string
			want         bool
		}{
			{"live family", fx.a, true},
			{"same family again", fx.a, true},
			{"fully revoked family", fx.c, true},
			{"family with only an expired row", fx.d, true},
			{"another user's family", fx.f, false},
			{"unknown family", newFamilyID(), false},
		} {
			got, err := ss.EndSession(ctx(t), fx.user.ID, tc.family)
			if err != nil || got != tc.want {
				t.Errorf("EndSession(%s) = %v, %v; want %v, nil", tc.name, got, err, tc.want)
			}
		}
		for _, fam := range []string{fx.a, fx.c, fx.d} {
			for _, rt := range fx.rows[fam] {
				wantRevoked(t, s, rt.Hash, true)
			}
		}
		for _, fam := range []string{fx.b, fx.e, fx.f} {
			for _, rt := range fx.rows[fam] {
				wantRevoked(t, s, rt.Hash, rt.Revoked)
			}
		}
		got, err := ss.Sessions(ctx(t), fx.user.ID, fx.now)
		mustNil(t, "Sessions", err)
		if len(got) != 2 || got[0].FamilyID != fx.b || got[1].FamilyID != fx.e {
			t.Errorf("Sessions() after EndSession(a) = %+v, want the families b and e", got)
		}
	})

	t.Run("EndOthers", func(t *testing.T) {
		s := newStore(t)
		ss := as[fullauth.SessionStore](t, s)
		fx := newSessionFixture(t, s)
		got, err := ss.EndOtherSessions(ctx(t), fx.user.ID, fx.a)
		mustNil(t, "EndOtherSessions", err)
		// d's row is not revoked, only expired; a store cannot tell
		// without a clock, so "live" here means "not revoked".
		wantSet(t, "EndOtherSessions(keep a) (families with a non-revoked row, not c)", got, []string{fx.b, fx.d, fx.e})
		for _, fam := range []string{fx.b, fx.c, fx.d, fx.e} {
			for _, rt := range fx.rows[fam] {
				wantRevoked(t, s, rt.Hash, true)
			}
		}
		for _, fam := range []string{fx.a, fx.f} {
			for _, rt := range fx.rows[fam] {
				wantRevoked(t, s, rt.Hash, rt.Revoked)
			}
		}
		sessions, err := ss.Sessions(ctx(t), fx.user.ID, fx.now)
		mustNil(t, "Sessions", err)
		if len(sessions) != 1 || sessions[0].FamilyID != fx.a {
			t.Errorf("Sessions() after EndOtherSessions(keep a) = %+v, want only a", sessions)
		}

		got, err = ss.EndOtherSessions(ctx(t), fx.user.ID, fx.a)
		mustNil(t, "EndOtherSessions(again)", err)
		wantSet(t, "EndOtherSessions(again)", got, nil)

		// Keeping an unknown family ends them all.
		got, err = ss.EndOtherSessions(ctx(t), fx.user.ID, newFamilyID())
		mustNil(t, "EndOtherSessions(keep unknown)", err)
		wantSet(t, "EndOtherSessions(keep unknown)", got, []string{fx.a})
		wantRevoked(t, s, fx.rows[fx.f][0].Hash, false)
	})
}

// session is the Session a family should aggregate to, given its earliest
// row, its latest row and its newest live row.
func session(family string, earliest, latest, newestLive *fullauth.RefreshToken) fullauth.Session {
	return fullauth.Session{
		FamilyID:   family,
		IPAddress:  newestLive.IPAddress,
		UserAgent:  newestLive.UserAgent,
		CreatedAt:  earliest.CreatedAt,
		LastUsedAt: latest.CreatedAt,
		ExpiresAt:  newestLive.ExpiresAt,
	}
}
