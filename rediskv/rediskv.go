// Package rediskv is a [fullauth.KV] kept in Redis, so that revocations,
// lockouts, rate limits and one-time challenges hold across every process
// that serves the same users.
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	defer client.Close() // rediskv never closes it: whoever opens a client closes it
//	kv := rediskv.New(client, "") // keys live under "fullauth:"
//
// # Key layout
//
// Every key the library passes is stored as prefix+key, and New's empty
// prefix means "fullauth:". So the library's "blacklist:<jti>" is the Redis
// key "fullauth:blacklist:<jti>", the key fastapi-fullauth uses. Values set
// with Set and SetNX are Redis strings holding the exact bytes; Incr
// counters are strings holding a decimal number (so Get and Take return
// the count as text); Hit windows are sorted sets. Every key has a TTL:
// nothing this package writes lives forever.
//
// # Commands and atomicity
//
// Each method is one round trip to the server that holds its key, and each
// single-key method is atomic on that server:
//
//   - Set: SET key value PX ttl.
//   - SetNX: SET key value PX ttl NX. A refused SetNX changes neither the
//     value nor its TTL.
//   - Get: one MGET. A key holding something other than a string (a Hit
//     window) reads as absent.
//   - Take: GETDEL, so at most one caller receives a value.
//   - Has: EXISTS.
//   - Incr: MULTI; SET key 0 PX ttl NX; INCR key; EXEC. The TTL is set when
//     the counter is created and never extended; INCR keeps it.
//   - Delete: one DEL.
//   - Hit: one Lua script (EVALSHA, falling back to EVAL once after a
//     server restart or SCRIPT FLUSH) implementing the sliding-window log
//     of [fullauth.MemoryKV.Hit] on a sorted set; see [KV.Hit].
//
// TTLs are whole milliseconds: a TTL below one millisecond is raised to one
// millisecond, and a fractional one is rounded up.
//
// With a [*redis.ClusterClient] or [*redis.Ring] the keys of one Get or
// Delete may live on different nodes, so those two methods send one GET or
// DEL per key in a pipeline instead: still one round trip per node, but the
// keys are then read or deleted one by one, not in one atomic step (no
// caller relies on that). Every other method touches one key and so is
// unaffected. A wrapper that hides a cluster client from a type check (such
// as an [*redis.AutoPipeliner] over a cluster) is treated as one server.
//
// # Failures
//
// Every error from the client (network, timeout, context, a server error
// such as WRONGTYPE, or INCR on a value that is not a number) is returned
// wrapped as "rediskv: <method>: <cause>", matchable with [errors.Is] and
// [errors.As]. Nothing is retried here beyond what the client's own options
// (MaxRetries, timeouts) do. The library above decides what an error means:
// the revocation check fails closed, rate limits fail open, lockout and
// challenge errors propagate (CONTRACT §18). Take reports an absent key as
// [fullauth.ErrNotFound], unwrapped.
//
// How long a failure takes is the client's to decide. With go-redis's
// defaults a refused connection is redialled five times 100ms apart and a
// failed command retried three times, so each call during an outage can
// wait half a second or more; set DialTimeout, ReadTimeout, WriteTimeout,
// MaxRetries and DialerRetries to bound it (with one dial attempt, no
// retries and 200ms timeouts, every method fails within about 0.4s, or at
// once when the port refuses connections). A context that is already done
// fails a call at once, and a context deadline shortens the client's
// timeouts; go-redis does not interrupt a read in progress on cancellation
// alone.
//
// # Server requirements
//
//   - Redis 6.2 or later (or a compatible server such as Valkey), for
//     GETDEL. Tested with redis-server 7.0.
//   - Lua scripting (EVAL/EVALSHA) and MULTI/EXEC allowed. The Hit script
//     calls TIME before writing, which needs script effects replication:
//     the default since Redis 5 and the only mode since Redis 7.
//   - With ACLs, the user needs SET, GET, MGET, GETDEL, EXISTS, INCR, DEL,
//     MULTI, EXEC, EVAL, EVALSHA and, inside the script, TIME,
//     ZREMRANGEBYSCORE, ZCARD, ZADD, ZRANGE and PEXPIRE, on the prefix's
//     keys (for example "~fullauth:*").
//   - maxmemory-policy noeviction is advised. Every key here has a TTL, so
//     under memory pressure any volatile-* or allkeys-* policy may evict a
//     revocation or a lockout before it expires.
//
// Hit windows use the Redis server's clock, so processes whose own clocks
// disagree still share one window. Every other TTL is kept by the server.
package rediskv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fullauth/fullauth"
)

