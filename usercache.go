package fullauth

import (
	"context"
	"crypto/rand"
	"sync"
	"time"
)

// keyUserGen + user id holds the user's generation: a random value that
// every change to the user or their roles made through an Auth replaces.
const keyUserGen = "user-gen:"

// defaultUserCacheTTL is Config.UserCacheTTL's default.
const defaultUserCacheTTL = time.Second

// userCacheSize bounds the cache. Entries live for a second by default, so
// this is the number of distinct users served within that second before
// the cache starts forgetting some early.
const userCacheSize = 16384

// userCache keeps users (with their roles) that Authenticate loaded, so a
// burst of requests from one user reads the store once. Each entry carries
// the generation the KV held for the user when it was loaded. Authenticate
// reads the current generation in the same KV round trip as the revocation
// check and uses an entry only when the generations match, so a change
// made through any Auth sharing the KV is seen by the next request on
// every instance. The age limit bounds how long a change made around the
// Auth (SQL by hand, another program on the same database) can go unseen.
type userCache struct {
	maxAge time.Duration

	mu      sync.RWMutex
	entries map[string]*cachedUser
}

type cachedUser struct {
	gen    string
	loaded time.Time
	user   User // roles set
}

func newUserCache(maxAge time.Duration) *userCache {
	return &userCache{maxAge: maxAge, entries: make(map[string]*cachedUser)}
}

// get returns a copy of the user cached under id with generation gen, if
// it is younger than the age limit.
func (c *userCache) get(id string, gen []byte, now time.Time) (*User, bool) {
	c.mu.RLock()
	e := c.entries[id]
	c.mu.RUnlock()
	if e == nil || e.gen != string(gen) || now.Sub(e.loaded) >= c.maxAge {
		return nil, false
	}
	u := e.user
	return &u, true
}

// put caches a copy of u under generation gen.
func (c *userCache) put(u *User, gen []byte, now time.Time) {
	e := &cachedUser{gen: string(gen), loaded: now, user: *u}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[u.ID]; !ok && len(c.entries) >= userCacheSize {
		c.evict(now)
	}
	c.entries[u.ID] = e
}

// evict makes room: it drops the expired entries, or if none has expired,
// an arbitrary eighth (map iteration order is random). The caller holds mu.
func (c *userCache) evict(now time.Time) {
	for id, e := range c.entries {
		if now.Sub(e.loaded) >= c.maxAge {
			delete(c.entries, id)
		}
	}
	for id := range c.entries {
		if len(c.entries) < userCacheSize*7/8 {
			break
		}
		delete(c.entries, id)
	}
}

// forget drops the user's entry.
func (c *userCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
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
// the instances whose cache is on.
func (a *Auth) UserChanged(ctx context.Context, userID string) error {
	if a.users != nil {
		a.users.forget(userID)
	}
	if err := a.kv.Set(ctx, keyUserGen+userID, newGeneration(), a.userGenTTL()); err != nil {
		return unavailable("user generation", err)
	}
	return nil
}

// changed is UserChanged for the Auth's own writes, which have already
// succeeded: a KV failure is logged rather than returned, since the age
// limit still bounds how long other instances can answer from the old user
// (and while the KV is down, no request authenticates at all).
func (a *Auth) changed(ctx context.Context, userID string) {
	if err := a.UserChanged(ctx, userID); err != nil {
		a.logs.named("cache").WarnContext(ctx, "could not record a user change; other instances may answer from the old user for up to the cache age", "user_id", userID, "err", err)
	}
}

// userGenTTL is how long a generation is kept. A user without a request
// for that long is loaded from the store again anyway.
func (a *Auth) userGenTTL() time.Duration {
	return a.cfg.AccessTokenTTL + a.leeway
}
