package fullauth

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fullauth/fullauth/token"
)

func TestUserCacheEntryLife(t *testing.T) {
	c := newUserCache(time.Second)
	t0 := time.Unix(1_800_000_000, 0)
	c.put("tok", &cachedAuth{
		claims:  &token.Claims{Subject: "u1"},
		expires: t0.Add(500 * time.Millisecond),
		gen:     "g1",
		loaded:  t0,
		user:    User{ID: "u1", Email: "a@example.com"},
	})
	c.put("long", &cachedAuth{expires: t0.Add(time.Hour), loaded: t0})
	tests := []struct {
		name, raw string
		at        time.Duration
		hit       bool
	}{
		{"young, token valid", "tok", 499 * time.Millisecond, true},
		{"token expired", "tok", 500 * time.Millisecond, false},
		{"young", "long", 999 * time.Millisecond, true},
		{"at the age limit", "long", time.Second, false},
		{"another token", "tok2", 0, false},
	}
	for _, tc := range tests {
		if e := c.get(tc.raw, t0.Add(tc.at)); (e != nil) != tc.hit {
			t.Errorf("%s: hit = %v, want %v", tc.name, e != nil, tc.hit)
		}
	}
}

func TestUserCacheIsBounded(t *testing.T) {
	c := newUserCache(time.Minute)
	t0 := time.Unix(1_800_000_000, 0)
	for i := range userCacheSize + 1000 {
		c.put(strconv.Itoa(i), &cachedAuth{expires: t0.Add(time.Hour), loaded: t0})
		if n := len(c.entries); n > userCacheSize {
			t.Fatalf("entries = %d after %d puts, want at most %d", n, i+1, userCacheSize)
		}
	}
}

func TestUserCacheEvictsUnusableFirst(t *testing.T) {
	c := newUserCache(time.Minute)
	t0 := time.Unix(1_800_000_000, 0)
	for i := range userCacheSize {
		expires := t0.Add(time.Hour)
		if i%2 == 0 {
			expires = t0.Add(time.Second) // the token expires before the entry ages
		}
		c.put(strconv.Itoa(i), &cachedAuth{expires: expires, loaded: t0})
	}
	// Past the tokens' expiry: half the entries go. Past the age limit: all.
	c.put("later", &cachedAuth{expires: t0.Add(time.Hour), loaded: t0.Add(2 * time.Second)})
	if n, want := len(c.entries), userCacheSize/2+1; n != want {
		t.Errorf("entries after a put past half the tokens' expiry = %d, want %d", n, want)
	}
	for i := len(c.entries); i < userCacheSize; i++ {
		c.put("fill"+strconv.Itoa(i), &cachedAuth{expires: t0.Add(time.Hour), loaded: t0})
	}
	c.put("last", &cachedAuth{expires: t0.Add(2 * time.Hour), loaded: t0.Add(time.Hour)})
	if n := len(c.entries); n != 1 {
		t.Errorf("entries after a put past the age limit of all = %d, want 1", n)
	}
}

func TestRevocationKeys(t *testing.T) {
	tests := []struct {
		name   string
		claims token.Claims
		gen    bool
		want   []string
	}{
		{"session", token.Claims{ID: "j1", Subject: "u1", FamilyID: "f1"}, false,
			[]string{"blacklist:j1", "revoked-before:u1", "revoked-family:f1"}},
		{"session and generation", token.Claims{ID: "j1", Subject: "u1", FamilyID: "f1"}, true,
			[]string{"blacklist:j1", "revoked-before:u1", "revoked-family:f1", "user-gen:u1"}},
		{"no session", token.Claims{ID: "j2", Subject: "u2"}, true,
			[]string{"blacklist:j2", "revoked-before:u2", "blacklist:j2", "user-gen:u2"}},
	}
	for _, tc := range tests {
		if got := revocationKeys(nil, &tc.claims, tc.gen); !slices.Equal(got, tc.want) {
			t.Errorf("%s: keys = %q, want %q", tc.name, got, tc.want)
		}
	}
}
