package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

func testRefreshTokens(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("SaveAndGet", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		live := newToken(u.ID, newFamilyID(), baseTime())
		revoked := newToken(u.ID, newFamilyID(), baseTime().Add(-time.Minute))
		revoked.Revoked = true
		unknown := newToken(u.ID, newFamilyID(), time.Date(2025, 6, 30, 10, 0, 7, 0, otherZone))
		unknown.ExpiresAt = time.Date(2025, 7, 30, 10, 0, 7, 0, otherZone)
		unknown.UserAgent, unknown.IPAddress = "", "" // unknown (NULL in SQL)
		for _, rt := range []*fullauth.RefreshToken{live, revoked, unknown} {
			mustSaveToken(t, s, rt)
		}
		for _, want := range []*fullauth.RefreshToken{live, revoked, unknown} {
			wantEqual(t, "RefreshToken("+short(want.Hash)+")", mustToken(t, s, want.Hash), want)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := newStore(t)
		wantTokenMissing(t, s, newTokenHash())
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		rt := newToken(u.ID, newFamilyID(), baseTime())
		want := *rt
		mustSaveToken(t, s, rt)
		scribbleToken(rt)
		scribbleToken(mustToken(t, s, want.Hash))
		fam, err := s.RefreshTokenFamily(ctx(t), want.FamilyID)
		mustNil(t, "RefreshTokenFamily", err)
		for i := range fam {
			scribbleToken(&fam[i])
		}
		wantEqual(t, "RefreshToken() after the caller changed earlier results", mustToken(t, s, want.Hash), &want)
	})

	t.Run("Family", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family, base := newFamilyID(), baseTime()
		// Saved out of order, to show the store orders by CreatedAt.
		t1 := newToken(u.ID, family, base.Add(-3*time.Minute))
		t1.Revoked = true
		t2 := newToken(u.ID, family, base.Add(-2*time.Minute))
		t2.Revoked = true
		t3 := newToken(u.ID, family, base.Add(-time.Minute))
		for _, rt := range []*fullauth.RefreshToken{t2, t3, t1} {
			mustSaveToken(t, s, rt)
		}
		mustSaveToken(t, s, newToken(u.ID, newFamilyID(), base.Add(-2*time.Minute))) // another family
		got, err := s.RefreshTokenFamily(ctx(t), family)
		mustNil(t, "RefreshTokenFamily", err)
		wantEqual(t, "RefreshTokenFamily() (oldest first)", got, []fullauth.RefreshToken{*t1, *t2, *t3})

		got, err = s.RefreshTokenFamily(ctx(t), newFamilyID())
		if err != nil || len(got) != 0 {
			t.Errorf("RefreshTokenFamily(unknown) = %+v, %v; want no rows, nil", got, err)
		}
	})

	t.Run("Rotate", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family, base := newFamilyID(), baseTime()
		old := newToken(u.ID, family, base.Add(-time.Hour))
		mustSaveToken(t, s, old)
		next := newToken(u.ID, family, base)
		mustNil(t, "RotateRefreshToken", s.RotateRefreshToken(ctx(t), old.Hash, next))

		wantOld := *old
		wantOld.Revoked = true
		wantEqual(t, "RefreshToken(old) after rotation", mustToken(t, s, old.Hash), &wantOld)
		wantEqual(t, "RefreshToken(next) after rotation", mustToken(t, s, next.Hash), next)
		got, err := s.RefreshTokenFamily(ctx(t), family)
		mustNil(t, "RefreshTokenFamily", err)
		wantEqual(t, "RefreshTokenFamily() after rotation", got, []fullauth.RefreshToken{wantOld, *next})

		// The successor rotates in turn.
		third := newToken(u.ID, family, base.Add(time.Minute))
		mustNil(t, "RotateRefreshToken(next)", s.RotateRefreshToken(ctx(t), next.Hash, third))
		wantRevoked(t, s, next.Hash, true)
		wantRevoked(t, s, third.Hash, false)
	})

	t.Run("RotateIgnoresExpiry", func(t *testing.T) {
		// Stores never read the clock: whether a token has expired is the
		// flow's decision, so an expired live row still rotates.
		s := newStore(t)
		u := mustCreateUser(t, s)
		family := newFamilyID()
		old := newToken(u.ID, family, baseTime().Add(-48*time.Hour))
		old.ExpiresAt = baseTime().Add(-24 * time.Hour)
		mustSaveToken(t, s, old)
		next := newToken(u.ID, family, baseTime())
		wantErr(t, "RotateRefreshToken(expired but not revoked)", s.RotateRefreshToken(ctx(t), old.Hash, next), nil)
	})

	t.Run("RotateRevoked", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family := newFamilyID()
		old := newToken(u.ID, family, baseTime().Add(-time.Hour))
		old.Revoked = true
		mustSaveToken(t, s, old)
		next := newToken(u.ID, family, baseTime())
		wantErr(t, "RotateRefreshToken(revoked)", s.RotateRefreshToken(ctx(t), old.Hash, next), fullauth.ErrTokenReused)
		wantTokenMissing(t, s, next.Hash)
		wantEqual(t, "RefreshToken(old) after refused rotation", mustToken(t, s, old.Hash), old)
		got, err := s.RefreshTokenFamily(ctx(t), family)
		mustNil(t, "RefreshTokenFamily", err)
		if len(got) != 1 {
			t.Errorf("RefreshTokenFamily() after refused rotation has %d rows, want 1", len(got))
		}
	})

	t.Run("RotateTwice", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family := newFamilyID()
		old := newToken(u.ID, family, baseTime().Add(-time.Hour))
		mustSaveToken(t, s, old)
		first := newToken(u.ID, family, baseTime())
		mustNil(t, "RotateRefreshToken(first)", s.RotateRefreshToken(ctx(t), old.Hash, first))
		second := newToken(u.ID, family, baseTime().Add(time.Second))
		wantErr(t, "RotateRefreshToken(already rotated)", s.RotateRefreshToken(ctx(t), old.Hash, second), fullauth.ErrTokenReused)
		wantTokenMissing(t, s, second.Hash)
		wantRevoked(t, s, first.Hash, false)
	})

	t.Run("RotateMissing", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		next := newToken(u.ID, newFamilyID(), baseTime())
		wantErr(t, "RotateRefreshToken(missing)", s.RotateRefreshToken(ctx(t), newTokenHash(), next), fullauth.ErrNotFound)
		wantTokenMissing(t, s, next.Hash)
	})

	t.Run("RotateRace", func(t *testing.T) {
		// raceN callers rotate one live token at once, each with its own
		// successor: exactly one wins, and every loser sees the winner's
		// change as soon as its ErrTokenReused comes back. A race shows
		// itself only now and then, so it is run several times.
		s := newStore(t)
		u := mustCreateUser(t, s)
		for round := range raceRounds {
			if !rotateRace(t, s, u.ID) {
				t.Fatalf("failed in round %d of %d", round+1, raceRounds)
			}
		}
	})

	t.Run("RevokeByHash", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family := newFamilyID()
		a := newToken(u.ID, family, baseTime().Add(-time.Minute))
		b := newToken(u.ID, family, baseTime())
		mustSaveToken(t, s, a)
		mustSaveToken(t, s, b)

		got, err := s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{Hash: a.Hash})
		mustNil(t, "RevokeRefreshTokens(hash)", err)
		wantSet(t, "RevokeRefreshTokens(hash)", got, []string{family})
		wantRevoked(t, s, a.Hash, true)
		wantRevoked(t, s, b.Hash, false)
		wantA := *a
		wantA.Revoked = true
		wantEqual(t, "RefreshToken() after revocation", mustToken(t, s, a.Hash), &wantA)

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{Hash: a.Hash})
		mustNil(t, "RevokeRefreshTokens(hash, again)", err)
		wantSet(t, "RevokeRefreshTokens(already revoked hash)", got, nil)

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{Hash: newTokenHash()})
		mustNil(t, "RevokeRefreshTokens(missing hash)", err)
		wantSet(t, "RevokeRefreshTokens(missing hash)", got, nil)
	})

	t.Run("RevokeByFamily", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		family, otherFamily := newFamilyID(), newFamilyID()
		a := newToken(u.ID, family, baseTime().Add(-2*time.Minute))
		a.Revoked = true
		b := newToken(u.ID, family, baseTime().Add(-time.Minute))
		c := newToken(u.ID, family, baseTime())
		other := newToken(u.ID, otherFamily, baseTime())
		for _, rt := range []*fullauth.RefreshToken{a, b, c, other} {
			mustSaveToken(t, s, rt)
		}
		got, err := s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{FamilyID: family})
		mustNil(t, "RevokeRefreshTokens(family)", err)
		wantSet(t, "RevokeRefreshTokens(family)", got, []string{family})
		for _, rt := range []*fullauth.RefreshToken{a, b, c} {
			wantRevoked(t, s, rt.Hash, true)
		}
		wantRevoked(t, s, other.Hash, false)

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{FamilyID: family})
		mustNil(t, "RevokeRefreshTokens(family, again)", err)
		wantSet(t, "RevokeRefreshTokens(fully revoked family)", got, nil)

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{FamilyID: newFamilyID()})
		mustNil(t, "RevokeRefreshTokens(unknown family)", err)
		wantSet(t, "RevokeRefreshTokens(unknown family)", got, nil)
	})

	t.Run("RevokeByUser", func(t *testing.T) {
		s := newStore(t)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		twoLive, oneLive, dead := newFamilyID(), newFamilyID(), newFamilyID()
		var rows []*fullauth.RefreshToken
		add := func(userID, family string, revoked bool, age time.Duration) *fullauth.RefreshToken {
			rt := newToken(userID, family, baseTime().Add(-age))
			rt.Revoked = revoked
			mustSaveToken(t, s, rt)
			rows = append(rows, rt)
			return rt
		}
		add(u.ID, twoLive, false, 3*time.Minute)
		add(u.ID, twoLive, false, 2*time.Minute)
		add(u.ID, oneLive, true, 2*time.Minute)
		add(u.ID, oneLive, false, time.Minute)
		add(u.ID, dead, true, time.Minute)
		add(u.ID, dead, true, 0)
		others := add(other.ID, newFamilyID(), false, time.Minute)

		got, err := s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{UserID: u.ID})
		mustNil(t, "RevokeRefreshTokens(user)", err)
		wantSet(t, "RevokeRefreshTokens(user) (each family once; not the already revoked one)", got, []string{twoLive, oneLive})
		for _, rt := range rows {
			wantRevoked(t, s, rt.Hash, rt != others)
		}

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{UserID: u.ID})
		mustNil(t, "RevokeRefreshTokens(user, again)", err)
		wantSet(t, "RevokeRefreshTokens(user, again)", got, nil)

		got, err = s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{UserID: newUserID()})
		mustNil(t, "RevokeRefreshTokens(unknown user)", err)
		wantSet(t, "RevokeRefreshTokens(unknown user)", got, nil)
	})

	t.Run("EmptySelectorRevokesNothing", func(t *testing.T) {
		// A selector must set exactly one field. store.go leaves the
		// answer to an empty one open (an error is best), but it must
		// never be read as "revoke everything".
		s := newStore(t)
		u := mustCreateUser(t, s)
		rt := newToken(u.ID, newFamilyID(), baseTime())
		mustSaveToken(t, s, rt)
		got, err := s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{})
		if err == nil && len(got) != 0 {
			t.Errorf("RevokeRefreshTokens(empty selector) = %q, nil; want an error or no families", got)
		}
		wantRevoked(t, s, rt.Hash, false)
	})
}

