package rediskv

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/storetest"
)

// FULLAUTH_TEST_REDIS_SENTINEL_URL (a NewClient URL with master_name, whose
// hosts are sentinels) runs the suite through a Sentinel; like the cluster
// test, it is optional and skips when the variable is unset. .ci/run
// starts a sentinel watching the test server and sets it.
const envSentinel = "FULLAUTH_TEST_REDIS_SENTINEL_URL"

func TestNewClient(t *testing.T) {
	tests := []struct {
		name  string
		url   string
		check func(t *testing.T, c redis.UniversalClient)
	}{
		{"single server with fail-fast defaults", "redis://user:pw@127.0.0.1:6390/3", func(t *testing.T, c redis.UniversalClient) {
			rc, ok := c.(*redis.Client)
			if !ok {
				t.Fatalf("client = %T, want *redis.Client", c)
			}
			o := rc.Options()
			if o.Addr != "127.0.0.1:6390" || o.DB != 3 || o.Username != "user" || o.Password != "pw" ||
				o.ReadTimeout != DefaultIOTimeout || o.WriteTimeout != DefaultIOTimeout || o.DialTimeout != DefaultDialTimeout ||
				o.PoolTimeout != DefaultPoolTimeout || o.MaxRetries != 1 {
				t.Errorf("options = addr %s db %d user %q read %v write %v dial %v pool %v retries %d",
					o.Addr, o.DB, o.Username, o.ReadTimeout, o.WriteTimeout, o.DialTimeout, o.PoolTimeout, o.MaxRetries)
			}
		}},
		{"TLS", "rediss://127.0.0.1:6390/0", func(t *testing.T, c redis.UniversalClient) {
			if c.(*redis.Client).Options().TLSConfig == nil {
				t.Error("rediss:// gave no TLS config")
			}
		}},
		{"URL timeouts override", "redis://127.0.0.1:6390/0?read_timeout=5s&dial_timeout=2s&max_retries=3", func(t *testing.T, c redis.UniversalClient) {
			o := c.(*redis.Client).Options()
			if o.ReadTimeout != 5*time.Second || o.DialTimeout != 2*time.Second || o.WriteTimeout != DefaultIOTimeout || o.MaxRetries != 3 {
				t.Errorf("read %v dial %v write %v retries %d, want 5s 2s %v 3", o.ReadTimeout, o.DialTimeout, o.WriteTimeout, DefaultIOTimeout, o.MaxRetries)
			}
		}},
		{"several hosts make a cluster", "redis://10.0.0.1:7001,10.0.0.2:7002,10.0.0.3", func(t *testing.T, c redis.UniversalClient) {
			cc, ok := c.(*redis.ClusterClient)
			if !ok {
				t.Fatalf("client = %T, want *redis.ClusterClient", c)
			}
			if got := cc.Options().Addrs; len(got) != 3 || got[0] != "10.0.0.1:7001" || got[2] != "10.0.0.3:6379" {
				t.Errorf("addrs = %v, want 10.0.0.1:7001 10.0.0.2:7002 10.0.0.3:6379", got)
			}
		}},
		{"master_name makes a Sentinel client", "redis://u:p@10.0.0.1:26379,10.0.0.2/2?master_name=mymaster", func(t *testing.T, c redis.UniversalClient) {
			// A failover client is a *redis.Client whose Options name no
			// server; what it dials is the sentinels' answer.
			rc, ok := c.(*redis.Client)
			if !ok {
				t.Fatalf("client = %T, want the failover *redis.Client", c)
			}
			if o := rc.Options(); o.DB != 2 || o.Username != "u" || o.Password != "p" || o.Addr == "10.0.0.1:26379" {
				t.Errorf("options = addr %s db %d user %q, want the master's db 2 and credentials, not a sentinel's address", o.Addr, o.DB, o.Username)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.url)
			if err != nil {
				t.Fatalf("NewClient(%q) err = %v", tc.url, err)
			}
			defer c.Close()
			tc.check(t, c)
		})
	}
	for _, bad := range []string{"http://x", "redis://[::1", "memcached://x", "127.0.0.1:6379", "redis://h/notadb"} {
		if c, err := NewClient(bad); err == nil {
			c.Close()
			t.Errorf("NewClient(%q) err = nil, want an error", bad)
		}
	}
}

// TestNewClientSentinel runs the suite through a real Sentinel, when one is
// named in FULLAUTH_TEST_REDIS_SENTINEL_URL, and checks that the keys land
// on the master the sentinels name.
func TestNewClientSentinel(t *testing.T) {
	raw := os.Getenv(envSentinel)
	if raw == "" {
		t.Skipf("%s is not set; set it to a URL naming sentinels and ?master_name= to run the suite through a Sentinel", envSentinel)
	}
	client, err := NewClient(raw)
	if err != nil {
		t.Fatalf("NewClient(%s): %v", envSentinel, err)
	}
	t.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("the master behind the sentinels of %s does not answer: %v", envSentinel, err)
	}
	prefix := testPrefix(t, client)
	kv := New(client, prefix)
	storetest.RunKV(t, func(*testing.T) fullauth.KV { return kv })

	// The server the client talks to is the master the sentinel names.
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v (name one sentinel here)", envSentinel, err)
	}
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: u.Host})
	t.Cleanup(func() { sentinel.Close() })
	master, err := sentinel.Master(ctx, u.Query().Get("master_name")).Result()
	if err != nil {
		t.Fatalf("SENTINEL MASTER: %v", err)
	}
	info, err := client.Info(ctx, "server").Result()
	if err != nil {
		t.Fatal(err)
	}
	if id := master["runid"]; id == "" || !strings.Contains(info, "run_id:"+id) {
		t.Errorf("the client talks to a server whose INFO does not hold the master's run_id %q", id)
	}
}

// FuzzNewClient feeds NewClient arbitrary text: it must never panic, must
// refuse with its own error text, and a client it accepts must be the kind
// the URL asks for.
func FuzzNewClient(f *testing.F) {
	for _, seed := range []string{
		"redis://127.0.0.1:6379/0",
		"rediss://user:pw@h:6380/1?read_timeout=2s",
		"redis://a:7000,b:7001,c",
		"redis://u:p@s1:26379,s2/2?master_name=m&dial_timeout=1s",
		"redis://@,,/?master_name=",
		"redis://[::1]:6379,[::1]:6380/0",
		"redis://h/99999999999999999999",
		"redis://h?max_retries=-1&pool_timeout=x",
		"redis://%zz@h/0",
		"http://h",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := NewClient(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rediskv: invalid URL: ") {
				t.Fatalf("NewClient(%q) err = %q, want it to start with \"rediskv: invalid URL: \"", raw, err)
			}
			return
		}
		defer c.Close()
		switch c.(type) {
		case *redis.Client, *redis.ClusterClient:
		default:
			t.Fatalf("NewClient(%q) = %T, want *redis.Client or *redis.ClusterClient", raw, c)
		}
	})
}
