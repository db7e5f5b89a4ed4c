package password

import (
	"context"
	"testing"
)

// The seed corpora live in testdata/fuzz/FuzzParsePHC and
// testdata/fuzz/FuzzVerify; run for example
//
//	go test -run='^$' -fuzz=FuzzParsePHC -fuzztime=30s ./password

// FuzzParsePHC checks that the PHC codec never panics, only accepts
// parameters within its bounds, and accepts exactly one spelling of each
// hash: whatever parses re-encodes to the input.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$O3SGXHxp7ukNBqE2Yzcz6I9BO5kGmpV1QjLvKHtXqFg")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			return
		}
		if got := p.String(); got != s {
			t.Errorf("parsePHC(%q).String() = %q, want the input", s, got)
		}
		if err := checkArgon2(p.time, p.memory, p.threads, uint32(len(p.key)), uint32(len(p.salt))); err != nil {
			t.Errorf("parsePHC(%q) accepted parameters out of bounds: %v", s, err)
		}
		if p.version != argon2Version13 && p.version != argon2Version10 {
			t.Errorf("parsePHC(%q) accepted version %d", s, p.version)
		}
	})
}

// FuzzVerify feeds arbitrary stored values to Verify and NeedsRehash, which
// must never panic or report an error for a live context. Values that are
// well-formed but expensive (large argon2 memory or time, high bcrypt cost)
// are only given to NeedsRehash, to keep the fuzzer fast; FuzzParsePHC
// covers their parsing and the package tests cover the bounds.
func FuzzVerify(f *testing.F) {
	argon, bcr := cheapHashers(f)
	f.Add(mustHash(f, argon, "pw"))
	f.Add(mustHash(f, bcr, "pw"))
	f.Fuzz(func(t *testing.T, encoded string) {
		for _, h := range []*Hasher{argon, bcr} {
			h.NeedsRehash(encoded)
		}
		if p, err := parsePHC(encoded); err == nil && uint64(p.memory)*uint64(p.time) > 1<<12 {
			return
		}
		if cost, ok := bcryptCost(encoded); ok && cost > cheapBcrypt+1 {
			return
		}
		for _, h := range []*Hasher{argon, bcr} {
			if _, err := h.Verify(context.Background(), encoded, "pw"); err != nil {
				t.Errorf("%s hasher: Verify(%q) err = %v, want nil", h.Algorithm(), encoded, err)
			}
		}
	})
}