// DefaultPrefix is the prefix New uses when given "", the one
// fastapi-fullauth uses.
const DefaultPrefix = "fullauth:"

// KV is a [fullauth.KV] in Redis. It is safe for concurrent use, as its
// client is.
type KV struct {
	client redis.UniversalClient
	prefix string
	// sharded is set when keys may live on different nodes, so multi-key
	// commands are split into one command per key.
	sharded bool
}

var _ fullauth.KV = (*KV)(nil)

// New returns a KV that keeps its keys in client under prefix ("" means
// [DefaultPrefix]). The caller owns client and closes it after the last use
// of the KV; New does not contact the server.
func New(client redis.UniversalClient, prefix string) *KV {
	if client == nil {
		panic("rediskv: New called with a nil client")
	}
	if prefix == "" {
		prefix = DefaultPrefix
	}
	kv := &KV{client: client, prefix: prefix}
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		kv.sharded = true
	}
	return kv
}

func (kv *KV) key(k string) string { return kv.prefix + k }

func wrap(op string, err error) error { return fmt.Errorf("rediskv: %s: %w", op, err) }

// millis returns ttl in whole milliseconds, rounded up, and at least one, as
// fullauth.KV asks (a ttl below one millisecond is raised to one, never
// "forever").
func millis(ttl time.Duration) int64 {
	if ttl < time.Millisecond {
		return 1
	}
	ms := int64(ttl / time.Millisecond)
	if ttl%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// micros returns d in whole microseconds, rounded up.
func micros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if d%time.Microsecond != 0 {
		us++
	}
	return us
}

// bytesOf copies s into a new slice, which is non-nil even when s is empty:
// a present empty value must not read as absent.
func bytesOf(s string) []byte {
	b := make([]byte, len(s))
	copy(b, s)
	return b
}

// Set stores value under key for ttl with SET PX, replacing any earlier
// value and its TTL.
func (kv *KV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	cmd := redis.NewStatusCmd(ctx, "set", kv.key(key), valueArg(value), "px", millis(ttl))
	if err := kv.client.Process(ctx, cmd); err != nil {
		return wrap("set", err)
	}
	return nil
}

// SetNX stores value only if key is absent, with SET PX NX, and reports
// whether it did.
func (kv *KV) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	// BoolCmd reads SET's nil reply (key present) as false.
	cmd := redis.NewBoolCmd(ctx, "set", kv.key(key), valueArg(value), "px", millis(ttl), "nx")
	if err := kv.client.Process(ctx, cmd); err != nil {
		return false, wrap("setnx", err)
	}
	return cmd.Val(), nil
}

// valueArg makes sure a nil value is sent as an empty string.
func valueArg(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// Get returns one value per key, in order, with one MGET (or, on a cluster,
// one pipeline of GETs). With no keys it returns an empty result without
// contacting Redis.
func (kv *KV) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = kv.key(k)
	}
	if kv.sharded {
		return kv.getEach(ctx, full, out)
	}
	vals, err := kv.client.MGet(ctx, full...).Result()
	if err != nil {
		return nil, wrap("get", err)
	}
	if len(vals) != len(keys) {
		return nil, wrap("get", fmt.Errorf("MGET returned %d values for %d keys", len(vals), len(keys)))
	}
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
		case string:
			out[i] = bytesOf(v)
		default:
			return nil, wrap("get", fmt.Errorf("MGET returned a %T", v))
		}
	}
	return out, nil
}

// getEach reads keys with one GET each in a pipeline, for clients whose keys
// may live on different nodes.
func (kv *KV) getEach(ctx context.Context, keys []string, out [][]byte) ([][]byte, error) {
	cmds := make([]*redis.StringCmd, len(keys))
	pipe := kv.client.Pipeline()
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, k)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	for i, cmd := range cmds {
		v, err := cmd.Result()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			if isWrongType(err) {
				continue // as MGET, which reads a non-string key as absent
			}
			return nil, wrap("get", err)
		default:
			out[i] = bytesOf(v)
		}
	}
	return out, nil
}

func isWrongType(err error) bool { return redis.HasErrorPrefix(err, "WRONGTYPE") }

// Take returns the value under key and deletes it with one GETDEL, so at
// most one caller receives it. An absent key returns
// [fullauth.ErrNotFound].
func (kv *KV) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := kv.client.GetDel(ctx, kv.key(key)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fullauth.ErrNotFound
	}
	if err != nil {
		return nil, wrap("take", err)
	}
	return bytesOf(v), nil
}

