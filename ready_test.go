package fullauth_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
)

// sharedKV stands for a KV other than the in-memory one, as a server with
// Redis has: the ready line then names each feature's configured backend.
type sharedKV struct{ *fullauth.MemoryKV }

// The INFO line of CONTRACT §20 names each feature's backend as resolved.
func TestReadyLine(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*fullauth.Config)
		want string
	}{
		{"in memory", nil,
			"fullauth ready: blacklist=memory lockout=memory ratelimit=memory | passkeys=off | oauth=none"},
		{"per-feature backends", func(c *fullauth.Config) {
			c.KV = sharedKV{fullauth.NewMemoryKV()}
			c.Backends = fullauth.Backends{RedisURL: "redis://127.0.0.1:6379/0", Lockout: "memory", RateLimit: "memory"}
		}, "fullauth ready: blacklist=redis lockout=memory ratelimit=memory | passkeys=off | oauth=none"},
		{"features off", func(c *fullauth.Config) {
			c.KV = sharedKV{fullauth.NewMemoryKV()}
			c.Backends = fullauth.Backends{Default: "redis", RedisURL: "redis://127.0.0.1:6379/0"}
			c.DisableLockout, c.DisableRateLimit = true, true
		}, "fullauth ready: blacklist=redis lockout=off ratelimit=off | passkeys=off | oauth=none"},
		{"passkeys on", func(c *fullauth.Config) {
			c.Passkeys = fullauth.PasskeyConfig{Enabled: true, RPID: "example.com", Origins: []string{"https://example.com"}}
		}, "fullauth ready: blacklist=memory lockout=memory ratelimit=memory passkey=memory | passkeys=on | oauth=none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			cfg := fullauth.Config{SecretKey: []byte(testSecret), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			if _, err := fullauth.New(memstore.New(), cfg); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), `msg="`+tc.want+`"`) {
				t.Errorf("logs lack the line %q:\n%s", tc.want, logs.String())
			}
		})
	}
}
