package rediskv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/storetest"
)

// The tests that need a server read its address from FULLAUTH_TEST_REDIS_URL
// (for example redis://127.0.0.1:6379/0) and skip when it is unset or the
// server does not answer, unless FULLAUTH_TEST_REQUIRE_SERVICES=1, which
// turns the skip into a failure. Every run works under its own random
// prefix and deletes its keys afterwards, so a shared server is fine.
//
// FULLAUTH_TEST_REDIS_CLUSTER_ADDRS (comma-separated host:port of cluster
// nodes) additionally runs the conformance suite against a Redis Cluster;
// that test is optional and skips when the variable is unset.

const (
	envURL     = "FULLAUTH_TEST_REDIS_URL"
	envCluster = "FULLAUTH_TEST_REDIS_CLUSTER_ADDRS"
	envRequire = "FULLAUTH_TEST_REQUIRE_SERVICES"
)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// noServer skips tb, or fails it when services are required.
func noServer(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(envRequire) == "1" {
		tb.Fatalf("%s (%s=1, so this is a failure)", msg, envRequire)
	}
	tb.Skip(msg)
}

// serverOptions returns the options for the test server, or skips.
func serverOptions(tb testing.TB) *redis.Options {
	tb.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		noServer(tb, "%s is not set; set it (e.g. redis://127.0.0.1:6379/0) to run the Redis tests", envURL)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("%s=%q: %v", envURL, url, err)
	}
	return opt
}

// reachable pings the test server once per test binary, so that a missing
// server costs one timeout rather than one per test.
var reachable = sync.OnceValue(func() error {
	opt, err := redis.ParseURL(os.Getenv(envURL))
	if err != nil {
		return err
	}
	opt.DialerRetries, opt.MaxRetries = 1, -1
	client := redis.NewClient(opt)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return client.Ping(ctx).Err()
})

// newClient opens a client for the test server and closes it when tb ends;
// it skips when the server does not answer.
func newClient(tb testing.TB) *redis.Client {
	tb.Helper()
	opt := serverOptions(tb)
	if err := reachable(); err != nil {
		// The address only: the URL may hold a password.
		noServer(tb, "the Redis server at %s (db %d) does not answer: %v", opt.Addr, opt.DB, err)
	}
	client := redis.NewClient(opt)
	tb.Cleanup(func() { client.Close() })
	return client
}

// testPrefix returns a fresh prefix and deletes every key under it from
// each of the clients' servers when tb ends. Register it after the clients
// so that it runs before they close.
func testPrefix(tb testing.TB, clients ...redis.UniversalClient) string {
	tb.Helper()
	prefix := "fullauth-test-" + randomHex(8) + ":"
	tb.Cleanup(func() {
		for _, c := range clients {
			if err := deleteMatching(c, globEscape(prefix)+"*"); err != nil {
				tb.Errorf("deleting the test keys under %q: %v", prefix, err)
			}
		}
	})
	return prefix
}

// deleteMatching deletes every key matching pattern, on every master of a
// cluster. It runs in cleanup, after the test's context is done.
func deleteMatching(c redis.UniversalClient, pattern string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scan := func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			// One key per DEL, so that a cluster node never sees keys of
			// several slots in one command.
			if err := node.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	switch c := c.(type) {
	case *redis.Client:
		return scan(ctx, c)
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, scan)
	case *redis.Ring:
		return c.ForEachShard(ctx, scan)
	}
	return fmt.Errorf("cannot scan a %T", c)
}

// globEscape escapes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestKV(t *testing.T) {
	client := newClient(t)
	prefix := testPrefix(t, client)
	kv := New(client, prefix)
	if kv.sharded {
		t.Fatal("New(*redis.Client) treats the client as sharded")
	}
	storetest.RunKV(t, func(*testing.T) fullauth.KV { return kv })
}