// Has reports whether key is present, with EXISTS.
func (kv *KV) Has(ctx context.Context, key string) (bool, error) {
	n, err := kv.client.Exists(ctx, kv.key(key)).Result()
	if err != nil {
		return false, wrap("has", err)
	}
	return n > 0, nil
}

// Incr adds one to the counter under key and returns the new count, in one
// MULTI/EXEC: SET key 0 PX ttl NX creates the counter with its TTL only if
// the key is absent, and INCR, which keeps a key's TTL, counts. So the TTL
// starts at the first Incr and later calls do not extend it. A key holding
// a value that is not a decimal number gives an error.
func (kv *KV) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	k := kv.key(key)
	var incr *redis.IntCmd
	_, err := kv.client.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		_ = pipe.Process(ctx, redis.NewBoolCmd(ctx, "set", k, "0", "px", millis(ttl), "nx"))
		incr = pipe.Incr(ctx, k)
		return nil
	})
	if err != nil {
		return 0, wrap("incr", err)
	}
	return incr.Val(), nil
}

// Delete removes the keys with one DEL (on a cluster, one DEL per key in a
// pipeline). With no keys it does not contact Redis.
func (kv *KV) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = kv.key(k)
	}
	if !kv.sharded {
		if err := kv.client.Del(ctx, full...).Err(); err != nil {
			return wrap("delete", err)
		}
		return nil
	}
	cmds := make([]*redis.IntCmd, len(full))
	pipe := kv.client.Pipeline()
	for i, k := range full {
		cmds[i] = pipe.Del(ctx, k)
	}
	_, _ = pipe.Exec(ctx)
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			return wrap("delete", err)
		}
	}
	return nil
}

// hitScript is the sliding-window log of fullauth.MemoryKV.Hit on a sorted
// set whose scores are event times in microseconds on the server's clock.
//
// KEYS[1]  the window's key
// ARGV[1]  limit
// ARGV[2]  window in microseconds
// ARGV[3]  window in milliseconds (the key's TTL)
// ARGV[4]  a random suffix that makes this event's member unique
//
// It returns {allowed (0 or 1), events in the window after this hit, the
// oldest event's time or -1 when there is none, now}, every time in
// microseconds.
//
// Times are Lua numbers (doubles), exact for integers below 2^53, which
// microseconds since 1970 stay under until the year 2255. They are passed
// to Redis through string.format('%.0f') so that no digits are lost.
var hitScript = redis.NewScript(`
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowText = string.format('%.0f', now)
-- Forget events at or before now - window (MemoryKV keeps only those after).
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now - window))
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, nowText, nowText .. ':' .. ARGV[4])
  count = count + 1
  allowed = 1
end
local oldest = -1
if count > 0 then
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  oldest = tonumber(first[2])
  redis.call('PEXPIRE', key, ARGV[3])
end
return {allowed, count, oldest, now}
`)

// Hit counts one event in the sliding-window log under key, in one Lua
// script, so the limit holds across processes. Events are timed by the
// Redis server's clock (TIME, in microseconds), so app servers with skewed
// clocks share one window. The script forgets events at or before
// now-window, counts the rest, records this event (with a unique member)
// only if fewer than limit remain, and, when the window holds any event,
// sets the key's TTL to window. Remaining and Reset are computed from its
// result exactly as [fullauth.MemoryKV.Hit] computes them. A window below
// one millisecond is raised to one millisecond.
func (kv *KV) Hit(ctx context.Context, key string, limit int, window time.Duration) (fullauth.Window, error) {
	window = max(window, time.Millisecond)
	var suffix [8]byte
	rand.Read(suffix[:]) // never returns an error
	res, err := hitScript.Run(ctx, kv.client, []string{kv.key(key)},
		limit, micros(window), millis(window), hex.EncodeToString(suffix[:])).Int64Slice()
	if err != nil {
		return fullauth.Window{}, wrap("hit", err)
	}
	if len(res) != 4 {
		return fullauth.Window{}, wrap("hit", fmt.Errorf("script returned %d values, want 4", len(res)))
	}
	allowed, count, oldest, now := res[0], res[1], res[2], res[3]
	w := fullauth.Window{Allowed: allowed == 1, Limit: limit}
	w.Remaining = int(max(int64(limit)-count, 0))
	if count > 0 && oldest >= 0 {
		// The oldest event leaves the window window after it happened. If
		// the server's clock stepped, keep Reset within [0, window].
		reset := time.Duration(oldest+micros(window)-now) * time.Microsecond
		w.Reset = min(max(reset, 0), window)
	}
	return w, nil
}
