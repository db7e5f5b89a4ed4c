package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/fullauth/fullauth"
)

// testPasswordSwap checks [fullauth.PasswordHashSwapper]: the swap happens
// only from the hash stored now, and of racing swaps from one hash exactly
// one wins.
func testPasswordSwap(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	swapper := func(t *testing.T) (fullauth.Store, fullauth.PasswordHashSwapper) {
		s := newStore(t)
		return s, as[fullauth.PasswordHashSwapper](t, s)
	}
	wantHash := func(t *testing.T, s fullauth.Store, id, want string) {
		t.Helper()
		if got, err := s.PasswordHash(ctx(t), id); err != nil || got != want {
			t.Errorf("PasswordHash() = %q, %v; want %q, nil", got, err, want)
		}
	}

	t.Run("FromCurrent", func(t *testing.T) {
		s, sw := swapper(t)
		u, other := newUser(), newUser()
		old, otherHash := newPasswordHash(), newPasswordHash()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, old))
		mustNil(t, "CreateUser(other)", s.CreateUser(ctx(t), other, otherHash))
		next := newPasswordHash()
		if ok, err := sw.SwapPasswordHash(ctx(t), u.ID, old, next); err != nil || !ok {
			t.Fatalf("SwapPasswordHash(current hash) = %v, %v; want true, nil", ok, err)
		}
		wantHash(t, s, u.ID, next)
		wantHash(t, s, other.ID, otherHash)
		wantEqual(t, "User() after SwapPasswordHash", mustUser(t, s, u.ID), u)
	})

	t.Run("FromStale", func(t *testing.T) {
		s, sw := swapper(t)
		u := newUser()
		old := newPasswordHash()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, old))
		changed := newPasswordHash()
		mustNil(t, "SetPasswordHash", s.SetPasswordHash(ctx(t), u.ID, changed))
		if ok, err := sw.SwapPasswordHash(ctx(t), u.ID, old, newPasswordHash()); err != nil || ok {
			t.Fatalf("SwapPasswordHash(stale hash) = %v, %v; want false, nil", ok, err)
		}
		wantHash(t, s, u.ID, changed)
	})

	t.Run("NoPassword", func(t *testing.T) {
		s, sw := swapper(t)
		u := newUser()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, ""))
		if ok, err := sw.SwapPasswordHash(ctx(t), u.ID, newPasswordHash(), newPasswordHash()); err != nil || ok {
			t.Fatalf("SwapPasswordHash(user without password) = %v, %v; want false, nil", ok, err)
		}
		wantHash(t, s, u.ID, "")
	})

	t.Run("MissingUser", func(t *testing.T) {
		_, sw := swapper(t)
		if ok, err := sw.SwapPasswordHash(ctx(t), newUserID(), newPasswordHash(), newPasswordHash()); !errors.Is(err, fullauth.ErrNotFound) || ok {
			t.Errorf("SwapPasswordHash(missing user) = %v, %v; want false, ErrNotFound", ok, err)
		}
	})

	t.Run("Race", func(t *testing.T) {
		s, sw := swapper(t)
		u := newUser()
		old := newPasswordHash()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, old))
		const n = 8
		nexts := make([]string, n)
		won := make([]bool, n)
		for i := range nexts {
			nexts[i] = newPasswordHash()
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ok, err := sw.SwapPasswordHash(ctx(t), u.ID, old, nexts[i])
				if err != nil {
					t.Errorf("SwapPasswordHash: %v", err)
				}
				won[i] = ok
			})
		}
		wg.Wait()
		winners := 0
		for i, ok := range won {
			if ok {
				winners++
				wantHash(t, s, u.ID, nexts[i])
			}
		}
		if winners != 1 {
			t.Errorf("%d of %d racing swaps from one hash won, want 1", winners, n)
		}
	})
}
