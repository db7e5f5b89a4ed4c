package main

import (
	"sync"
	"time"
)

// quietGCPercent is the GC target while nothing is hashing.
const quietGCPercent = 400

// tuning adapts the Go runtime to whether passwords are being hashed.
//
// While hashing, the server runs with one P more than its base GOMAXPROCS.
// An argon2id hash keeps a goroutine per lane busy for tens of
// milliseconds, and Go preempts a CPU-bound goroutine only every 10 ms, so
// with as many Ps as cores a burst of logins left other requests queued
// behind hash lanes (GET /me p99 about 20 ms while 32 logins ran on two
// cores). With a spare P a request finds one free, and the kernel, which
// slices far more finely, interleaves the threads: p99 about 9 ms. When
// nothing is hashing, the spare P only costs cheap requests throughput.
//
// While not hashing, the GC target is 400% instead of the base. The heap
// of a server that isn't hashing is a megabyte or two, under the runtime's
// 4 MB minimum goal, so at 100% GET /me under load paid for a collection
// every 4 MB allocated, dozens a second, about a tenth of its CPU; at 400%
// the heap stays around 16 MB. Hashing goes back to the base target, as
// every argon2id hash allocates its memory (64 MiB by default) afresh.
//
// The changes wait for a quiet spell, so that a trickle of logins does not
// switch back and forth. Either knob is left alone (nil) when the operator
// set GOMAXPROCS or GOGC.
type tuning struct {
	quiet time.Duration         // how long the pool must stay idle
	procs func(n int) (old int) // runtime.GOMAXPROCS, or nil
	gc    func(p int) (old int) // debug.SetGCPercent, or nil

	baseProcs, baseGC int

	mu      sync.Mutex
	busy    bool
	hashing bool // the runtime is set for hashing
	seq     int  // bumped on every change of busy, so a stale timer does nothing
	timer   *time.Timer
}

// newTuning reads the base settings and applies the quiet ones.
func newTuning(procs, gc func(int) int, quiet time.Duration) *tuning {
	t := &tuning{quiet: quiet, procs: procs, gc: gc}
	if procs != nil {
		t.baseProcs = procs(0)
	}
	if gc != nil {
		t.baseGC = gc(quietGCPercent)
	}
	return t
}

// hashingChanged is the hashing pool's Busy callback.
func (t *tuning) hashingChanged(busy bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.busy = busy
	t.seq++
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if busy {
		t.set(true)
		return
	}
	seq := t.seq
	t.timer = time.AfterFunc(t.quiet, func() { t.settle(seq) })
}

// settle returns to the quiet settings if the pool has stayed idle since
// the change numbered seq.
func (t *tuning) settle(seq int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq == t.seq && !t.busy {
		t.set(false)
	}
}

// set applies the settings for hashing or for quiet; the caller holds mu.
func (t *tuning) set(hashing bool) {
	if hashing == t.hashing {
		return
	}
	t.hashing = hashing
	procs, gc := t.baseProcs, quietGCPercent
	if hashing {
		procs, gc = t.baseProcs+1, t.baseGC
	}
	if t.procs != nil {
		t.procs(procs)
	}
	if t.gc != nil {
		t.gc(gc)
	}
}

// close restores the base settings.
func (t *tuning) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.procs != nil {
		t.procs(t.baseProcs)
	}
	if t.gc != nil {
		t.gc(t.baseGC)
	}
}
