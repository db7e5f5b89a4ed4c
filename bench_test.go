package fullauth_test

import (
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
)

// BenchmarkAuthenticate measures the per-request path: verify the access
// token, check revocation in the KV, load the user. "cached" repeats one
// token, as a client does, and is answered from the user cache after the
// first request (verification and store skipped, revocation still read);
// "uncached" turns the cache off, so every request verifies and reads the
// store.
func BenchmarkAuthenticate(b *testing.B) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			e := newBenchEnv(b, tc.ttl)
			pair := e.login(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.auth.Authenticate(b.Context(), pair.AccessToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticateParallel is BenchmarkAuthenticate/uncached from
// GOMAXPROCS goroutines, to show lock contention in the memory KV and store.
func BenchmarkAuthenticateParallel(b *testing.B) {
	e := newBenchEnv(b, -1)
	pair := e.login(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := e.auth.Authenticate(b.Context(), pair.AccessToken); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

type benchEnv struct{ auth *fullauth.Auth }

func newBenchEnv(b *testing.B, cacheTTL time.Duration) *benchEnv {
	b.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2, UserCacheTTL: cacheTTL})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Register(b.Context(), "bench@example.com", goodPassword); err != nil {
		b.Fatal(err)
	}
	return &benchEnv{auth: a}
}

func (e *benchEnv) login(b *testing.B) *fullauth.TokenPair {
	b.Helper()
	_, pair, err := e.auth.Login(b.Context(), "bench@example.com", goodPassword, fullauth.ClientInfo{})
	if err != nil {
		b.Fatal(err)
	}
	return pair
}
