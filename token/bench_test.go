package token

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchClaims is a realistic access token: a UUID subject, 32-hex jti and
// family, two roles and one custom claim.
func benchClaims(now time.Time) *Claims {
	return &Claims{
		Subject:   "0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47",
		ExpiresAt: now.Add(30 * time.Minute).Unix(),
		IssuedAt:  now.Unix(),
		ID:        "6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59",
		Type:      TypeAccess,
		Roles:     []string{"admin", "editor"},
		Extra:     []byte(`{"tenant":"acme"}`),
		FamilyID:  "a1b2c3d4e5f60718293a4b5c6d7e8f90",
	}
}

var benchKey = []byte("0123456789abcdef0123456789abcdef")

func BenchmarkVerifyAccess(b *testing.B) {
	now := time.Now()
	s, _ := NewSigner(HS256, benchKey)
	v, _ := NewVerifier(HS256, benchKey, 30*time.Second)
	raw, err := s.Sign(benchClaims(now))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(raw, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyParallel(b *testing.B) {
	now := time.Now()
	s, _ := NewSigner(HS256, benchKey)
	v, _ := NewVerifier(HS256, benchKey, 30*time.Second)
	raw, err := s.Sign(benchClaims(now))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(raw, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkSignAccess(b *testing.B) {
	now := time.Now()
	s, _ := NewSigner(HS256, benchKey)
	c := benchClaims(now)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyHostileHeader is the costliest header an attacker without
// the key can make Verify parse: as large as allowed, all distinct keys.
func BenchmarkVerifyHostileHeader(b *testing.B) {
	v, _ := NewVerifier(HS256, benchKey, 30*time.Second)
	var h strings.Builder
	h.WriteString(`{"alg":"HS256"`)
	for i := 0; h.Len() < maxHeaderSize-10; i++ {
		fmt.Fprintf(&h, `,"%x":0`, i)
	}
	h.WriteString("}")
	raw := forge(HS256, h.String(), pay(""))
	if _, err := v.Verify(raw, testNow); err != nil {
		b.Fatal(err)
	}
	raw = raw[:len(raw)-2] + "AA" // and a bad signature
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(raw, testNow); err == nil {
			b.Fatal("bad signature accepted")
		}
	}
}
