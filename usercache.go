package fullauth

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/fullauth/fullauth/token"
)

// keyUserGen + user id holds the user's generation: a random value that
// every change to the user or their roles made through an Auth replaces.
const keyUserGen = "user-gen:"

// defaultUserCacheTTL is Config.UserCacheTTL's default.
const defaultUserCacheTTL = time.Second

// userCacheSize bounds the cache. Entries live for a second by default, so
// this is the number of distinct access tokens served within that second
// before the cache starts forgetting some early.
const userCacheSize = 16384

// userCache keeps, per access token that Authenticate accepted, the
// token's verified claims and the user (with their roles) it loaded, so a
// burst of requests with one token verifies it once and reads the store
// once. Each entry carries the generation the KV held for the user when it
// was loaded. Authenticate still reads the revocation state on every
// request, and the user's current generation in the same KV round trip,
// and uses the cached user only when the generations match: a change made
// through any Auth sharing the KV is seen by the next request on every
// instance. The age limit bounds how long a change made around the Auth
// (SQL by hand, another program on the same database) can go unseen.
//
// Only tokens that passed verification are ever entries, and an entry is
// used only for the exact token text it was made for, until the token
// expires.
type userCache struct {
	maxAge time.Duration

	mu      sync.RWMutex
	entries map[string]*cachedAuth // by access token
}

// cachedAuth is what one access token authenticated.
type cachedAuth struct {
	claims  *token.Claims // shared by the requests that use the entry; read-only
	keys    []string      // the claims' revocation keys (revocationKeys, with the generation)
	expires time.Time     // when the token's exp (with leeway) ends it
	gen     string
	loaded  time.Time
	user    User // roles set; read-only, copied for each request
}

func newUserCache(maxAge time.Duration) *userCache {
	return &userCache{maxAge: maxAge, entries: make(map[string]*cachedAuth)}
}

// get returns the entry of raw if it is younger than the age limit and its
// token has not expired.
func (c *userCache) get(raw string, now time.Time) *cachedAuth {
	c.mu.RLock()
	e := c.entries[raw]
	c.mu.RUnlock()
	if e == nil || !e.usable(now, c.maxAge) {
		return nil
	}
	return e
}

func (e *cachedAuth) usable(now time.Time, maxAge time.Duration) bool {
	return now.Sub(e.loaded) < maxAge && now.Before(e.expires)
}

// put caches e for the token raw.
func (c *userCache) put(raw string, e *cachedAuth) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[raw]; !ok && len(c.entries) >= userCacheSize {
		c.evict(e.loaded)
	}
	c.entries[raw] = e
}

// evict makes room: it drops the entries no longer usable, or if none is,
// an arbitrary eighth (map iteration order is random). The caller holds mu.
func (c *userCache) evict(now time.Time) {
	for raw, e := range c.entries {
		if !e.usable(now, c.maxAge) {
			delete(c.entries, raw)
		}
	}
	for raw := range c.entries {
		if len(c.entries) < userCacheSize*7/8 {
			break
		}
		delete(c.entries, raw)
	}
}

// newGeneration returns a fresh random generation value.
func newGeneration() []byte {
	b := make([]byte, 16)
	rand.Read(b)
	return b
}

// UserChanged tells the Auth that the user or their roles changed in the
// store by a way other than the Auth's own methods (which call it
// themselves), so that no instance sharing the KV answers from the user it
// had cached. Without it such a change shows within Config.UserCacheTTL.
//
// It records a new generation even when this Auth's own cache is off, for
// the instances whose cache is on. It fails only when the KV does.
func (a *Auth) UserChanged(ctx context.Context, userID string) error {
	if err := a.kv.Set(ctx, keyUserGen+userID, newGeneration(), a.accessLife()); err != nil {
		return unavailable("user generation", err)
	}
	return nil
}

// changed is UserChanged for the Auth's own writes, which have already
// succeeded: a KV failure is logged rather than returned, since the age
// limit still bounds how long any instance, this one included, can answer
// from the old user (and while the KV is down, no request authenticates).
func (a *Auth) changed(ctx context.Context, userID string) {
	if err := a.UserChanged(ctx, userID); err != nil {
		a.logs.named("cache").WarnContext(ctx, "could not record a user change; requests may be answered from the old user for up to the cache age", "user_id", userID, "err", err)
	}
}
