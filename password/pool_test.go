package password

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// slotCounter counts calls inside the pool through the onSlot hook.
type slotCounter struct {
	inFlight, maxInFlight, taken atomic.Int32
}

func (c *slotCounter) hook(held bool) {
	if !held {
		c.inFlight.Add(-1)
		return
	}
	c.taken.Add(1)
	n := c.inFlight.Add(1)
	for {
		m := c.maxInFlight.Load()
		if n <= m || c.maxInFlight.CompareAndSwap(m, n) {
			return
		}
	}
}

// TestPoolBoundsConcurrency runs many hashes and verifications at once and
// checks that no more than Workers are ever inside the pool together.
func TestPoolBoundsConcurrency(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		for _, alg := range []Algorithm{Argon2id, Bcrypt} {
			h := newHasher(t, Options{Algorithm: alg, Argon2: cheapArgon2, BcryptCost: cheapBcrypt, Workers: workers})
			var c slotCounter
			h.onSlot = c.hook
			encoded := mustHash(t, h, "pw")

			const callers = 12
			var wg sync.WaitGroup
			for range callers {
				wg.Go(func() {
					if _, err := h.Hash(context.Background(), "pw"); err != nil {
						t.Errorf("Hash() err = %v, want nil", err)
					}
					if ok, err := h.Verify(context.Background(), encoded, "pw"); !ok || err != nil {
						t.Errorf("Verify() = %v, %v; want true, nil", ok, err)
					}
				})
			}
			wg.Wait()
			if got := c.maxInFlight.Load(); got < 1 || got > int32(workers) {
				t.Errorf("%s, Workers=%d: at most %d calls in the pool at once, want 1..%d", alg, workers, got, workers)
			}
			if got, want := c.taken.Load(), int32(1+2*callers); got != want {
				t.Errorf("%s, Workers=%d: %d slots taken, want %d", alg, workers, got, want)
			}
			if n := len(h.sem); n != 0 {
				t.Errorf("%s, Workers=%d: %d slots still held after all calls returned, want 0", alg, workers, n)
			}
		}
	}
}

// TestPoolWaitsAndCancels holds the only slot of a one-worker pool and
// checks, without any timing, that other calls wait for it, that a waiting
// call gives up with its context's error, and that a waiting call runs once
// the slot is free.
func TestPoolWaitsAndCancels(t *testing.T) {
	h := newHasher(t, Options{Argon2: cheapArgon2, Workers: 1})
	encoded := mustHash(t, h, "pw")

	var c slotCounter
	entered := make(chan struct{})
	unblock := make(chan struct{})
	waiting := make(chan struct{})
	var first sync.Once
	h.onSlot = func(held bool) {
		c.hook(held)
		if held {
			first.Do(func() {
				close(entered)
				<-unblock // keep the slot until the test lets go
			})
		}
	}
	h.onWait = func() { waiting <- struct{}{} }

	holder := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "holder")
		holder <- err
	}()
	<-entered

	// Hash and Verify both wait for the held slot and give up on cancel.
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Hash", func(ctx context.Context) error {
			s, err := h.Hash(ctx, "pw")
			if s != "" {
				t.Errorf("cancelled Hash() = %q, want \"\"", s)
			}
			return err
		}},
		{"Verify", func(ctx context.Context) error {
			ok, err := h.Verify(ctx, encoded, "pw")
			if ok {
				t.Errorf("cancelled Verify() = true, want false")
			}
			return err
		}},
	}
	for _, tc := range calls {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tc.call(ctx) }()
		<-waiting // the call found the pool full and is about to wait
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("%s while waiting, then cancelled: err = %v, want context.Canceled", tc.name, err)
		}
	}
	if got := c.taken.Load(); got != 1 {
		t.Errorf("%d slots taken while the holder ran, want 1 (cancelled calls must not run)", got)
	}

	// A call with a live context waits and then runs.
	waiter := make(chan error, 1)
	go func() {
		ok, err := h.Verify(context.Background(), encoded, "pw")
		if !ok && err == nil {
			err = errors.New("Verify() = false, want true")
		}
		waiter <- err
	}()
	<-waiting
	close(unblock)
	if err := <-holder; err != nil {
		t.Errorf("holder Hash() err = %v, want nil", err)
	}
	if err := <-waiter; err != nil {
		t.Errorf("waiting Verify(): %v", err)
	}
	if got := c.maxInFlight.Load(); got != 1 {
		t.Errorf("at most %d calls in a one-worker pool at once, want 1", got)
	}
	if got := c.taken.Load(); got != 2 {
		t.Errorf("%d slots taken, want 2 (holder and waiter)", got)
	}
	if n := len(h.sem); n != 0 {
		t.Errorf("%d slots still held, want 0", n)
	}
}

