package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// keys returns n fresh keys under one random prefix.
func keys(n int) []string {
	p := "storetest:" + randomHex(8) + ":"
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%sk%d", p, i)
	}
	return out
}

func key() string { return keys(1)[0] }

// allBytes is a value holding every byte value once, so that text-only
// storage is caught.
var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func mustSet(t *testing.T, kv fullauth.KV, k string, v []byte, ttl time.Duration) {
	t.Helper()
	mustNil(t, fmt.Sprintf("Set(%q)", k), kv.Set(ctx(t), k, v, ttl))
}

func mustHas(t *testing.T, kv fullauth.KV, k string) bool {
	t.Helper()
	ok, err := kv.Has(ctx(t), k)
	mustNil(t, fmt.Sprintf("Has(%q)", k), err)
	return ok
}

// wantValue checks Get(k) returns want; a nil want means absent.
func wantValue(t *testing.T, kv fullauth.KV, k string, want []byte) {
	t.Helper()
	got, err := kv.Get(ctx(t), k)
	mustNil(t, fmt.Sprintf("Get(%q)", k), err)
	if len(got) != 1 {
		t.Fatalf("Get(one key) returned %d values, want 1", len(got))
	}
	checkValue(t, fmt.Sprintf("Get(%q)", k), got[0], want)
}

func checkValue(t *testing.T, call string, got, want []byte) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %q, want nil (absent)", call, got)
	case want != nil && got == nil:
		t.Errorf("%s = nil (absent), want %q", call, want)
	case !bytes.Equal(got, want):
		t.Errorf("%s = %q, want %q", call, got, want)
	}
}

// wantGone checks that k is absent by every reading method. It takes the
// key if present, so call it last.
func wantGone(t *testing.T, kv fullauth.KV, k, why string) {
	t.Helper()
	if mustHas(t, kv, k) {
		t.Errorf("Has(%q) = true %s, want false", k, why)
	}
	got, err := kv.Get(ctx(t), k)
	if err != nil || len(got) != 1 || got[0] != nil {
		t.Errorf("Get(%q) %s = %q, %v; want [nil], nil", k, why, got, err)
	}
	if v, err := kv.Take(ctx(t), k); !errors.Is(err, fullauth.ErrNotFound) {
		t.Errorf("Take(%q) %s = %q, %v; want ErrNotFound", k, why, v, err)
	}
}

// timed runs a check that needs its first steps to finish within a ttl. f
// returns false when they did not (so the check proved nothing); timed then
// tries again with fresh keys, and skips the test if the machine is too busy
// three times running. Speed is never a failure.
func timed(t *testing.T, f func() bool) {
	t.Helper()
	for range 3 {
		if f() {
			return
		}
	}
	t.Skip("the machine was too slow, three times, to observe a key before its ttl ran out")
}

// within reports whether less than d has passed since start. A check that
// relies on a key not having expired yet is only meaningful then.
func within(start time.Time, d time.Duration) bool { return time.Since(start) < d }

