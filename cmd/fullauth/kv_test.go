package main

import (
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/rediskv"
)

// The server's KV: one Redis KV when every feature that is on keeps its
// state there (a feature that is off does not count), and a routed one
// otherwise, in which the user cache's generations go with the revocation
// state. No Redis is contacted: a client connects on first use.
func TestSharedStateLayout(t *testing.T) {
	const url = "redis://127.0.0.1:1/0"
	tests := []struct {
		name string
		cfg  fullauth.Config
		want string // "memory", "redis" or "routed"
	}{
		{"no redis", fullauth.Config{}, "memory"},
		{"all redis, passkeys off", fullauth.Config{Backends: fullauth.Backends{RedisURL: url}}, "redis"},
		{"all redis but a feature that is off", fullauth.Config{Backends: fullauth.Backends{RedisURL: url, Lockout: "memory"}, DisableLockout: true}, "redis"},
		{"lockout in memory", fullauth.Config{Backends: fullauth.Backends{RedisURL: url, Lockout: "memory"}}, "routed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.SecretKey = []byte(testSecret)
			st, err := openSharedState(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			got := "?"
			switch kv := st.kv.(type) {
			case *fullauth.MemoryKV:
				got = "memory"
			case *rediskv.KV:
				got = "redis"
			case *routedKV:
				got = "routed"
				if kv.route("user-gen:u") != kv.route("blacklist:j") {
					t.Error("user generations are routed away from the revocation state")
				}
				if _, ok := kv.route("blacklist:j").(*rediskv.KV); !ok {
					t.Error("revocation state is not in Redis")
				}
				if _, ok := kv.route("lockout:attempts:x").(*fullauth.MemoryKV); !ok {
					t.Error("lockout state is not in memory")
				}
			}
			if got != tc.want {
				t.Errorf("KV = %T (%s), want %s", st.kv, got, tc.want)
			}
		})
	}
}
