package rediskv

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

// authOn builds an Auth on kv with one signed-in user and returns it with
// the user's access token.
func authOn(tb testing.TB, kv fullauth.KV) (*fullauth.Auth, string) {
	tb.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("rediskv-auth-test-secret-0123456789abcd"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		KV:        kv,
		Logger:    discardLogger(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := tb.Context()
	if _, err := a.Register(ctx, "bench@example.com", "correct-horse-battery"); err != nil {
		tb.Fatal(err)
	}
	_, pair, err := a.Login(ctx, "bench@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	if err != nil {
		tb.Fatal(err)
	}
	return a, pair.AccessToken
}

// TestAuthenticateIsOneRoundTrip: the per-request check costs exactly one
// Redis command, whatever it has to look up (token, session, user, the
// user's cache generation). Only the first request of a user the KV holds
// no generation for also sets one.
func TestAuthenticateIsOneRoundTrip(t *testing.T) {
	client := newClient(t)
	hook := &countHook{}
	client.AddHook(hook)
	a, access := authOn(t, New(client, testPrefix(t, client)))
	hook.take()
	for i, want := range []string{"mget set", "mget", "mget", "mget"} {
		if _, _, err := a.Authenticate(t.Context(), access); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(hook.take(), " "); got != want {
			t.Fatalf("Redis commands of Authenticate %d = %q, want %q", i+1, got, want)
		}
	}
}

// BenchmarkAuthenticate compares the per-request path on the memory KV and
// on Redis; the difference is the revocation check's round trip.
func BenchmarkAuthenticate(b *testing.B) {
	for _, tc := range []struct {
		name string
		kv   func(b *testing.B) fullauth.KV
	}{
		{"memory", func(*testing.B) fullauth.KV { return fullauth.NewMemoryKV() }},
		{"redis", func(b *testing.B) fullauth.KV {
			c := newClient(b)
			return New(c, testPrefix(b, c))
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a, access := authOn(b, tc.kv(b))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := a.Authenticate(b.Context(), access); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