// scribbleToken changes every field of a token the caller holds.
func scribbleToken(rt *fullauth.RefreshToken) {
	rt.Hash = "scribbled"
	rt.UserID = "scribbled"
	rt.FamilyID = "scribbled"
	rt.ExpiresAt = rt.ExpiresAt.Add(time.Hour)
	rt.Revoked = !rt.Revoked
	rt.UserAgent = "scribbled"
	rt.IPAddress = "scribbled"
	rt.CreatedAt = rt.CreatedAt.Add(time.Hour)
}

// raceRounds is how many times RotateRace repeats its race.
const raceRounds = 10

// rotateRace runs one round of RotateRace and reports whether it passed.
func rotateRace(t *testing.T, s fullauth.Store, userID string) bool {
	t.Helper()
	family := newFamilyID()
	old := newToken(userID, family, baseTime().Add(-time.Hour))
	mustSaveToken(t, s, old)
	next := make([]*fullauth.RefreshToken, raceN)
	for i := range next {
		next[i] = newToken(userID, family, baseTime())
	}
	var (
		mu       sync.Mutex
		problems []string
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	errs := make([]error, raceN)
	race(raceN, func(i int) {
		errs[i] = s.RotateRefreshToken(ctx(t), old.Hash, next[i])
		if !errors.Is(errs[i], fullauth.ErrTokenReused) {
			return
		}
		// The loser's error must come only after the winner's change is
		// visible.
		rt, err := s.RefreshToken(ctx(t), old.Hash)
		if err != nil || !rt.Revoked {
			report("a loser of the race then read the old token as %+v, %v; want it revoked", rt, err)
		}
		fam, err := s.RefreshTokenFamily(ctx(t), family)
		if err != nil || len(fam) != 2 {
			report("a loser of the race then read the family as %d rows, %v; want 2 (the old token and the winner's successor)", len(fam), err)
		}
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				report("RotateRefreshToken succeeded for callers %d and %d, want exactly one", winner, i)
			}
			winner = i
		case !errors.Is(err, fullauth.ErrTokenReused):
			report("RotateRefreshToken caller %d err = %v, want nil or ErrTokenReused", i, err)
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	if winner < 0 {
		t.Errorf("none of %d concurrent RotateRefreshToken calls succeeded, want exactly one", raceN)
		return false
	}
	wantRevoked(t, s, old.Hash, true)
	wantEqual(t, "RefreshToken(winner's successor)", mustToken(t, s, next[winner].Hash), next[winner])
	for i, rt := range next {
		if i != winner {
			wantTokenMissing(t, s, rt.Hash)
		}
	}
	fam, err := s.RefreshTokenFamily(ctx(t), family)
	mustNil(t, "RefreshTokenFamily", err)
	if len(fam) != 2 {
		t.Errorf("after the race the family has %d rows, want 2 (the old token and one successor)", len(fam))
	}
	return !t.Failed()
}