func testKV(t *testing.T, newKV func(t *testing.T) fullauth.KV) {
	const (
		ttl  = 150 * time.Millisecond // short lifetimes that the suite waits out
		wait = 2 * ttl                // comfortably past ttl
		long = time.Hour              // lifetimes the suite never waits out
	)

	t.Run("SetGet", func(t *testing.T) {
		kv := newKV(t)
		ks := keys(5)
		mustSet(t, kv, ks[0], []byte("one"), long)
		mustSet(t, kv, ks[1], []byte{}, long)
		mustSet(t, kv, ks[2], nil, long)
		mustSet(t, kv, ks[3], allBytes, long)
		// ks[4] is never set.
		got, err := kv.Get(ctx(t), ks[0], ks[4], ks[1], ks[2], ks[3], ks[0])
		mustNil(t, "Get(several)", err)
		want := [][]byte{[]byte("one"), nil, {}, {}, allBytes, []byte("one")}
		if len(got) != len(want) {
			t.Fatalf("Get(%d keys) returned %d values, want %d", len(want), len(got), len(want))
		}
		for i := range want {
			checkValue(t, fmt.Sprintf("Get(…)[%d]", i), got[i], want[i])
		}
	})

	t.Run("GetNoKeys", func(t *testing.T) {
		kv := newKV(t)
		got, err := kv.Get(ctx(t))
		if err != nil || len(got) != 0 {
			t.Errorf("Get() with no keys = %q, %v; want no values, nil", got, err)
		}
	})

	t.Run("SetReplaces", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		mustSet(t, kv, k, []byte("first"), long)
		mustSet(t, kv, k, []byte("second"), long)
		wantValue(t, kv, k, []byte("second"))
		mustSet(t, kv, k, []byte{}, long)
		wantValue(t, kv, k, []byte{})
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		v := []byte("value")
		mustSet(t, kv, k, v, long)
		v[0] = 'X'
		got, err := kv.Get(ctx(t), k)
		mustNil(t, "Get", err)
		if len(got) == 1 && len(got[0]) > 0 {
			got[0][0] = 'Y'
		}
		wantValue(t, kv, k, []byte("value"))
	})

	t.Run("SetNX", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		ok, err := kv.SetNX(ctx(t), k, []byte("first"), long)
		if err != nil || !ok {
			t.Errorf("SetNX(absent) = %v, %v; want true, nil", ok, err)
		}
		ok, err = kv.SetNX(ctx(t), k, []byte("second"), long)
		if err != nil || ok {
			t.Errorf("SetNX(present) = %v, %v; want false, nil", ok, err)
		}
		wantValue(t, kv, k, []byte("first"))

		// An empty value still makes the key present.
		e := key()
		ok, err = kv.SetNX(ctx(t), e, nil, long)
		if err != nil || !ok {
			t.Errorf("SetNX(absent, empty value) = %v, %v; want true, nil", ok, err)
		}
		wantValue(t, kv, e, []byte{})
		ok, err = kv.SetNX(ctx(t), e, []byte("x"), long)
		if err != nil || ok {
			t.Errorf("SetNX(present with empty value) = %v, %v; want false, nil", ok, err)
		}
	})

	t.Run("SetNXKeepsTTL", func(t *testing.T) {
		// A refused SetNX changes neither the value nor its lifetime.
		kv := newKV(t)
		timed(t, func() bool {
			k := key()
			start := time.Now()
			ok, err := kv.SetNX(ctx(t), k, []byte("first"), ttl)
			mustNil(t, "SetNX", err)
			again, err := kv.SetNX(ctx(t), k, []byte("second"), long)
			mustNil(t, "SetNX(again)", err)
			if !within(start, ttl) {
				return false
			}
			if !ok || again {
				t.Fatalf("SetNX twice = %v then %v, want true then false", ok, again)
			}
			time.Sleep(wait)
			wantGone(t, kv, k, "after the first SetNX's ttl")
			ok, err = kv.SetNX(ctx(t), k, []byte("third"), long)
			if err != nil || !ok {
				t.Errorf("SetNX(expired) = %v, %v; want true, nil", ok, err)
			}
			return true
		})
	})

	t.Run("Take", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		mustSet(t, kv, k, allBytes, long)
		got, err := kv.Take(ctx(t), k)
		mustNil(t, "Take", err)
		checkValue(t, "Take()", got, allBytes)
		wantGone(t, kv, k, "after Take")

		e := key()
		mustSet(t, kv, e, nil, long)
		got, err = kv.Take(ctx(t), e)
		if err != nil || len(got) != 0 {
			t.Errorf("Take(empty value) = %q, %v; want empty, nil", got, err)
		}
		if v, err := kv.Take(ctx(t), key()); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("Take(never set) = %q, %v; want ErrNotFound", v, err)
		}
	})

	t.Run("Has", func(t *testing.T) {
		kv := newKV(t)
		ks := keys(3)
		mustSet(t, kv, ks[0], []byte("v"), long)
		mustSet(t, kv, ks[1], nil, long)
		for i, want := range []bool{true, true, false} {
			if got := mustHas(t, kv, ks[i]); got != want {
				t.Errorf("Has(key %d) = %v, want %v", i, got, want)
			}
		}
	})

	t.Run("Incr", func(t *testing.T) {
		kv := newKV(t)
		ks := keys(2)
		for i, k := range []string{ks[0], ks[0], ks[1], ks[0]} {
			want := []int64{1, 2, 1, 3}[i]
			n, err := kv.Incr(ctx(t), k, long)
			if err != nil || n != want {
				t.Errorf("Incr call %d = %d, %v; want %d, nil", i, n, err, want)
			}
		}
		if !mustHas(t, kv, ks[0]) {
			t.Errorf("Has(counter) = false, want true")
		}
		mustNil(t, "Delete(counter)", kv.Delete(ctx(t), ks[0]))
		if n, err := kv.Incr(ctx(t), ks[0], long); err != nil || n != 1 {
			t.Errorf("Incr(after Delete) = %d, %v; want 1, nil", n, err)
		}
	})

	t.Run("IncrTTLNotExtended", func(t *testing.T) {
		// The counter's lifetime starts at the first Incr; later calls,
		// even with a longer ttl, do not extend it.
		kv := newKV(t)
		timed(t, func() bool {
			k := key()
			start := time.Now()
			n1, err := kv.Incr(ctx(t), k, ttl)
			mustNil(t, "Incr(first)", err)
			time.Sleep(ttl / 3)
			n2, err := kv.Incr(ctx(t), k, long)
			mustNil(t, "Incr(second)", err)
			if !within(start, ttl) {
				return false
			}
			if n1 != 1 || n2 != 2 {
				t.Fatalf("Incr twice = %d, %d; want 1, 2", n1, n2)
			}
			time.Sleep(wait)
			if mustHas(t, kv, k) {
				t.Errorf("Has(counter) %v after its first Incr with ttl %v = true, want false (later Incr calls must not extend it)", time.Since(start).Round(time.Millisecond), ttl)
			}
			if n, err := kv.Incr(ctx(t), k, long); err != nil || n != 1 {
				t.Errorf("Incr(after expiry) = %d, %v; want 1 (a new counter), nil", n, err)
			}
			return true
		})
	})

	t.Run("Delete", func(t *testing.T) {
		kv := newKV(t)
		ks := keys(4)
		mustSet(t, kv, ks[0], []byte("a"), long)
		mustSet(t, kv, ks[1], []byte("b"), long)
		mustSet(t, kv, ks[2], []byte("c"), long)
		_, err := kv.Incr(ctx(t), ks[3], long)
		mustNil(t, "Incr", err)
		mustNil(t, "Delete(several, one absent)", kv.Delete(ctx(t), ks[0], key(), ks[1], ks[3]))
		for _, k := range []string{ks[0], ks[1], ks[3]} {
			wantGone(t, kv, k, "after Delete")
		}
		wantValue(t, kv, ks[2], []byte("c"))
		wantErr(t, "Delete(absent)", kv.Delete(ctx(t), key()), nil)
		wantErr(t, "Delete() with no keys", kv.Delete(ctx(t)), nil)
		wantValue(t, kv, ks[2], []byte("c"))
	})

	t.Run("Expiry", func(t *testing.T) {
		kv := newKV(t)
		timed(t, func() bool {
			ks := keys(3)
			start := time.Now()
			mustSet(t, kv, ks[0], []byte("set"), ttl)
			ok, err := kv.SetNX(ctx(t), ks[1], []byte("setnx"), ttl)
			mustNil(t, "SetNX", err)
			n, err := kv.Incr(ctx(t), ks[2], ttl)
			mustNil(t, "Incr", err)
			present := mustHas(t, kv, ks[0]) && mustHas(t, kv, ks[1]) && mustHas(t, kv, ks[2])
			if !within(start, ttl) {
				return false
			}
			if !ok || n != 1 || !present {
				t.Fatalf("before the ttl: SetNX = %v, Incr = %d, all present = %v; want true, 1, true", ok, n, present)
			}
			time.Sleep(wait)
			for _, k := range ks {
				wantGone(t, kv, k, fmt.Sprintf("after its ttl of %v", ttl))
			}
			return true
		})
	})

	t.Run("NonPositiveTTL", func(t *testing.T) {
		// A ttl below one millisecond is raised to one millisecond: never
		// "forever", and not an error.
		for _, d := range []time.Duration{0, -time.Second, time.Nanosecond} {
			t.Run(d.String(), func(t *testing.T) {
				kv := newKV(t)
				ks := keys(3)
				mustSet(t, kv, ks[0], []byte("v"), d)
				// Whether SetNX reports true is not checked: the key
				// may be gone again before it returns.
				if _, err := kv.SetNX(ctx(t), ks[1], []byte("v"), d); err != nil {
					t.Errorf("SetNX(ttl %v) err = %v, want nil", d, err)
				}
				n, err := kv.Incr(ctx(t), ks[2], d)
				if err != nil || n != 1 {
					t.Errorf("Incr(ttl %v) = %d, %v; want 1, nil", d, n, err)
				}
				time.Sleep(50 * time.Millisecond)
				for _, k := range ks {
					wantGone(t, kv, k, fmt.Sprintf("50ms after a write with ttl %v", d))
				}
				if n, err := kv.Incr(ctx(t), ks[2], d); err != nil || n != 1 {
					t.Errorf("Incr(ttl %v) after expiry = %d, %v; want 1, nil", d, n, err)
				}
			})
		}
	})

	t.Run("SetResetsTTL", func(t *testing.T) {
		kv := newKV(t)
		shorter, longer := key(), key()
		// Replacing a long-lived value with a short-lived one shortens it.
		mustSet(t, kv, shorter, []byte("old"), long)
		mustSet(t, kv, shorter, []byte("new"), ttl)
		// Replacing a short-lived value with a long-lived one lengthens it.
		mustSet(t, kv, longer, []byte("old"), ttl)
		mustSet(t, kv, longer, []byte("new"), long)
		// Replacing a counter with a value gives it the value's ttl.
		counter := key()
		_, err := kv.Incr(ctx(t), counter, ttl)
		mustNil(t, "Incr", err)
		mustSet(t, kv, counter, []byte("value"), long)
		time.Sleep(wait)
		wantGone(t, kv, shorter, "after the replacing Set's ttl")
		wantValue(t, kv, longer, []byte("new"))
		wantValue(t, kv, counter, []byte("value"))
	})

	t.Run("RaceSetNX", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		won := make([]bool, raceN)
		race(raceN, func(i int) {
			ok, err := kv.SetNX(ctx(t), k, []byte(fmt.Sprint(i)), long)
			if err != nil {
				t.Errorf("concurrent SetNX err = %v, want nil", err)
			}
			won[i] = ok
		})
		winners := 0
		for i, ok := range won {
			if ok {
				winners++
				wantValue(t, kv, k, []byte(fmt.Sprint(i)))
			}
		}
		if winners != 1 {
			t.Errorf("%d of %d concurrent SetNX calls on one key succeeded, want exactly 1", winners, raceN)
		}
	})

	t.Run("RaceTake", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		mustSet(t, kv, k, []byte("prize"), long)
		got := make([][]byte, raceN)
		race(raceN, func(i int) {
			v, err := kv.Take(ctx(t), k)
			switch {
			case err == nil:
				got[i] = v
			case !errors.Is(err, fullauth.ErrNotFound):
				t.Errorf("concurrent Take err = %v, want nil or ErrNotFound", err)
			}
		})
		winners := 0
		for _, v := range got {
			if v != nil {
				winners++
				checkValue(t, "the winning Take", v, []byte("prize"))
			}
		}
		if winners != 1 {
			t.Errorf("%d of %d concurrent Take calls on one key got the value, want exactly 1", winners, raceN)
		}
	})

	t.Run("RaceIncr", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		got := make([]int64, raceN)
		race(raceN, func(i int) {
			n, err := kv.Incr(ctx(t), k, long)
			if err != nil {
				t.Errorf("concurrent Incr err = %v, want nil", err)
			}
			got[i] = n
		})
		slices.Sort(got)
		for i, n := range got {
			if n != int64(i+1) {
				t.Errorf("%d concurrent Incr calls returned %v, want each of 1…%d once", raceN, got, raceN)
				break
			}
		}
	})

	t.Run("Hit", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		for i := 1; i <= 3; i++ {
			w, err := kv.Hit(ctx(t), k, 3, long)
			mustNil(t, "Hit", err)
			if !w.Allowed || w.Limit != 3 || w.Remaining != 3-i {
				t.Fatalf("Hit %d = %+v, want allowed, limit 3, remaining %d", i, w, 3-i)
			}
			if w.Reset <= 0 || w.Reset > long {
				t.Errorf("Hit %d Reset = %v, want in (0, %v]", i, w.Reset, long)
			}
		}
		for i := 0; i < 2; i++ {
			w, err := kv.Hit(ctx(t), k, 3, long)
			mustNil(t, "Hit", err)
			if w.Allowed || w.Remaining != 0 {
				t.Errorf("Hit over the limit = %+v, want refused with remaining 0", w)
			}
		}
		// Refused hits are not recorded: a higher limit sees three events.
		w, err := kv.Hit(ctx(t), k, 5, long)
		mustNil(t, "Hit", err)
		if !w.Allowed || w.Remaining != 1 {
			t.Errorf("Hit with limit 5 after 3 recorded = %+v, want allowed with remaining 1", w)
		}
		// Keys are independent.
		if w, _ := kv.Hit(ctx(t), key(), 1, long); !w.Allowed {
			t.Errorf("Hit on a fresh key = %+v, want allowed", w)
		}
	})

	t.Run("HitWindowSlides", func(t *testing.T) {
		kv := newKV(t)
		timed(t, func() bool {
			k := key()
			start := time.Now()
			for i := 0; i < 2; i++ {
				if w, err := kv.Hit(ctx(t), k, 2, ttl); err != nil || !w.Allowed {
					t.Fatalf("Hit = %+v, %v; want allowed", w, err)
				}
			}
			w, err := kv.Hit(ctx(t), k, 2, ttl)
			mustNil(t, "Hit", err)
			if !within(start, ttl) {
				return false
			}
			if w.Allowed {
				t.Fatalf("third Hit inside the window = %+v, want refused", w)
			}
			time.Sleep(wait)
			if w, err := kv.Hit(ctx(t), k, 2, ttl); err != nil || !w.Allowed || w.Remaining != 1 {
				t.Errorf("Hit after the window = %+v, %v; want allowed with remaining 1", w, err)
			}
			return true
		})
	})

	t.Run("RaceHit", func(t *testing.T) {
		kv := newKV(t)
		k := key()
		const limit = 7
		allowed := make([]bool, raceN)
		race(raceN, func(i int) {
			w, err := kv.Hit(ctx(t), k, limit, long)
			if err != nil {
				t.Errorf("concurrent Hit err = %v", err)
			}
			allowed[i] = w.Allowed
		})
		n := 0
		for _, a := range allowed {
			if a {
				n++
			}
		}
		if n != limit {
			t.Errorf("%d of %d concurrent Hit calls were allowed under limit %d, want exactly %d", n, raceN, limit, limit)
		}
	})
}
