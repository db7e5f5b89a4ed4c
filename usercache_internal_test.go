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
	c.put(&User{ID: "u1", Email: "a@example.com"}, []byte("g1"), t0)
	tests := []struct {
		name string
		gen  string
		at   time.Duration
		hit  bool
	}{
		{"same generation, young", "g1", 999 * time.Millisecond, true},
		{"same generation, at the age limit", "g1", time.Second, false},
		{"other generation", "g2", 0, false},
		{"no generation", "", 0, false},
	}
	for _, tc := range tests {
		u, ok := c.get("u1", []byte(tc.gen), t0.Add(tc.at))
		if ok != tc.hit {
			t.Errorf("%s: hit = %v, want %v", tc.name, ok, tc.hit)
		}
		if ok && u.Email != "a@example.com" {
			t.Errorf("%s: email = %q", tc.name, u.Email)
		}
	}
	// get hands out copies: changing one leaves the entry alone.
	u, _ := c.get("u1", []byte("g1"), t0)
	u.Email = "changed@example.com"
	if again, _ := c.get("u1", []byte("g1"), t0); again.Email != "a@example.com" {
		t.Errorf("cached email = %q after a caller changed its copy", again.Email)
	}
}

func TestUserCacheIsBounded(t *testing.T) {
	c := newUserCache(time.Minute)
	t0 := time.Unix(1_800_000_000, 0)
	for i := range userCacheSize + 1000 {
		c.put(&User{ID: strconv.Itoa(i)}, []byte("g"), t0)
		if n := len(c.entries); n > userCacheSize {
			t.Fatalf("entries = %d after %d puts, want at most %d", n, i+1, userCacheSize)
		}
	}
}

func TestUserCacheEvictsExpiredFirst(t *testing.T) {
	c := newUserCache(time.Minute)
	t0 := time.Unix(1_800_000_000, 0)
	for i := range userCacheSize {
		c.put(&User{ID: strconv.Itoa(i)}, []byte("g"), t0)
	}
	c.put(&User{ID: "late"}, []byte("g"), t0.Add(time.Minute))
	if n := len(c.entries); n != 1 {
		t.Errorf("entries after a put into a full cache of expired entries = %d, want 1", n)
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
