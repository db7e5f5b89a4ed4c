package main

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/rediskv"
)

// sharedState is the KV the server runs on and the Redis client behind it,
// if any. The server owns the client and closes it.
type sharedState struct {
	kv    fullauth.KV
	redis redis.UniversalClient
}

func (s *sharedState) Close() error {
	if s.redis == nil {
		return nil
	}
	return s.redis.Close()
}

// Ping checks Redis, for /readyz. Without Redis there is nothing to check.
func (s *sharedState) Ping(ctx context.Context) error {
	if s.redis == nil {
		return nil
	}
	return s.redis.Ping(ctx).Err()
}

// openSharedState builds the KV the settings ask for: memory, Redis, or a
// mix routed by feature when the per-feature backends differ (CONTRACT
// §7.3). Creating the Redis client does not connect; the first command does.
func openSharedState(cfg fullauth.Config) (*sharedState, error) {
	resolved, _, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	b := resolved.Backends
	// A feature that is off keeps no state, so its backend setting does
	// not count (§24.16): it neither needs Redis nor decides the layout.
	features := []struct {
		on      bool
		backend *string
	}{
		{!resolved.DisableBlacklist, &b.Blacklist},
		{!resolved.DisableLockout, &b.Lockout},
		{!resolved.DisableRateLimit, &b.RateLimit},
		{resolved.Passkeys.Enabled, &b.PasskeyChallenge},
	}
	used := map[string]bool{}
	for _, f := range features {
		if !f.on {
			*f.backend = "memory"
			continue
		}
		used[*f.backend] = true
	}
	st := &sharedState{}
	memory := fullauth.KV(fullauth.NewMemoryKV())
	if !used["redis"] {
		st.kv = memory
		return st, nil
	}
	client, err := rediskv.NewClient(b.RedisURL)
	if err != nil {
		// A settings problem, listed like the others (§22).
		return nil, &configError{problems: []string{"REDIS_URL: " + strings.TrimPrefix(err.Error(), "rediskv: ")}}
	}
	st.redis = client
	shared := fullauth.KV(rediskv.New(client, ""))
	if len(used) == 1 { // every feature that is on keeps its state in Redis
		st.kv = shared
		return st, nil
	}
	pick := func(backend string) fullauth.KV {
		if backend == "redis" {
			return shared
		}
		return memory
	}
	st.kv = &routedKV{
		blacklist: pick(b.Blacklist),
		lockout:   pick(b.Lockout),
		rateLimit: pick(b.RateLimit),
		other:     pick(b.PasskeyChallenge),
	}
	return st, nil
}

// routedKV sends each feature's keys to that feature's backend, for
// deployments that keep, say, lockouts in Redis but rate limits in memory.
// The key prefixes are the root package's.
type routedKV struct {
	blacklist, lockout, rateLimit, other fullauth.KV
}

func (r *routedKV) route(key string) fullauth.KV {
	switch {
	// The user cache's generations travel with the revocation state: the
	// per-request check reads both in one round trip, and every instance
	// that shares revocations must see them.
	case strings.HasPrefix(key, "blacklist:"), strings.HasPrefix(key, "revoked-"), strings.HasPrefix(key, "used-token:"),
		strings.HasPrefix(key, "user-gen:"):
		return r.blacklist
	case strings.HasPrefix(key, "lockout:"):
		return r.lockout
	case strings.HasPrefix(key, "ratelimit:"):
		return r.rateLimit
	default:
		return r.other
	}
}

func (r *routedKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.route(key).Set(ctx, key, value, ttl)
}

func (r *routedKV) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return r.route(key).SetNX(ctx, key, value, ttl)
}

// Get keeps one round trip per backend: the revocation check's keys all
// route to the blacklist backend.
func (r *routedKV) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	groups := map[fullauth.KV][]int{}
	var order []fullauth.KV
	for i, k := range keys {
		kv := r.route(k)
		if _, ok := groups[kv]; !ok {
			order = append(order, kv)
		}
		groups[kv] = append(groups[kv], i)
	}
	for _, kv := range order {
		idx := groups[kv]
		sub := make([]string, len(idx))
		for j, i := range idx {
			sub[j] = keys[i]
		}
		vals, err := kv.Get(ctx, sub...)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			out[i] = vals[j]
		}
	}
	return out, nil
}

func (r *routedKV) Take(ctx context.Context, key string) ([]byte, error) {
	return r.route(key).Take(ctx, key)
}

func (r *routedKV) Has(ctx context.Context, key string) (bool, error) {
	return r.route(key).Has(ctx, key)
}

func (r *routedKV) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	return r.route(key).Incr(ctx, key, ttl)
}

func (r *routedKV) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := r.route(k).Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

func (r *routedKV) Hit(ctx context.Context, key string, limit int, window time.Duration) (fullauth.Window, error) {
	return r.route(key).Hit(ctx, key, limit, window)
}
