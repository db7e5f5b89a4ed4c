package main

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// knobs records the settings a tuning makes.
type knobs struct {
	procs, gc int
	calls     []string
}

func (k *knobs) setProcs(n int) int {
	old := k.procs
	if n > 0 {
		k.procs = n
		k.calls = append(k.calls, fmt.Sprintf("procs=%d", n))
	}
	return old
}

func (k *knobs) setGC(p int) int {
	old := k.gc
	k.gc = p
	k.calls = append(k.calls, fmt.Sprintf("gc=%d", p))
	return old
}

func TestTuningFollowsHashing(t *testing.T) {
	k := &knobs{procs: 2, gc: 100}
	tu := newTuning(k.setProcs, k.setGC, time.Hour) // the timer never fires; settle is called by hand
	step := func(what string, f func(), want ...string) {
		t.Helper()
		k.calls = nil
		f()
		if !slices.Equal(k.calls, want) {
			t.Fatalf("after %s: settings made = %q, want %q", what, k.calls, want)
		}
	}
	step("start", func() {}) // newTuning's own call is checked below
	if k.procs != 2 || k.gc != quietGCPercent {
		t.Fatalf("at start: procs=%d gc=%d, want 2 and %d", k.procs, k.gc, quietGCPercent)
	}
	step("hashing starts", func() { tu.hashingChanged(true) }, "procs=3", "gc=100")
	step("hashing stops", func() { tu.hashingChanged(false) })
	stale := tu.seq
	step("hashing starts again within the quiet spell", func() { tu.hashingChanged(true) })
	step("hashing stops again", func() { tu.hashingChanged(false) })
	step("a stale timer fires", func() { tu.settle(stale) })
	step("the quiet spell ends", func() { tu.settle(tu.seq) }, "procs=2", "gc=400")
	step("it ends twice", func() { tu.settle(tu.seq) })
	step("hashing starts after it", func() { tu.hashingChanged(true) }, "procs=3", "gc=100")
	step("the server stops", tu.close, "procs=2", "gc=100")
}

// An operator's GOMAXPROCS or GOGC is left alone: that knob is nil.
func TestTuningLeavesSetKnobsAlone(t *testing.T) {
	k := &knobs{procs: 2, gc: 100}
	tu := newTuning(nil, k.setGC, time.Hour)
	tu.hashingChanged(true)
	tu.hashingChanged(false)
	tu.settle(tu.seq)
	if want := []string{"gc=400", "gc=100", "gc=400"}; !slices.Equal(k.calls, want) {
		t.Errorf("settings made with GOMAXPROCS set = %q, want %q", k.calls, want)
	}
	k = &knobs{procs: 2, gc: 100}
	tu = newTuning(k.setProcs, nil, time.Hour)
	tu.hashingChanged(true)
	tu.hashingChanged(false)
	tu.settle(tu.seq)
	if want := []string{"procs=3", "procs=2"}; !slices.Equal(k.calls, want) {
		t.Errorf("settings made with GOGC set = %q, want %q", k.calls, want)
	}
}

func TestTuningTimerSettles(t *testing.T) {
	done := make(chan int, 4)
	tu := newTuning(func(n int) int {
		if n > 0 {
			done <- n
		}
		return 2
	}, nil, time.Millisecond)
	tu.hashingChanged(true)
	tu.hashingChanged(false)
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
