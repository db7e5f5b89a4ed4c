package fullauth_test

import (
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
)

// BenchmarkAuthenticate measures the per-request path: verify the access
// token, check revocation in the KV, load the user.
func BenchmarkAuthenticate(b *testing.B) {
	e := newBenchEnv(b)
	pair := e.login(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := e.auth.Authenticate(b.Context(), pair.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateParallel is BenchmarkAuthenticate from GOMAXPROCS
// goroutines, to show lock contention in the memory KV and store.
func BenchmarkAuthenticateParallel(b *testing.B) {
	e := newBenchEnv(b)
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

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte(testSecret), Argon2: cheapArgon2})
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