// TestDoneContext checks that a context that is already done is reported
// without taking a slot, even when the pool is free.
func TestDoneContext(t *testing.T) {
	argon, bcr := cheapHashers(t)
	encoded := mustHash(t, argon, "pw")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), 0)
	defer cancel2()

	for _, h := range []*Hasher{argon, bcr} {
		var c slotCounter
		h.onSlot = c.hook
		for _, tc := range []struct {
			ctx  context.Context
			want error
		}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
			if _, err := h.Hash(tc.ctx, "pw"); !errors.Is(err, tc.want) {
				t.Errorf("%s hasher: Hash(done ctx) err = %v, want %v", h.Algorithm(), err, tc.want)
			}
			// A malformed hash still reports the context, for one behaviour.
			for _, e := range []string{encoded, "garbage"} {
				if ok, err := h.Verify(tc.ctx, e, "pw"); ok || !errors.Is(err, tc.want) {
					t.Errorf("%s hasher: Verify(done ctx, %q) = %v, %v; want false, %v", h.Algorithm(), e, ok, err, tc.want)
				}
			}
		}
		if got := c.taken.Load(); got != 0 {
			t.Errorf("%s hasher: %d slots taken with done contexts, want 0", h.Algorithm(), got)
		}
	}
}

// TestPoolCountsLanes: an argon2 call takes a slot per lane, so a pool of
// W slots runs at most W/lanes argon2 calls at once.
func TestPoolCountsLanes(t *testing.T) {
	tests := []struct {
		workers int
		lanes   uint8
		want    int32 // most calls in the pool at once
	}{
		{2, 2, 1},
		{4, 2, 2},
		{3, 2, 1},
		{2, 4, 1}, // a call never needs more than the whole pool
	}
	for _, tc := range tests {
		h := newHasher(t, Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64, Threads: tc.lanes}, Workers: tc.workers})
		var c slotCounter
		h.onSlot = c.hook
		encoded := mustHash(t, h, "pw")
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				if ok, err := h.Verify(context.Background(), encoded, "pw"); !ok || err != nil {
					t.Errorf("Verify() = %v, %v", ok, err)
				}
			})
		}
		wg.Wait()
		if got := c.maxInFlight.Load(); got > tc.want {
			t.Errorf("Workers=%d, %d lanes: %d calls in the pool at once, want at most %d", tc.workers, tc.lanes, got, tc.want)
		}
		if n := len(h.sem); n != 0 {
			t.Errorf("Workers=%d, %d lanes: %d slots still held", tc.workers, tc.lanes, n)
		}
	}
}

// TestPoolReportsBusy runs many calls at once on a pool with room for
// several and checks that Options.Busy hears alternating true/false, in
// step with calls actually holding slots, ending idle.
func TestPoolReportsBusy(t *testing.T) {
	var (
		mu     sync.Mutex
		events []bool
		slots  slotCounter
	)
	h := newHasher(t, Options{Argon2: cheapArgon2, Workers: 3, Busy: func(busy bool) {
		// Busy(true) comes before the first call's onSlot(true), and
		// Busy(false) after the last call's onSlot(false): no call is
		// past onSlot(true) at either moment.
		mu.Lock()
		defer mu.Unlock()
		if n := slots.inFlight.Load(); n != 0 {
			t.Errorf("Busy(%v) while %d calls were hashing", busy, n)
		}
		events = append(events, busy)
	}})
	h.onSlot = slots.hook
	var wg sync.WaitGroup
	for range 3 {
		for range 8 {
			wg.Go(func() {
				if _, err := h.Hash(context.Background(), "pw"); err != nil {
					t.Errorf("Hash() err = %v", err)
				}
			})
		}
		wg.Wait() // idle between rounds: at least one busy/idle pair each
	}
	if len(events) < 6 || len(events)%2 != 0 {
		t.Fatalf("Busy calls = %v, want pairs, at least 3", events)
	}
	for i, busy := range events {
		if want := i%2 == 0; busy != want {
			t.Fatalf("Busy call %d = %v, want %v (calls: %v)", i, busy, want, events)
		}
	}
}
