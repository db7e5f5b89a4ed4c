package main

import (
	"sync"
	"time"
)

// spareP runs the server with one P more than its base GOMAXPROCS while
// passwords are being hashed, and gives it back after a quiet spell.
//
// An argon2id hash keeps a goroutine per lane busy for tens of
// milliseconds, and Go preempts a CPU-bound goroutine only every 10 ms, so
// with as many Ps as cores a burst of logins left other requests queued
// behind hash lanes (GET /me p99 about 20 ms while 32 logins ran on two
// cores). With a spare P a request finds one free, and the kernel, which
// slices far more finely, interleaves the threads: p99 about 9 ms. When
// nothing is hashing, though, the spare P costs cheap requests about a
// tenth of their throughput (docs/benchmarks.md), hence only while hashing.
type spareP struct {
	base  int
	quiet time.Duration         // how long the pool must stay idle before the P goes
	set   func(n int) (old int) // runtime.GOMAXPROCS

	mu     sync.Mutex
	busy   bool
	raised bool
	seq    int // bumped on every change of busy, so a stale timer does nothing
	timer  *time.Timer
}

func newSpareP(set func(int) int, quiet time.Duration) *spareP {
	return &spareP{base: set(0), quiet: quiet, set: set}
}

// hashing is the hashing pool's Busy callback.
func (s *spareP) hashing(busy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = busy
	s.seq++
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if busy {
		if !s.raised {
			s.set(s.base + 1)
			s.raised = true
		}
		return
	}
	seq := s.seq
	s.timer = time.AfterFunc(s.quiet, func() { s.settle(seq) })
}

// settle gives the spare P back if the pool has stayed idle since the
// change numbered seq.
func (s *spareP) settle(seq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq != s.seq || s.busy || !s.raised {
		return
	}
	s.set(s.base)
	s.raised = false
}

// close restores the base GOMAXPROCS.
func (s *spareP) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.raised {
		s.set(s.base)
		s.raised = false
	}
}
