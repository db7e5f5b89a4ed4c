package main

import (
	"slices"
	"testing"
	"time"
)

func TestSparePFollowsHashing(t *testing.T) {
	procs := 2
	var calls []int
	set := func(n int) int {
		old := procs
		if n > 0 {
			procs = n
			calls = append(calls, n)
		}
		return old
	}
	s := newSpareP(set, time.Hour) // the timer never fires; settle is called by hand
	step := func(what string, f func(), want []int) {
		t.Helper()
		f()
		if !slices.Equal(calls, want) {
			t.Fatalf("after %s: GOMAXPROCS calls = %v, want %v", what, calls, want)
		}
	}
	step("hashing starts", func() { s.hashing(true) }, []int{3})
	step("hashing stops", func() { s.hashing(false) }, []int{3})
	stale := s.seq
	step("hashing starts again within the quiet spell", func() { s.hashing(true) }, []int{3})
	step("hashing stops again", func() { s.hashing(false) }, []int{3})
	step("a stale timer fires", func() { s.settle(stale) }, []int{3})
	step("the quiet spell ends", func() { s.settle(s.seq) }, []int{3, 2})
	step("it ends twice", func() { s.settle(s.seq) }, []int{3, 2})
	step("hashing starts after it", func() { s.hashing(true) }, []int{3, 2, 3})
	step("the server stops", s.close, []int{3, 2, 3, 2})
	if procs != 2 {
		t.Errorf("GOMAXPROCS after close = %d, want 2", procs)
	}
}

func TestSparePTimerGivesThePBack(t *testing.T) {
	done := make(chan int, 4)
	s := newSpareP(func(n int) int {
		if n > 0 {
			done <- n
		}
		return 2
	}, time.Millisecond)
	s.hashing(true)
	s.hashing(false)
	for _, want := range []int{3, 2} {
		select {
		case got := <-done:
			if got != want {
				t.Fatalf("GOMAXPROCS set to %d, want %d", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("GOMAXPROCS was never set to %d", want)
		}
	}
}
