package fullauth

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// KV holds short-lived state that every process serving the same users must
// share: revoked token IDs and sessions, used single-use tokens, failed-login
// counters and one-time challenges. Every value expires after its TTL; a TTL
// below one millisecond is raised to one millisecond, never "forever".
//
// Implementations must make SetNX, Take and Incr atomic across all processes
// that share the store. storetest.RunKV checks an implementation.
type KV interface {
	// Set stores value under key for ttl, replacing any earlier value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value only if key is absent and reports whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Get returns one value per key, in order, in a single round trip: nil
	// where a key is absent, a non-nil (possibly empty) slice where present.
	Get(ctx context.Context, keys ...string) ([][]byte, error)
	// Take returns the value and deletes it in one atomic step, so at most
	// one caller ever receives it. An absent key returns ErrNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
	// Has reports whether key is present.
	Has(ctx context.Context, key string) (bool, error)
	// Incr adds one to the counter under key and returns the new count. The
	// ttl is set when the counter is created and not extended after.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	// Delete removes the keys; absent keys are ignored.
	Delete(ctx context.Context, keys ...string) error
	// Hit counts one event in the sliding-window log under key (CONTRACT
	// §9.2): events older than window are forgotten; if limit events remain
	// the new one is refused and not recorded, otherwise it is recorded.
	// It is one atomic step, so limits hold across processes.
	Hit(ctx context.Context, key string, limit int, window time.Duration) (Window, error)
}

// Window is the state of a sliding-window log after a [KV.Hit].
type Window struct {
	Allowed bool
	// Limit is the limit the hit was checked against.
	Limit int
	// Remaining is how many more events the window accepts now.
	Remaining int
	// Reset is how long until the oldest recorded event leaves the window
	// (zero when the window is empty).
	Reset time.Duration
}

// MemoryKV is a KV for a single process. State is lost on restart and is
// not shared with other processes, so revocations, lockouts and rate limits
// only hold within this process. It needs no goroutine: expired keys are
// dropped when read, and swept while writing.
type MemoryKV struct {
	mu      sync.Mutex
	items   map[string]memItem
	writes  int
	nowFunc func() time.Time
}

type memItem struct {
	value   []byte
	counter int64
	hits    []time.Time // a sliding-window log, oldest first
	expires time.Time
}

// NewMemoryKV returns an empty in-memory KV.
func NewMemoryKV() *MemoryKV {
	return &MemoryKV{items: make(map[string]memItem), nowFunc: time.Now}
}

var _ KV = (*MemoryKV)(nil)

// sweepEvery is how many writes pass between full sweeps of expired keys,
// so memory stays bounded by the live keys without a background goroutine.
const sweepEvery = 1024

func ttlOf(ttl time.Duration) time.Duration { return max(ttl, time.Millisecond) }

// live returns the item under key if it has not expired. Caller holds mu.
func (m *MemoryKV) live(key string, now time.Time) (memItem, bool) {
	it, ok := m.items[key]
	if !ok {
		return memItem{}, false
	}
	if !now.Before(it.expires) {
		delete(m.items, key)
		return memItem{}, false
	}
	return it, true
}

// wrote counts a write and sweeps expired keys now and then. Caller holds mu.
func (m *MemoryKV) wrote(now time.Time) {
	m.writes++
	if m.writes < sweepEvery {
		return
	}
	m.writes = 0
	for k, it := range m.items {
		if !now.Before(it.expires) {
			delete(m.items, k)
		}
	}
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return append([]byte{}, b...)
}

func (m *MemoryKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.nowFunc()
	m.items[key] = memItem{value: cloneBytes(value), expires: now.Add(ttlOf(ttl))}
	m.wrote(now)
	return nil
}

func (m *MemoryKV) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.nowFunc()
	if _, ok := m.live(key, now); ok {
		return false, nil
	}
	m.items[key] = memItem{value: cloneBytes(value), expires: now.Add(ttlOf(ttl))}
	m.wrote(now)
	return true, nil
}

func (m *MemoryKV) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.nowFunc()
	for i, k := range keys {
		if it, ok := m.live(k, now); ok {
			out[i] = cloneBytes(it.valueBytes())
		}
	}
	return out, nil
}

func (m *MemoryKV) Take(ctx context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.live(key, m.nowFunc())
	if !ok {
		return nil, ErrNotFound
	}
	delete(m.items, key)
	return cloneBytes(it.valueBytes()), nil
}

func (m *MemoryKV) Has(ctx context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.live(key, m.nowFunc())
	return ok, nil
}

func (m *MemoryKV) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.nowFunc()
	it, ok := m.live(key, now)
	if !ok {
		it = memItem{expires: now.Add(ttlOf(ttl))}
	} else if it.value != nil {
		n, err := strconv.ParseInt(string(it.value), 10, 64)
		if err != nil {
			return 0, errNotCounter
		}
		it.counter, it.value = n, nil
	}
	it.counter++
	m.items[key] = it
	m.wrote(now)
	return it.counter, nil
}

func (m *MemoryKV) Delete(ctx context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.items, k)
	}
	return nil
}

func (m *MemoryKV) Hit(ctx context.Context, key string, limit int, window time.Duration) (Window, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.nowFunc()
	window = ttlOf(window)
	it, _ := m.live(key, now)
	cut := now.Add(-window)
	i := 0
	for i < len(it.hits) && !it.hits[i].After(cut) {
		i++
	}
	hits := it.hits[i:]
	w := Window{Limit: limit}
	if len(hits) < limit {
		hits = append(hits, now)
		w.Allowed = true
	}
	w.Remaining = max(limit-len(hits), 0)
	if len(hits) > 0 {
		w.Reset = hits[0].Add(window).Sub(now)
		m.items[key] = memItem{hits: hits, expires: now.Add(window)}
		m.wrote(now)
	}
	return w, nil
}

// valueBytes renders a counter as its decimal text, as Redis would return it.
func (it memItem) valueBytes() []byte {
	if it.value != nil {
		return it.value
	}
	return strconv.AppendInt(nil, it.counter, 10)
}

var errNotCounter = errors.New("fullauth: kv value is not a counter")