// TestKVSharded runs the suite through the per-key pipeline that Get and
// Delete use on a cluster, with a two-shard Ring whose shards are the one
// test server (so the keys of one call go to both shards).
func TestKVSharded(t *testing.T) {
	plain := newClient(t)
	opt := serverOptions(t)
	ring := redis.NewRing(&redis.RingOptions{
		Addrs:    map[string]string{"a": opt.Addr, "b": opt.Addr},
		Username: opt.Username,
		Password: opt.Password,
		DB:       opt.DB,
	})
	t.Cleanup(func() { ring.Close() })
	prefix := testPrefix(t, plain)
	kv := New(ring, prefix)
	if !kv.sharded {
		t.Fatal("New(*redis.Ring) does not treat the client as sharded")
	}
	storetest.RunKV(t, func(*testing.T) fullauth.KV { return kv })
}

// TestKVCluster runs the suite against a real Redis Cluster, when one is
// named in FULLAUTH_TEST_REDIS_CLUSTER_ADDRS.
func TestKVCluster(t *testing.T) {
	addrs := os.Getenv(envCluster)
	if addrs == "" {
		t.Skipf("%s is not set; set it to the cluster's nodes (host:port,…) to run the suite against a Redis Cluster", envCluster)
	}
	// Through NewClient, so that its host-list form is tested on a real
	// cluster too.
	uc, err := NewClient("redis://" + addrs)
	if err != nil {
		t.Fatalf("NewClient(redis://%s): %v", addrs, err)
	}
	t.Cleanup(func() { uc.Close() })
	client, ok := uc.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("NewClient(redis://%s) = %T, want *redis.ClusterClient", addrs, uc)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("the Redis Cluster at %s does not answer: %v", addrs, err)
	}
	prefix := testPrefix(t, client)
	kv := New(client, prefix)
	if !kv.sharded {
		t.Fatal("New(*redis.ClusterClient) does not treat the client as sharded")
	}
	storetest.RunKV(t, func(*testing.T) fullauth.KV { return kv })

	// The keys of one Get really are on different slots.
	ks := []string{"a", "b", "c", "d", "e", "f"}
	for _, k := range ks {
		if err := kv.Set(t.Context(), k, []byte(k), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	got, err := kv.Get(t.Context(), ks...)
	if err != nil {
		t.Fatalf("Get(keys on several slots) err = %v", err)
	}
	for i, k := range ks {
		if string(got[i]) != k {
			t.Errorf("Get(…)[%d] = %q, want %q", i, got[i], k)
		}
	}
	if err := kv.Delete(t.Context(), ks...); err != nil {
		t.Fatalf("Delete(keys on several slots) err = %v", err)
	}
}

// TestKeyLayout checks the Redis keys, types and TTLs behind each method,
// with the default prefix, so they match fastapi-fullauth's
// fullauth:blacklist:<jti> and friends.
func TestKeyLayout(t *testing.T) {
	client := newClient(t)
	ctx := t.Context()
	kv := New(client, "")
	id := "rediskv-test-" + randomHex(8)
	black, counter, window, challenge := "blacklist:"+id, "lockout:attempts:"+id, "ratelimit:login:"+id, "challenge:"+id
	t.Cleanup(func() {
		client.Del(context.Background(), "fullauth:"+black, "fullauth:"+counter, "fullauth:"+window, "fullauth:"+challenge)
	})

	pttl := func(key string) time.Duration {
		t.Helper()
		d, err := client.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", key, err)
		}
		return d
	}
	near := func(what string, got, want time.Duration) {
		t.Helper()
		if got > want || got < want-5*time.Second {
			t.Errorf("%s = %v, want about %v", what, got, want)
		}
	}

	// Set: a string under prefix+key with a millisecond TTL.
	if err := kv.Set(ctx, black, []byte("1"), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if v, err := client.Get(ctx, "fullauth:"+black).Result(); err != nil || v != "1" {
		t.Errorf("GET fullauth:%s = %q, %v; want \"1\"", black, v, err)
	}
	near("PTTL of a Set key", pttl("fullauth:"+black), 30*time.Second)
	if n, _ := client.Exists(ctx, black).Result(); n != 0 {
		t.Errorf("the unprefixed key %s exists", black)
	}

	// Incr: a decimal string whose TTL starts at the first Incr.
	for i, ttl := range []time.Duration{20 * time.Second, time.Hour} {
		n, err := kv.Incr(ctx, counter, ttl)
		if err != nil || n != int64(i+1) {
			t.Fatalf("Incr %d = %d, %v", i+1, n, err)
		}
	}
	if v, _ := client.Get(ctx, "fullauth:"+counter).Result(); v != "2" {
		t.Errorf("GET fullauth:%s = %q, want \"2\"", counter, v)
	}
	near("PTTL of a counter after a second Incr with a longer ttl", pttl("fullauth:"+counter), 20*time.Second)

	// Hit: a sorted set of events with the window as its TTL.
	for range 2 {
		if _, err := kv.Hit(ctx, window, 5, 40*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if typ, _ := client.Type(ctx, "fullauth:"+window).Result(); typ != "zset" {
		t.Errorf("TYPE fullauth:%s = %q, want zset", window, typ)
	}
	members, err := client.ZRangeWithScores(ctx, "fullauth:"+window, 0, -1).Result()
	if err != nil || len(members) != 2 {
		t.Fatalf("ZRANGE fullauth:%s = %v, %v; want 2 events", window, members, err)
	}
	for _, m := range members {
		// Member "<µs>:<16 hex>", score the same µs on the server's clock.
		name := m.Member.(string)
		us, suffix, ok := strings.Cut(name, ":")
		if !ok || us != fmt.Sprintf("%.0f", m.Score) || len(suffix) != 16 {
			t.Errorf("window member %q with score %.0f, want \"<score>:<16 hex digits>\"", name, m.Score)
		}
		if age := time.Since(time.UnixMicro(int64(m.Score))); age < -time.Minute || age > time.Minute {
			t.Errorf("window score %.0f is %v from now, want a time in microseconds", m.Score, age)
		}
	}
	near("PTTL of a window", pttl("fullauth:"+window), 40*time.Second)

	// Take: GETDEL of prefix+key.
	if err := kv.Set(ctx, challenge, []byte("c"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := kv.Take(ctx, challenge); err != nil || string(v) != "c" {
		t.Fatalf("Take = %q, %v", v, err)
	}
	if n, _ := client.Exists(ctx, "fullauth:"+challenge).Result(); n != 0 {
		t.Errorf("fullauth:%s still exists after Take", challenge)
	}

	// Sub-millisecond TTLs are raised to one millisecond; fractions round up.
	for _, c := range []struct {
		ttl  time.Duration
		want int64
	}{{-time.Second, 1}, {0, 1}, {time.Nanosecond, 1}, {time.Millisecond, 1}, {1500 * time.Microsecond, 2}, {time.Hour, 3600000}} {
		if got := millis(c.ttl); got != c.want {
			t.Errorf("millis(%v) = %d, want %d", c.ttl, got, c.want)
		}
	}
}

// TestHitWindowState checks Remaining and Reset against MemoryKV's rules:
// Reset is measured from the oldest event still in the window.
func TestHitWindowState(t *testing.T) {
	client := newClient(t)
	kv := New(client, testPrefix(t, client))
	ctx := t.Context()
	const window = 10 * time.Second

	w, err := kv.Hit(ctx, "w", 3, window)
	if err != nil || !w.Allowed || w.Limit != 3 || w.Remaining != 2 {
		t.Fatalf("first Hit = %+v, %v; want allowed, limit 3, remaining 2", w, err)
	}
	if w.Reset > window || w.Reset < window-time.Second {
		t.Errorf("first Hit Reset = %v, want about %v", w.Reset, window)
	}
	time.Sleep(300 * time.Millisecond)
	w2, err := kv.Hit(ctx, "w", 3, window)
	if err != nil || !w2.Allowed || w2.Remaining != 1 {
		t.Fatalf("second Hit = %+v, %v; want allowed, remaining 1", w2, err)
	}
	if w2.Reset > w.Reset-300*time.Millisecond {
		t.Errorf("second Hit Reset = %v, want at most %v (the first event's, 300ms later)", w2.Reset, w.Reset-300*time.Millisecond)
	}

	// A limit of zero refuses, records nothing and leaves no key.
	w, err = kv.Hit(ctx, "zero", 0, window)
	if err != nil || w.Allowed || w.Remaining != 0 || w.Reset != 0 || w.Limit != 0 {
		t.Errorf("Hit with limit 0 = %+v, %v; want refused, remaining 0, reset 0", w, err)
	}
	if n, _ := client.Exists(ctx, kv.key("zero")).Result(); n != 0 {
		t.Errorf("Hit with limit 0 created its key")
	}
}

// TestWrongType checks that values of the wrong kind give errors, not
// panics or silent resets.
func TestWrongType(t *testing.T) {
	client := newClient(t)
	kv := New(client, testPrefix(t, client))
	ctx := t.Context()
	if err := kv.Set(ctx, "text", []byte("abc"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if n, err := kv.Incr(ctx, "text", time.Minute); err == nil || !strings.HasPrefix(err.Error(), "rediskv: incr: ") {
		t.Errorf("Incr(a non-number) = %d, %v; want a rediskv: incr error", n, err)
	}
	if w, err := kv.Hit(ctx, "text", 5, time.Minute); err == nil || !strings.HasPrefix(err.Error(), "rediskv: hit: ") {
		t.Errorf("Hit(a string key) = %+v, %v; want a rediskv: hit error", w, err)
	}
	// A counter reads back as its decimal text, as from MemoryKV.
	for range 3 {
		if _, err := kv.Incr(ctx, "n", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := kv.Get(ctx, "n"); err != nil || string(got[0]) != "3" {
		t.Errorf("Get(counter) = %q, %v; want \"3\"", got, err)
	}
	// A counter created by Set keeps its TTL when incremented.
	if err := kv.Set(ctx, "set-counter", []byte("41"), 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if n, err := kv.Incr(ctx, "set-counter", time.Hour); err != nil || n != 42 {
		t.Errorf("Incr(\"41\") = %d, %v; want 42", n, err)
	}
	if d := client.PTTL(ctx, kv.key("set-counter")).Val(); d > 20*time.Second || d < 10*time.Second {
		t.Errorf("PTTL after Incr of a Set value = %v, want its Set ttl (about 20s)", d)
	}
}

// countHook records each round trip a client makes: one entry per
// command, or per pipeline (its commands joined by "+").
type countHook struct {
	mu    sync.Mutex
	trips []string
}

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.record(cmd.Name())
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		h.record(strings.Join(names, "+"))
		return next(ctx, cmds)
	}
}

func (h *countHook) record(s string) {
	switch s {
	case "hello", "auth", "select", "client+client", "client":
		return // a new connection's handshake, not the caller's round trip
	}
	h.mu.Lock()
	h.trips = append(h.trips, s)
	h.mu.Unlock()
}

func (h *countHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.trips
	h.trips = nil
	return t
}

// TestRoundTrips checks that each method is one round trip of the
// commands the package documentation names.
func TestRoundTrips(t *testing.T) {
	client := newClient(t)
	hook := &countHook{}
	client.AddHook(hook)
	kv := New(client, testPrefix(t, client))
	ctx := t.Context()
	// Load the Hit script first, so the check sees EVALSHA alone, and open
	// the pipeline's connection.
	if _, err := kv.Hit(ctx, "warm", 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Incr(ctx, "warm-n", time.Second); err != nil {
		t.Fatal(err)
	}
	hook.take()
	for _, c := range []struct {
		call func() error
		want string
	}{
		{func() error { return kv.Set(ctx, "a", []byte("v"), time.Minute) }, "set"},
		{func() error { _, err := kv.SetNX(ctx, "b", []byte("v"), time.Minute); return err }, "set"},
		{func() error { _, err := kv.Get(ctx, "a", "b", "c"); return err }, "mget"},
		{func() error { _, err := kv.Get(ctx); return err }, ""},
		{func() error { _, err := kv.Take(ctx, "a"); return err }, "getdel"},
		{func() error { _, err := kv.Has(ctx, "b"); return err }, "exists"},
		{func() error { _, err := kv.Incr(ctx, "n", time.Minute); return err }, "multi+set+incr+exec"},
		{func() error { return kv.Delete(ctx, "a", "b", "n") }, "del"},
		{func() error { return kv.Delete(ctx) }, ""},
		{func() error { _, err := kv.Hit(ctx, "h", 5, time.Minute); return err }, "evalsha"},
	} {
		if err := c.call(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(hook.take(), " "); got != c.want {
			t.Errorf("round trips = %q, want %q", got, c.want)
		}
	}
}

// TestTwoClients races two separate clients, as two server processes would,
// on the same keys: every atomic operation must come out exactly once.
func TestTwoClients(t *testing.T) {
	c1, c2 := newClient(t), newClient(t)
	prefix := testPrefix(t, c1)
	kvs := [2]*KV{New(c1, prefix), New(c2, prefix)}
	const n = 64
	race := func(f func(kv *KV, i int)) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				f(kvs[i%2], i)
			})
		}
		close(start)
		wg.Wait()
	}
	ctx := t.Context()

	t.Run("Hit", func(t *testing.T) {
		const limit = 10
		var mu sync.Mutex
		allowed := 0
		race(func(kv *KV, i int) {
			w, err := kv.Hit(ctx, "hit", limit, time.Minute)
			if err != nil {
				t.Errorf("Hit: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if w.Allowed {
				allowed++
			}
		})
		if allowed != limit {
			t.Errorf("%d of %d Hit calls from two clients were allowed under limit %d", allowed, n, limit)
		}
		if got := c1.ZCard(ctx, prefix+"hit").Val(); got != limit {
			t.Errorf("the window holds %d events, want %d", got, limit)
		}
	})

	t.Run("SetNX", func(t *testing.T) {
		var mu sync.Mutex
		var winners []int
		race(func(kv *KV, i int) {
			ok, err := kv.SetNX(ctx, "setnx", []byte(fmt.Sprint(i)), time.Minute)
			if err != nil {
				t.Errorf("SetNX: %v", err)
			}
			if ok {
				mu.Lock()
				winners = append(winners, i)
				mu.Unlock()
			}
		})
		if len(winners) != 1 {
			t.Fatalf("SetNX won by %v, want exactly one caller", winners)
		}
		if got, _ := kvs[1-winners[0]%2].Get(ctx, "setnx"); string(got[0]) != fmt.Sprint(winners[0]) {
			t.Errorf("the other client reads %q, want the winner's %d", got[0], winners[0])
		}
	})

	t.Run("Incr", func(t *testing.T) {
		got := make([]int64, n)
		race(func(kv *KV, i int) {
			v, err := kv.Incr(ctx, "incr", time.Minute)
			if err != nil {
				t.Errorf("Incr: %v", err)
			}
			got[i] = v
		})
		slices.Sort(got)
		for i, v := range got {
			if v != int64(i+1) {
				t.Fatalf("Incr from two clients returned %v, want each of 1…%d once", got, n)
			}
		}
	})

	t.Run("Take", func(t *testing.T) {
		if err := kvs[0].Set(ctx, "take", []byte("prize"), time.Minute); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		winners := 0
		race(func(kv *KV, i int) {
			v, err := kv.Take(ctx, "take")
			switch {
			case err == nil:
				mu.Lock()
				winners++
				mu.Unlock()
				if string(v) != "prize" {
					t.Errorf("Take = %q, want \"prize\"", v)
				}
			case !errors.Is(err, fullauth.ErrNotFound):
				t.Errorf("Take: %v", err)
			}
		})
		if winners != 1 {
			t.Errorf("%d Take calls from two clients got the value, want exactly 1", winners)
		}
	})
}

// closedAddr returns a loopback address that nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentAddr returns a loopback address that accepts connections and never
// answers, like a hung server; it stops when t ends.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestUnreachable checks that with no server, or one that never answers,
// every method returns a wrapped error promptly, and never panics. It needs
// no server.
func TestUnreachable(t *testing.T) {
	addr := closedAddr(t)
	// Short timeouts, no command retries, and one dial attempt (go-redis
	// otherwise redials five times, 100ms apart, before giving up).
	const timeout = 200 * time.Millisecond
	clients := map[string]redis.UniversalClient{
		"Client": redis.NewClient(&redis.Options{
			Addr: addr, DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
			MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond,
		}),
		"Silent": redis.NewClient(&redis.Options{
			Addr: silentAddr(t), DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
			MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond,
		}),
		"Ring": redis.NewRing(&redis.RingOptions{
			Addrs:       map[string]string{"a": addr},
			DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
			MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond,
		}),
	}
	for name, client := range clients {
		t.Run(name, func(t *testing.T) {
			t.Cleanup(func() { client.Close() })
			kv := New(client, "")
			ctx := t.Context()
			calls := []struct {
				name string
				call func() error
			}{
				{"set", func() error { return kv.Set(ctx, "k", []byte("v"), time.Minute) }},
				{"setnx", func() error { _, err := kv.SetNX(ctx, "k", []byte("v"), time.Minute); return err }},
				{"get", func() error { _, err := kv.Get(ctx, "a", "b", "c"); return err }},
				{"take", func() error { _, err := kv.Take(ctx, "k"); return err }},
				{"has", func() error { _, err := kv.Has(ctx, "k"); return err }},
				{"incr", func() error { _, err := kv.Incr(ctx, "k", time.Minute); return err }},
				{"delete", func() error { return kv.Delete(ctx, "a", "b") }},
				{"hit", func() error { _, err := kv.Hit(ctx, "k", 5, time.Minute); return err }},
			}
			for _, c := range calls {
				start := time.Now()
				err := c.call()
				took := time.Since(start)
				if err == nil || errors.Is(err, fullauth.ErrNotFound) {
					t.Errorf("%s with no server: err = %v, want a connection error", c.name, err)
				} else if !strings.HasPrefix(err.Error(), "rediskv: "+c.name+": ") {
					t.Errorf("%s with no server: err = %q, want it to start \"rediskv: %s: \"", c.name, err, c.name)
				}
				t.Logf("%s: %v after %v", c.name, err, took.Round(time.Microsecond))
				if took > 4*timeout {
					t.Errorf("%s with no server took %v, want an error within the client's timeouts", c.name, took)
				}
			}
			// With no keys, Get and Delete do not contact the server at all.
			if got, err := kv.Get(ctx); err != nil || got == nil || len(got) != 0 {
				t.Errorf("Get() with no keys and no server = %v, %v; want an empty result, nil", got, err)
			}
			if err := kv.Delete(ctx); err != nil {
				t.Errorf("Delete() with no keys and no server = %v, want nil", err)
			}
		})
	}
}

// TestCanceled checks that a done context gives its error, wrapped.
func TestCanceled(t *testing.T) {
	client := newClient(t)
	kv := New(client, testPrefix(t, client))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := kv.Get(ctx, "a", "b"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: err = %v, want context.Canceled", err)
	}
	if _, err := kv.Hit(ctx, "a", 1, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Hit with a canceled context: err = %v, want context.Canceled", err)
	}
}

// BenchmarkGetRevocationCheck is the auth hot path: one Get of three keys
// (the token's jti, its family and the user's "issued before" mark), all
// absent for a valid token, in one round trip.
func BenchmarkGetRevocationCheck(b *testing.B) {
	client := newClient(b)
	kv := New(client, testPrefix(b, client))
	ctx := b.Context()
	id := randomHex(16)
	keys := []string{"revoked:" + id, "family:" + id, "user-void:" + id}
	if err := kv.Set(ctx, "family:"+id, nil, time.Minute); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kv.Get(ctx, keys...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetRevocationCheckParallel is the same check from many
// goroutines at once, as under load.
func BenchmarkGetRevocationCheckParallel(b *testing.B) {
	client := newClient(b)
	kv := New(client, testPrefix(b, client))
	id := randomHex(16)
	keys := []string{"revoked:" + id, "family:" + id, "user-void:" + id}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := kv.Get(ctx, keys...); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkHit is one rate-limit check with every hit allowed (the script's
// longest path: trim, count, add, expire). The 1s window keeps the set
// bounded.
func BenchmarkHit(b *testing.B) {
	client := newClient(b)
	kv := New(client, testPrefix(b, client))
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kv.Hit(ctx, "bench", 1<<30, time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
