package password

import (
	"context"
	"errors"
	"testing"
)

// A stored hash that costs more than maxStoredCost times the configured
// one to verify is reported as no match without hashing: a tampered row
// must not hold the pool for hours (bcrypt's cost 31 takes a day).
func TestVerifyRefusesCostlyStoredHashes(t *testing.T) {
	base := Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}
	h := newHasher(t, Options{Argon2: base, BcryptCost: 4})
	tests := []struct {
		name string
		made Options
		want bool
	}{
		{"argon2, the configured cost", Options{Argon2: base}, true},
		{"argon2, 16 times the memory", Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64 * 16, Threads: 1}}, true},
		{"argon2, 17 times the memory", Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64 * 17, Threads: 1}}, false},
		{"argon2, 16 times the passes", Options{Argon2: Argon2Params{Time: 16, MemoryKiB: 64, Threads: 1}}, true},
		{"argon2, 17 times the passes", Options{Argon2: Argon2Params{Time: 17, MemoryKiB: 64, Threads: 1}}, false},
		{"argon2, 4 times both", Options{Argon2: Argon2Params{Time: 4, MemoryKiB: 64 * 4, Threads: 1}}, true},
		{"argon2, 8 times both", Options{Argon2: Argon2Params{Time: 8, MemoryKiB: 64 * 8, Threads: 1}}, false},
		{"bcrypt, 4 steps more", Options{Algorithm: Bcrypt, BcryptCost: 8}, true},
		{"bcrypt, 5 steps more", Options{Algorithm: Bcrypt, BcryptCost: 9}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded := mustHash(t, newHasher(t, tc.made), "pw")
			if got, err := h.Verify(context.Background(), encoded, "pw"); got != tc.want || err != nil {
				t.Errorf("Verify(%s) = %v, %v; want %v, nil", encoded, got, err, tc.want)
			}
		})
	}
}

// Verifying an argon2 hash takes a slot per lane, or more when it needs
// more memory per lane than the configured hash, so the pool bounds memory
// too.
func TestArgon2WeightCountsMemory(t *testing.T) {
	h := newHasher(t, Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64, Threads: 2}, Workers: 8})
	tests := []struct {
		memory  uint32
		threads uint8
		want    int
	}{
		{64, 2, 2},   // the configured hash
		{32, 4, 4},   // lanes decide
		{256, 1, 8},  // 32 KiB per slot: 8 slots
		{96, 1, 3},   // rounded up
		{1024, 1, 8}, // never more than the pool
		{64, 200, 8}, // nor by lanes
	}
	for _, tc := range tests {
		if got := h.argon2Weight(phc{memory: tc.memory, threads: tc.threads}); got != tc.want {
			t.Errorf("argon2Weight(m=%d, p=%d) = %d, want %d", tc.memory, tc.threads, got, tc.want)
		}
	}
}

// A call whose context ends just as a slot frees up must not hash, even
// when take picks the slot: the select between them chooses at random.
func TestCancelledWaiterDoesNotHash(t *testing.T) {
	h := newHasher(t, Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}, Workers: 1})
	encoded := mustHash(t, h, "pw")
	hashed := 0
	for range 200 {
		h.sem <- struct{}{} // another call holds the only slot
		ctx, cancel := context.WithCancel(context.Background())
		h.onWait = func() {
			cancel()
			<-h.sem // the holder finishes at the same moment
		}
		ok, err := h.Verify(ctx, encoded, "pw")
		if !errors.Is(err, context.Canceled) {
			hashed++
			if !ok || err != nil {
				t.Fatalf("Verify() = %v, %v; want false, context.Canceled, or a match", ok, err)
			}
		}
		if n := len(h.sem); n != 0 {
			t.Fatalf("%d slots still held after Verify returned", n)
		}
	}
	if hashed > 0 {
		t.Errorf("%d of 200 cancelled calls hashed anyway", hashed)
	}
}
