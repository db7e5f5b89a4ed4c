package main

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestNewRedisClient(t *testing.T) {
	t.Run("single server with fail-fast defaults", func(t *testing.T) {
		c, err := newRedisClient("redis://user:pw@127.0.0.1:6390/3")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rc, ok := c.(*redis.Client)
		if !ok {
			t.Fatalf("client = %T, want *redis.Client", c)
		}
		o := rc.Options()
		if o.Addr != "127.0.0.1:6390" || o.DB != 3 || o.Username != "user" || o.Password != "pw" ||
			o.ReadTimeout != redisIOTimeout || o.DialTimeout != redisDialTimeout || o.MaxRetries != 1 {
			t.Errorf("options = addr %s db %d user %q read %v dial %v retries %d", o.Addr, o.DB, o.Username, o.ReadTimeout, o.DialTimeout, o.MaxRetries)
		}
	})
	t.Run("URL timeouts override", func(t *testing.T) {
		c, err := newRedisClient("redis://127.0.0.1:6390/0?read_timeout=5s&dial_timeout=2s")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		o := c.(*redis.Client).Options()
		if o.ReadTimeout != 5*time.Second || o.DialTimeout != 2*time.Second || o.WriteTimeout != redisIOTimeout {
			t.Errorf("timeouts = read %v dial %v write %v", o.ReadTimeout, o.DialTimeout, o.WriteTimeout)
		}
	})
	t.Run("several hosts make a cluster", func(t *testing.T) {
		c, err := newRedisClient("redis://10.0.0.1:7001,10.0.0.2:7002,10.0.0.3")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cc, ok := c.(*redis.ClusterClient)
		if !ok {
			t.Fatalf("client = %T, want *redis.ClusterClient", c)
		}
		if got := cc.Options().Addrs; len(got) != 3 || got[2] != "10.0.0.3:6379" {
			t.Errorf("addrs = %v", got)
		}
	})
	t.Run("master_name makes a Sentinel client", func(t *testing.T) {
		c, err := newRedisClient("redis://10.0.0.1:26379?master_name=mymaster")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, ok := c.(*redis.Client); !ok { // a failover client is a *redis.Client
			t.Fatalf("client = %T", c)
		}
	})
	for _, bad := range []string{"http://x", "redis://[::1", "memcached://x"} {
		if _, err := newRedisClient(bad); err == nil {
			t.Errorf("newRedisClient(%q) err = nil, want an error", bad)
		}
	}
}
