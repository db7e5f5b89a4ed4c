package password

import (
	"context"
	"testing"
)

// The benchmarks use the production defaults, so each iteration costs a
// quarter of a second or so; run them with a small -benchtime, e.g.
//
//	go test -run='^$' -bench=. -benchtime=10x ./password

func BenchmarkHashArgon2idDefault(b *testing.B) {
	h := newHasher(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyArgon2idDefault(b *testing.B) {
	h := newHasher(b, Options{})
	ctx := context.Background()
	encoded := mustHash(b, h, "correct horse battery staple")
	for b.Loop() {
		if ok, err := h.Verify(ctx, encoded, "correct horse battery staple"); !ok || err != nil {
			b.Fatalf("Verify() = %v, %v; want true, nil", ok, err)
		}
	}
}

func BenchmarkHashBcrypt12(b *testing.B) {
	h := newHasher(b, Options{Algorithm: Bcrypt})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
