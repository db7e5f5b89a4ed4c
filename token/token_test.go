package token

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testNow is the clock of the table tests: 2023-11-14T22:13:20Z.
var testNow = time.Unix(1700000000, 0)

const testLeeway = 30 * time.Second

// testKey is the key of the table tests, 32 bytes like fullauth demands.
var testKey = benchKey

// newTestVerifier returns an HS256 verifier of testKey with a 30 s leeway.
func newTestVerifier(t testing.TB, alg Algorithm) *Verifier {
	t.Helper()
	v, err := NewVerifier(alg, testKey, testLeeway)
	if err != nil {
		t.Fatalf("NewVerifier(%s) err = %v", alg, err)
	}
	return v
}

func newTestSigner(t testing.TB, alg Algorithm) *Signer {
	t.Helper()
	s, err := NewSigner(alg, testKey)
	if err != nil {
		t.Fatalf("NewSigner(%s) err = %v", alg, err)
	}
	return s
}

// b64 is base64url without padding.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// mac returns the base64url HMAC of input under alg and testKey.
func mac(alg Algorithm, input string) string {
	info, err := lookup(alg)
	if err != nil {
		panic(err)
	}
	h := hmac.New(info.hash, testKey)
	h.Write([]byte(input))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// forge builds a correctly signed token with any header and payload text,
// independently of Signer.
func forge(alg Algorithm, header, payload string) string {
	in := b64(header) + "." + b64(payload)
	return in + "." + mac(alg, in)
}

const stdHeader = `{"alg":"HS256","typ":"JWT"}`

// signed is a correctly signed HS256 token of payload.
func signed(payload string) string { return forge(HS256, stdHeader, payload) }

// pay builds a payload with sub, exp and iat around testNow plus more.
func pay(more string) string {
	p := fmt.Sprintf(`{"sub":"u1","exp":%d,"iat":%d`, testNow.Unix()+600, testNow.Unix())
	if more != "" {
		p += "," + more
	}
	return p + "}"
}

// manyKeys returns n distinct members "k0":0,"k1":1,... without braces.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String()
}

// claimsDiff reports the first difference between got and want, or "".
func claimsDiff(got, want *Claims) string {
	switch {
	case got == nil || want == nil:
		if got != want {
			return fmt.Sprintf("got %v, want %v", got, want)
		}
	case got.Subject != want.Subject:
		return fmt.Sprintf("Subject = %q, want %q", got.Subject, want.Subject)
	case got.ExpiresAt != want.ExpiresAt:
		return fmt.Sprintf("ExpiresAt = %d, want %d", got.ExpiresAt, want.ExpiresAt)
	case got.IssuedAt != want.IssuedAt:
		return fmt.Sprintf("IssuedAt = %d, want %d", got.IssuedAt, want.IssuedAt)
	case got.ID != want.ID:
		return fmt.Sprintf("ID = %q, want %q", got.ID, want.ID)
	case got.Type != want.Type:
		return fmt.Sprintf("Type = %q, want %q", got.Type, want.Type)
	case len(got.Roles) != len(want.Roles) || (len(got.Roles) > 0 && !reflect.DeepEqual(got.Roles, want.Roles)):
		return fmt.Sprintf("Roles = %q, want %q", got.Roles, want.Roles)
	case got.FamilyID != want.FamilyID:
		return fmt.Sprintf("FamilyID = %q, want %q", got.FamilyID, want.FamilyID)
	case string(got.Extra) != string(want.Extra):
		return fmt.Sprintf("Extra = %s, want %s", got.Extra, want.Extra)
	case got.Purpose != want.Purpose:
		return fmt.Sprintf("Purpose = %q, want %q", got.Purpose, want.Purpose)
	}
	return ""
}

func TestRoundTrip(t *testing.T) {
	access := benchClaims(testNow)
	refresh := &Claims{
		Subject:   "42",
		ExpiresAt: testNow.Unix() + 30*86400,
		IssuedAt:  testNow.Unix(),
		ID:        "0123456789abcdef0123456789abcdef",
		Type:      TypeRefresh,
		FamilyID:  "fedcba9876543210fedcba9876543210",
	}
	purpose := &Claims{
		Subject:   "0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47",
		ExpiresAt: testNow.Unix() + 900,
		IssuedAt:  testNow.Unix(),
		ID:        "abc",
		Type:      TypeAccess,
		Extra:     []byte(`{"purpose":"password_reset"}`),
	}
	unicode := &Claims{
		Subject:   "ünï\"cødé\\ 😀 \x00\x1f\x7f",
		ExpiresAt: testNow.Unix() + 60,
		IssuedAt:  testNow.Unix(),
		Type:      TypeAccess,
		Roles:     []string{"", "rôle", "a,b"},
		Extra:     []byte(" {\n \"k\" : [ 1 , \"x y\" , {\"é\":null} ] }\t"),
	}
	for _, alg := range []Algorithm{HS256, HS384, HS512} {
		s, v := newTestSigner(t, alg), newTestVerifier(t, alg)
		for _, tc := range []struct {
			name string
			in   *Claims
			want *Claims
		}{
			{"access", access, access},
			{"refresh", refresh, &Claims{
				Subject: refresh.Subject, ExpiresAt: refresh.ExpiresAt, IssuedAt: refresh.IssuedAt,
				ID: refresh.ID, Type: TypeRefresh, FamilyID: refresh.FamilyID, Extra: []byte("{}"),
			}},
			{"purpose", purpose, &Claims{
				Subject: purpose.Subject, ExpiresAt: purpose.ExpiresAt, IssuedAt: purpose.IssuedAt,
				ID: "abc", Type: TypeAccess, Extra: purpose.Extra, Purpose: "password_reset",
			}},
			{"unicode", unicode, &Claims{
				Subject: unicode.Subject, ExpiresAt: unicode.ExpiresAt, IssuedAt: unicode.IssuedAt,
				Type: TypeAccess, Roles: unicode.Roles, Extra: []byte(`{"k":[1,"x y",{"é":null}]}`),
			}},
			{"zero type is access", &Claims{Subject: "s", ExpiresAt: testNow.Unix() + 1, IssuedAt: testNow.Unix()},
				&Claims{Subject: "s", ExpiresAt: testNow.Unix() + 1, IssuedAt: testNow.Unix(), Type: TypeAccess, Extra: []byte("{}")}},
		} {
			t.Run(string(alg)+"/"+tc.name, func(t *testing.T) {
				raw, err := s.Sign(tc.in)
				if err != nil {
					t.Fatalf("Sign() err = %v", err)
				}
				again, err := s.Sign(tc.in)
				if err != nil || again != raw {
					t.Errorf("Sign() twice = %q, %v; want %q (deterministic)", again, err, raw)
				}
				got, err := v.Verify(raw, testNow)
				if err != nil {
					t.Fatalf("Verify(Sign()) err = %v", err)
				}
				if d := claimsDiff(got, tc.want); d != "" {
					t.Errorf("Verify(Sign()): %s", d)
				}
			})
		}
	}
}

// Tokens PyJWT 2.6.0 made of benchClaims(testNow) with testKey: Sign must
// give the same bytes.
var pyjwtGolden = map[Algorithm]string{
	HS256: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjNmNmMxZS02YTRkLTRkMmUtOWE1MS0zYzFmMmI5ZThkNDciLCJleHAiOjE3MDAwMDE4MDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiNmYxYzJhOWI4ZTdkNGMzYjJhMWYwZTlkOGM3YjZhNTkiLCJ0eXBlIjoiYWNjZXNzIiwicm9sZXMiOlsiYWRtaW4iLCJlZGl0b3IiXSwiZXh0cmEiOnsidGVuYW50IjoiYWNtZSJ9LCJmYW1pbHlfaWQiOiJhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCJ9.T6NsBdWat5lWRKDyM0RptUM5L-WAu1Alazak0EUGhiU",
	HS384: "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjNmNmMxZS02YTRkLTRkMmUtOWE1MS0zYzFmMmI5ZThkNDciLCJleHAiOjE3MDAwMDE4MDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiNmYxYzJhOWI4ZTdkNGMzYjJhMWYwZTlkOGM3YjZhNTkiLCJ0eXBlIjoiYWNjZXNzIiwicm9sZXMiOlsiYWRtaW4iLCJlZGl0b3IiXSwiZXh0cmEiOnsidGVuYW50IjoiYWNtZSJ9LCJmYW1pbHlfaWQiOiJhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCJ9.oYKqngXR1gMk7XrIx1BMh189v-RmC0q4YlxSo0ozJLf5S2WUNTNx8GNpEZXJOufi",
	HS512: "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjNmNmMxZS02YTRkLTRkMmUtOWE1MS0zYzFmMmI5ZThkNDciLCJleHAiOjE3MDAwMDE4MDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiNmYxYzJhOWI4ZTdkNGMzYjJhMWYwZTlkOGM3YjZhNTkiLCJ0eXBlIjoiYWNjZXNzIiwicm9sZXMiOlsiYWRtaW4iLCJlZGl0b3IiXSwiZXh0cmEiOnsidGVuYW50IjoiYWNtZSJ9LCJmYW1pbHlfaWQiOiJhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCJ9.wJ2Im-JDn-8sOaz4JJqO7Dv6UsAHEiw11hHN2glcgkgSvECOYuDDR-BjGrTtfoMmbNDlW_KMk7UaHRcw8Fe1rw",
}

func TestSignGolden(t *testing.T) {
	const wantPayload = `{"sub":"0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47","exp":1700001800,"iat":1700000000,` +
		`"jti":"6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59","type":"access","roles":["admin","editor"],` +
		`"extra":{"tenant":"acme"},"family_id":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}`
	const wantRefresh = `{"sub":"42","exp":1702592000,"iat":1700000000,"jti":"j","type":"refresh","family_id":"f"}`
	const wantEscapes = `{"sub":"\u00fc\ud83d\ude00\u007f\u0000\"\\/\n\r\t\b\f\u001f","exp":0,"iat":-1,` +
		`"jti":"","type":"access","roles":[],"extra":{}}`

	for alg, want := range pyjwtGolden {
		got, err := newTestSigner(t, alg).Sign(benchClaims(testNow))
		if err != nil || got != want {
			t.Errorf("Sign(%s) = %q, %v; want PyJWT's %q", alg, got, err, want)
		}
	}
	s := newTestSigner(t, HS256)
	for _, tc := range []struct {
		name string
		in   *Claims
		want string
	}{
		{"access", benchClaims(testNow), wantPayload},
		{"refresh", &Claims{Subject: "42", ExpiresAt: 1702592000, IssuedAt: 1700000000, ID: "j", Type: TypeRefresh,
			Roles: []string{"ignored"}, Extra: []byte(`{"ignored":1}`), FamilyID: "f"}, wantRefresh},
		{"escapes", &Claims{Subject: "ü😀\x7f\x00\"\\/\n\r\t\b\f\x1f", IssuedAt: -1, Purpose: "ignored"}, wantEscapes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := s.Sign(tc.in)
			if err != nil {
				t.Fatalf("Sign() err = %v", err)
			}
			parts := strings.Split(raw, ".")
			if len(parts) != 3 {
				t.Fatalf("Sign() = %q, want three segments", raw)
			}
			if got := b64dec(t, parts[0]); got != stdHeader {
				t.Errorf("header = %s, want %s", got, stdHeader)
			}
			if got := b64dec(t, parts[1]); got != tc.want {
				t.Errorf("payload =\n%s\nwant\n%s", got, tc.want)
			}
			if got, want := parts[2], mac(HS256, parts[0]+"."+parts[1]); got != want {
				t.Errorf("signature = %s, want %s", got, want)
			}
		})
	}
}

func b64dec(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("segment %q: %v", s, err)
	}
	return string(b)
}

func TestSignErrors(t *testing.T) {
	s := newTestSigner(t, HS256)
	base := func(mod func(c *Claims)) *Claims {
		c := benchClaims(testNow)
		mod(c)
		return c
	}
	for _, tc := range []struct {
		name string
		in   *Claims
	}{
		{"nil claims", nil},
		{"extra array", base(func(c *Claims) { c.Extra = []byte(`[1]`) })},
		{"extra null", base(func(c *Claims) { c.Extra = []byte(`null`) })},
		{"extra string", base(func(c *Claims) { c.Extra = []byte(`"x"`) })},
		{"extra malformed", base(func(c *Claims) { c.Extra = []byte(`{"a":}`) })},
		{"extra trailing", base(func(c *Claims) { c.Extra = []byte(`{} {}`) })},
		{"extra duplicate key", base(func(c *Claims) { c.Extra = []byte(`{"a":1,"a":2}`) })},
		{"extra lone surrogate", base(func(c *Claims) { c.Extra = []byte(`{"a":"\ud800"}`) })},
		{"extra invalid UTF-8", base(func(c *Claims) { c.Extra = []byte("{\"a\":\"\xff\"}") })},
		{"extra too deep", base(func(c *Claims) { c.Extra = []byte(`{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`) })},
		{"sub invalid UTF-8", base(func(c *Claims) { c.Subject = "\xff" })},
		{"jti invalid UTF-8", base(func(c *Claims) { c.ID = "a\xc0" })},
		{"role invalid UTF-8", base(func(c *Claims) { c.Roles = []string{"ok", "\xed\xa0\x80"} })},
		{"family invalid UTF-8", base(func(c *Claims) { c.FamilyID = "\x80" })},
		{"too large", base(func(c *Claims) { c.Subject = strings.Repeat("x", MaxTokenSize) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := s.Sign(tc.in); err == nil {
				t.Errorf("Sign() = %q, want an error", got)
			}
		})
	}
	// The Signer is still usable after a failure.
	if _, err := s.Sign(benchClaims(testNow)); err != nil {
		t.Errorf("Sign() after failures err = %v", err)
	}
}

func TestConstructors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		alg    Algorithm
		key    []byte
		leeway time.Duration
		ok     bool
	}{
		{"HS256", HS256, []byte("k"), 0, true},
		{"HS384", HS384, testKey, time.Minute, true},
		{"HS512", HS512, testKey, 0, true},
		{"none", "none", testKey, 0, false},
		{"lower case", "hs256", testKey, 0, false},
		{"RS256", "RS256", testKey, 0, false},
		{"empty alg", "", testKey, 0, false},
		{"empty key", HS256, nil, 0, false},
		{"negative leeway", HS256, testKey, -time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewVerifier(tc.alg, tc.key, tc.leeway)
			if (err == nil) != tc.ok {
				t.Errorf("NewVerifier(%q, %q, %v) err = %v, want ok=%v", tc.alg, tc.key, tc.leeway, err, tc.ok)
			}
			if tc.leeway < 0 {
				return
			}
			_, err = NewSigner(tc.alg, tc.key)
			if (err == nil) != tc.ok {
				t.Errorf("NewSigner(%q, %q) err = %v, want ok=%v", tc.alg, tc.key, err, tc.ok)
			}
		})
	}
}

func TestKeyIsCopied(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, _ := NewSigner(HS256, key)
	v, _ := NewVerifier(HS256, key, 0)
	key[0] = 'X'
	raw, err := s.Sign(benchClaims(testNow))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(raw, testNow); err != nil {
		t.Errorf("Verify() after the caller changed the key err = %v, want nil", err)
	}
	if raw != pyjwtGolden[HS256] {
		t.Errorf("Sign() after the caller changed the key = %q, want the original key's token", raw)
	}
}

const (
	classOK = iota
	classExpired
	classInvalid
)

func errClass(err error) int {
	switch {
	case err == nil:
		return classOK
	case errors.Is(err, ErrExpired):
		return classExpired
	case errors.Is(err, ErrInvalid):
		return classInvalid
	}
	return -1
}

var classNames = map[int]string{classOK: "nil", classExpired: "ErrExpired", classInvalid: "ErrInvalid", -1: "other error"}

func TestVerifyRejects(t *testing.T) {
	now := testNow.Unix()
	good := signed(pay(""))
	h, p, _ := strings.Cut(good, ".")
	p, sig, _ := strings.Cut(p, ".")
	exp := func(exp, iat int64) string {
		return signed(fmt.Sprintf(`{"sub":"u1","exp":%d,"iat":%d}`, exp, iat))
	}
	forgeHeader := func(header string) string { return forge(HS256, header, pay("")) }
	// flip changes the last character of a segment to another valid one.
	flip := func(s string) string {
		last := s[len(s)-1]
		if last == 'A' {
			return s[:len(s)-1] + "Q"
		}
		return s[:len(s)-1] + "A"
	}
	deep := `{"a":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}`

	for _, tc := range []struct {
		name string
		raw  string
		want int
	}{
		// Shape and base64.
		{"empty", "", classInvalid},
		{"one segment", "abc", classInvalid},
		{"two segments", h + "." + p, classInvalid},
		{"four segments", good + ".x", classInvalid},
		{"four segments empty", good + ".", classInvalid},
		{"empty segments", "..", classInvalid},
		{"bad base64 in payload", h + "." + p[:10] + "$" + p[11:] + "." + sig, classInvalid},
		{"standard base64 alphabet", h + "." + strings.NewReplacer("-", "+", "_", "/").Replace(p) + "+." + sig, classInvalid},
		{"padding on signature", good + "=", classInvalid},
		{"padding on header", h + "=." + p + "." + sig, classInvalid},
		{"newline in payload", h + "." + p[:8] + "\n" + p[8:] + "." + sig, classInvalid},
		{"payload length 4n+1", h + "." + p + "A." + sig, classInvalid},
		{"non-canonical signature bits", good[:len(good)-1] + string(rune(good[len(good)-1]+1)), classInvalid},
		{"too large", signed(pay(`"pad":"` + strings.Repeat("x", MaxTokenSize) + `"`)), classInvalid},
		{"just over MaxTokenSize", good + strings.Repeat("A", MaxTokenSize-len(good)+1), classInvalid},

		// Header.
		{"alg none unsigned", b64(`{"alg":"none","typ":"JWT"}`) + "." + p + ".", classInvalid},
		{"alg none with HMAC", forgeHeader(`{"alg":"none","typ":"JWT"}`), classInvalid},
		{"alg HS512 when HS256 configured", forge(HS512, `{"alg":"HS512","typ":"JWT"}`, pay("")), classInvalid},
		{"alg HS384 when HS256 configured", forge(HS384, `{"alg":"HS384","typ":"JWT"}`, pay("")), classInvalid},
		{"alg HS512 header, HS256 signature", forgeHeader(`{"alg":"HS512","typ":"JWT"}`), classInvalid},
		{"alg RS256", forgeHeader(`{"alg":"RS256","typ":"JWT"}`), classInvalid},
		{"alg lower case", forgeHeader(`{"alg":"hs256","typ":"JWT"}`), classInvalid},
		{"alg missing", forgeHeader(`{"typ":"JWT"}`), classInvalid},
		{"alg null", forgeHeader(`{"alg":null}`), classInvalid},
		{"alg array", forgeHeader(`{"alg":["HS256"]}`), classInvalid},
		{"alg duplicated", forgeHeader(`{"alg":"HS256","alg":"none"}`), classInvalid},
		{"alg duplicated through escape", forgeHeader(`{"alg":"HS256","\u0061lg":"HS256"}`), classInvalid},
		{"header not an object", forgeHeader(`["HS256"]`), classInvalid},
		{"header empty object", forgeHeader(`{}`), classInvalid},
		{"header not JSON", forgeHeader(`{alg:HS256}`), classInvalid},
		{"header trailing garbage", forgeHeader(`{"alg":"HS256"}x`), classInvalid},
		{"header too large", forgeHeader(`{"alg":"HS256","x":"` + strings.Repeat("x", maxHeaderSize) + `"}`), classInvalid},
		{"header kid number", forgeHeader(`{"alg":"HS256","kid":1}`), classInvalid},
		{"header crit", forgeHeader(`{"alg":"HS256","crit":["b64"],"b64":true}`), classInvalid},
		{"header b64 false", forgeHeader(`{"alg":"HS256","b64":false}`), classInvalid},

		// Signature.
		{"wrong key", func() string {
			s, _ := NewSigner(HS256, []byte("another key, also 32 bytes long!"))
			raw, _ := s.Sign(benchClaims(testNow))
			return raw
		}(), classInvalid},
		{"signature flipped", h + "." + p + "." + flip(sig), classInvalid},
		{"signature truncated", good[:len(good)-2], classInvalid},
		{"signature empty", h + "." + p + ".", classInvalid},
		{"signature too long", good + "AAAA", classInvalid},
		{"payload truncated", h + "." + p[:len(p)-4] + "." + sig, classInvalid},
		{"payload tampered", h + "." + b64(pay(`"roles":["admin"]`)) + "." + sig, classInvalid},
		{"expired with bad signature", exp(now-3600, now-7200)[:len(good)-1] + "x", classInvalid},

		// Payload JSON.
		{"payload array", signed(`[]`), classInvalid},
		{"payload string", signed(`"x"`), classInvalid},
		{"payload number", signed(`1`), classInvalid},
		{"payload null", signed(`null`), classInvalid},
		{"payload empty", signed(``), classInvalid},
		{"payload empty object", signed(`{}`), classInvalid},
		{"trailing garbage", signed(pay("") + "x"), classInvalid},
		{"two objects", signed(pay("") + pay("")), classInvalid},
		{"trailing comma", signed(pay(`"jti":"a",`)), classInvalid},
		{"unquoted key", signed(pay(`jti:"a"`)), classInvalid},
		{"single quotes", signed(pay(`'jti':'a'`)), classInvalid},
		{"leading zero", signed(`{"sub":"u1","exp":01700000600,"iat":1700000000}`), classInvalid},
		{"NaN", signed(pay(`"x":NaN`)), classInvalid},
		{"Infinity exp", signed(`{"sub":"u1","exp":Infinity,"iat":1700000000}`), classInvalid},
		{"UTF-8 BOM", signed("\ufeff" + pay("")), classInvalid},
		{"UTF-16 payload", signed("\x00{\x00}"), classInvalid},
		{"invalid UTF-8 in sub", signed(`{"sub":"u` + "\xff" + `","exp":1700000600,"iat":1700000000}`), classInvalid},
		{"invalid UTF-8 in unknown claim", signed(pay(`"x":"` + "\xc3\x28" + `"`)), classInvalid},
		{"surrogate in UTF-8", signed(pay(`"x":"` + "\xed\xa0\x80" + `"`)), classInvalid},
		{"bad escape", signed(pay(`"jti":"\x"`)), classInvalid},
		{"short unicode escape", signed(pay(`"jti":"\u12"`)), classInvalid},
		{"lone high surrogate", signed(pay(`"jti":"\ud800"`)), classInvalid},
		{"lone low surrogate", signed(pay(`"jti":"\udc00"`)), classInvalid},
		{"high surrogate then non-low", signed(pay(`"jti":"\ud800\u0041"`)), classInvalid},
		{"raw control character", signed(pay("\"jti\":\"a\tb\"")), classInvalid},
		{"unterminated string", signed(`{"sub":"u1`), classInvalid},
		{"too deep", signed(pay(`"x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1))), classInvalid},
		{"too deep in extra", signed(pay(`"extra":` + deep)), classInvalid},
		{"bare minus", signed(pay(`"x":-`)), classInvalid},
		{"fraction without digits", signed(pay(`"x":1.`)), classInvalid},
		{"exponent without digits", signed(pay(`"x":1e`)), classInvalid},
		{"truncated literal", signed(pay(`"x":tru`)), classInvalid},

		// Duplicate keys.
		{"duplicate sub", signed(pay(`"sub":"admin"`)), classInvalid},
		{"duplicate sub through escape", signed(pay(`"s\u0075b":"admin"`)), classInvalid},
		{"duplicate exp", signed(pay(fmt.Sprintf(`"exp":%d`, now+9999))), classInvalid},
		{"duplicate unknown claim", signed(pay(`"x":1,"x":2`)), classInvalid},
		{"duplicate unknown claim through escape", signed(pay(`"xy":1,"x\u0079":2`)), classInvalid},
		{"duplicate key in extra", signed(pay(`"extra":{"purpose":"a","purpose":""}`)), classInvalid},
		{"duplicate key deep in extra", signed(pay(`"extra":{"a":[{"b":1,"b":1}]}`)), classInvalid},
		{"duplicate key in unknown claim", signed(pay(`"x":{"b":1,"\u0062":1}`)), classInvalid},
		{"duplicate among many unknown claims", signed(pay(manyKeys(20) + `,"k3":0`)), classInvalid},
		{"duplicate among many keys through escape", signed(pay(`"extra":{` + manyKeys(20) + `,"k\u0031\u0039":0}`)), classInvalid},
		{"duplicate among many header keys", forgeHeader(`{"alg":"HS256",` + manyKeys(12) + `,"k0":1}`), classInvalid},

		// Required claims and their types.
		{"missing exp", signed(`{"sub":"u1","iat":1700000000}`), classInvalid},
		{"missing iat", signed(`{"sub":"u1","exp":1700000600}`), classInvalid},
		{"missing sub", signed(`{"exp":1700000600,"iat":1700000000}`), classInvalid},
		{"null sub", signed(`{"sub":null,"exp":1700000600,"iat":1700000000}`), classInvalid},
		{"null exp", signed(`{"sub":"u1","exp":null,"iat":1700000000}`), classInvalid},
		{"null iat", signed(`{"sub":"u1","exp":1700000600,"iat":null}`), classInvalid},
		{"numeric sub", signed(`{"sub":42,"exp":1700000600,"iat":1700000000}`), classInvalid},
		{"object sub", signed(`{"sub":{},"exp":1700000600,"iat":1700000000}`), classInvalid},
		{"string exp", signed(`{"sub":"u1","exp":"1700000600","iat":1700000000}`), classInvalid},
		{"bool exp", signed(`{"sub":"u1","exp":true,"iat":1700000000}`), classInvalid},
		{"string iat", signed(`{"sub":"u1","exp":1700000600,"iat":"1700000000"}`), classInvalid},
		{"exp beyond int64", signed(`{"sub":"u1","exp":9223372036854775808,"iat":1700000000}`), classInvalid},
		{"exp float beyond int64", signed(`{"sub":"u1","exp":1e19,"iat":1700000000}`), classInvalid},
		{"exp overflowing float", signed(`{"sub":"u1","exp":1e400,"iat":1700000000}`), classInvalid},
		{"jti number", signed(pay(`"jti":1`)), classInvalid},
		{"jti null", signed(pay(`"jti":null`)), classInvalid},
		{"type number", signed(pay(`"type":1`)), classInvalid},
		{"type null", signed(pay(`"type":null`)), classInvalid},
		{"family_id number", signed(pay(`"family_id":7`)), classInvalid},
		{"roles string", signed(pay(`"roles":"admin"`)), classInvalid},
		{"roles null", signed(pay(`"roles":null`)), classInvalid},
		{"roles object", signed(pay(`"roles":{"admin":true}`)), classInvalid},
		{"roles with number", signed(pay(`"roles":["admin",1]`)), classInvalid},
		{"roles with null", signed(pay(`"roles":[null]`)), classInvalid},
		{"roles nested", signed(pay(`"roles":[["admin"]]`)), classInvalid},
		{"roles malformed", signed(pay(`"roles":["a" "b"]`)), classInvalid},
		{"nbf null", signed(pay(`"nbf":null`)), classInvalid},
		{"nbf string", signed(pay(`"nbf":"0"`)), classInvalid},
		{"aud string", signed(pay(`"aud":"api"`)), classInvalid},
		{"aud list", signed(pay(`"aud":["api"]`)), classInvalid},

		// Time, with a 30 s leeway at testNow.
		{"expired long ago", exp(now-3600, now-7200), classExpired},
		{"expired exactly at exp+leeway", exp(now-30, now-600), classExpired},
		{"expired float exp", signed(fmt.Sprintf(`{"sub":"u1","exp":%d.999,"iat":%d}`, now-30, now-600)), classExpired},
		{"expired exp zero", exp(0, now), classExpired},
		{"expired negative exp", exp(-1, now), classExpired},
		{"expired exp 1e-400", signed(fmt.Sprintf(`{"sub":"u1","exp":1e-400,"iat":%d}`, now)), classExpired},
		{"iat beyond leeway", exp(now+600, now+31), classInvalid},
		{"iat far in the future", exp(now+600, now+86400), classInvalid},
		{"iat future and expired", exp(now-600, now+600), classInvalid},
		{"nbf beyond leeway", signed(pay(fmt.Sprintf(`"nbf":%d`, now+31))), classInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newTestVerifier(t, HS256)
			c, err := v.Verify(tc.raw, testNow)
			if got := errClass(err); got != tc.want {
				t.Fatalf("Verify() = %+v, %v; want %s", c, err, classNames[tc.want])
			}
			if c != nil {
				t.Errorf("Verify() claims = %+v, want nil with an error", c)
			}
			if err == ErrInvalid {
				t.Errorf("Verify() err = ErrInvalid itself, want it wrapped with a detail")
			}
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	now := testNow.Unix()
	half := testNow.Add(500 * time.Millisecond)
	tok := func(exp, iat int64) string {
		return signed(fmt.Sprintf(`{"sub":"u1","exp":%d,"iat":%d}`, exp, iat))
	}
	for _, tc := range []struct {
		name   string
		raw    string
		now    time.Time
		leeway time.Duration
		want   int
	}{
		// exp <= now - leeway is expired, so exp = now - leeway is the first
		// expired second and exp = now - leeway + 1 the last valid one.
		{"exp at now-leeway+1", tok(now-29, now-600), testNow, testLeeway, classOK},
		{"exp at now-leeway", tok(now-30, now-600), testNow, testLeeway, classExpired},
		{"exp at now-leeway, half a second later", tok(now-30, now-600), half, testLeeway, classExpired},
		{"exp at now-leeway+1, half a second later", tok(now-29, now-600), half, testLeeway, classOK},
		{"exp at now-leeway+1, a nanosecond short of the next second", tok(now-29, now-600), testNow.Add(time.Second - 1), testLeeway, classOK},
		{"exp at now-leeway+1, next second", tok(now-29, now-600), testNow.Add(time.Second), testLeeway, classExpired},
		{"no leeway: exp now", tok(now, now-600), testNow, 0, classExpired},
		{"no leeway: exp now+1", tok(now+1, now-600), testNow, 0, classOK},
		{"sub-second leeway: exp now", tok(now, now-600), testNow, 500 * time.Millisecond, classOK},
		{"sub-second leeway: exp now, half a second later", tok(now, now-600), half, 500 * time.Millisecond, classExpired},
		// iat > now + leeway is immature.
		{"iat at now+leeway", tok(now+600, now+30), testNow, testLeeway, classOK},
		{"iat at now+leeway+1", tok(now+600, now+31), testNow, testLeeway, classInvalid},
		{"iat at now+leeway+1, half a second later", tok(now+600, now+31), half, testLeeway, classInvalid},
		{"iat at now+leeway+1, a second later", tok(now+600, now+31), testNow.Add(time.Second), testLeeway, classOK},
		{"no leeway: iat now", tok(now+600, now), testNow, 0, classOK},
		{"no leeway: iat now+1", tok(now+600, now+1), testNow, 0, classInvalid},
		{"no leeway: iat now+1, a nanosecond short", tok(now+600, now+1), testNow.Add(time.Second - 1), 0, classInvalid},
		{"sub-second leeway: iat now+1", tok(now+600, now+1), half, 500 * time.Millisecond, classOK},
		{"float iat truncated", signed(fmt.Sprintf(`{"sub":"u1","exp":%d,"iat":%d.9}`, now+600, now+30)), testNow, testLeeway, classOK},
		{"nbf at now+leeway", signed(pay(fmt.Sprintf(`"nbf":%d`, now+30))), testNow, testLeeway, classOK},
		{"nbf at now+leeway+1", signed(pay(fmt.Sprintf(`"nbf":%d`, now+31))), testNow, testLeeway, classInvalid},
		{"huge exp", tok(1<<63-1, now), testNow, 1 << 62, classOK},
		{"huge leeway", tok(-1<<63, now), testNow, 1<<63 - 1, classExpired},
		// now - leeway = now - 9223372036.854775807 s.
		{"huge leeway, last valid exp", tok(now-9223372036, now), testNow, 1<<63 - 1, classOK},
		{"huge leeway, first expired exp", tok(now-9223372037, now), testNow, 1<<63 - 1, classExpired},
		{"far future now", tok(1<<63-1, 0), time.Unix(1<<62, 0), 1<<63 - 1, classOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(HS256, testKey, tc.leeway)
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(tc.raw, tc.now)
			if got := errClass(err); got != tc.want {
				t.Errorf("Verify(now=%v, leeway=%v) = %+v, %v; want %s", tc.now.Format(time.RFC3339Nano), tc.leeway, c, err, classNames[tc.want])
			}
		})
	}
}

func TestVerifyDecoding(t *testing.T) {
	now := testNow.Unix()
	base := func() Claims {
		return Claims{Subject: "u1", ExpiresAt: now + 600, IssuedAt: now, Type: TypeAccess, Extra: []byte("{}")}
	}
	with := func(mod func(c *Claims)) *Claims {
		c := base()
		mod(&c)
		return &c
	}
	for _, tc := range []struct {
		name string
		raw  string
		want *Claims
	}{
		{"defaults", signed(pay("")), with(func(c *Claims) {})},
		{"type refresh", signed(pay(`"type":"refresh"`)), with(func(c *Claims) { c.Type = TypeRefresh })},
		{"type other", signed(pay(`"type":"id"`)), with(func(c *Claims) { c.Type = "id" })},
		{"type empty", signed(pay(`"type":""`)), with(func(c *Claims) { c.Type = "" })},
		{"jti", signed(pay(`"jti":"abc"`)), with(func(c *Claims) { c.ID = "abc" })},
		{"roles empty", signed(pay(`"roles":[]`)), with(func(c *Claims) {})},
		{"roles", signed(pay(`"roles":[ "a" , "b\u00e9" ,""]`)), with(func(c *Claims) { c.Roles = []string{"a", "bé", ""} })},
		{"family_id", signed(pay(`"family_id":"f"`)), with(func(c *Claims) { c.FamilyID = "f" })},
		{"family_id null", signed(pay(`"family_id":null`)), with(func(c *Claims) {})},
		{"extra object kept as written", signed(pay(`"extra":{ "a" : [1, 2.5e3, {"b":null}], "c":"\u00e9" }`)),
			with(func(c *Claims) { c.Extra = []byte(`{ "a" : [1, 2.5e3, {"b":null}], "c":"\u00e9" }`) })},
		{"extra null", signed(pay(`"extra":null`)), with(func(c *Claims) {})},
		{"extra array", signed(pay(`"extra":[{"purpose":"x"}]`)), with(func(c *Claims) {})},
		{"extra string", signed(pay(`"extra":"{\"purpose\":\"x\"}"`)), with(func(c *Claims) {})},
		{"extra number", signed(pay(`"extra":0`)), with(func(c *Claims) {})},
		{"unknown claims ignored", signed(pay(`"iss":"x","scope":{"a":[true,false,null]},"n":-1.5e-3`)), with(func(c *Claims) {})},
		{"falsy aud", signed(pay(`"aud":""`)), with(func(c *Claims) {})},
		{"empty aud list", signed(pay(`"aud":[]`)), with(func(c *Claims) {})},
		{"null aud", signed(pay(`"aud":null`)), with(func(c *Claims) {})},
		{"nbf past", signed(pay(fmt.Sprintf(`"nbf":%d`, now-5))), with(func(c *Claims) {})},
		{"escaped keys", signed(`{"s\u0075b":"u1","\u0065xp":` + fmt.Sprint(now+600) + `,"iat":` + fmt.Sprint(now) + `,"\u0074ype":"refresh"}`),
			with(func(c *Claims) { c.Type = TypeRefresh })},
		{"escaped strings", signed(pay(`"jti":"\"\\\/\b\f\n\r\t\u0041\ud83d\ude00\u00e9"`)),
			with(func(c *Claims) { c.ID = "\"\\/\b\f\n\r\t\u0041😀é" })},
		{"raw UTF-8", signed(`{"sub":"ünï😀","exp":` + fmt.Sprint(now+600) + `,"iat":` + fmt.Sprint(now) + `}`),
			with(func(c *Claims) { c.Subject = "ünï😀" })},
		{"empty sub", signed(`{"sub":"","exp":` + fmt.Sprint(now+600) + `,"iat":` + fmt.Sprint(now) + `}`),
			with(func(c *Claims) { c.Subject = "" })},
		{"float times truncated", signed(fmt.Sprintf(`{"sub":"u1","exp":%d.99,"iat":%d.5e0}`, now+600, now)), with(func(c *Claims) {})},
		{"exponent times", signed(`{"sub":"u1","exp":1.7000006E9,"iat":17e8}`),
			with(func(c *Claims) { c.IssuedAt = 1700000000; c.ExpiresAt = 1700000600 })},
		{"white space everywhere", signed(" \t\n\r{ \"sub\" :\"u1\" , \"exp\" : " + fmt.Sprint(now+600) + " ,\n\"iat\":" + fmt.Sprint(now) + " } \r\n"),
			with(func(c *Claims) {})},
		{"negative iat", signed(fmt.Sprintf(`{"sub":"u1","exp":%d,"iat":-5}`, now+600)), with(func(c *Claims) { c.IssuedAt = -5 })},
		{"nesting at the limit", signed(pay(`"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth))), with(func(c *Claims) {})},
		{"header with kid and extra fields", forge(HS256, `{ "typ":"JWT", "kid":"k1", "alg":"HS256", "x":{"y":[1]}, "b64":true }`, pay("")), with(func(c *Claims) {})},
		{"many distinct keys", signed(pay(manyKeys(40) + `,"extra":{` + manyKeys(40) + `,"purpose":"p"}`)),
			with(func(c *Claims) { c.Extra = []byte(`{` + manyKeys(40) + `,"purpose":"p"}`); c.Purpose = "p" })},
		{"header with many keys", forge(HS256, `{"alg":"HS256",`+manyKeys(20)+`}`, pay("")), with(func(c *Claims) {})},
		{"header alg escaped", forge(HS256, `{"alg":"HS\u0032\u0035\u0036"}`, pay("")), with(func(c *Claims) {})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newTestVerifier(t, HS256).Verify(tc.raw, testNow)
			if err != nil {
				t.Fatalf("Verify() err = %v", err)
			}
			if d := claimsDiff(got, tc.want); d != "" {
				t.Errorf("Verify(): %s", d)
			}
			if got.Roles == nil {
				t.Errorf("Verify() Roles = nil, want an empty list")
			}
		})
	}
}

func TestVerifyPurpose(t *testing.T) {
	for _, tc := range []struct {
		extra string
		want  string
	}{
		{`{}`, ""},
		{`{"other":"x"}`, ""},
		{`{"purpose":"email_verify"}`, "email_verify"},
		{`{"nonce":"n","purpose":"oauth_state","redirect_uri":"https://x"}`, "oauth_state"},
		{`{"purpose":"p\u00e9"}`, "pé"},
		{`{"purpose":""}`, ""},
		{`{"purpose":null}`, ""},
		{`{"purpose":false}`, ""},
		{`{"purpose":0}`, ""},
		{`{"purpose":-0}`, ""},
		{`{"purpose":0.0}`, ""},
		{`{"purpose":0e10}`, ""},
		{`{"purpose":1e-400}`, ""},
		{`{"purpose":[]}`, ""},
		{`{"purpose":[ ]}`, ""},
		{`{"purpose":{}}`, ""},
		{`{"purpose":{ }}`, ""},
		{`{"purpose":true}`, "true"},
		{`{"purpose":1}`, "1"},
		{`{"purpose":-0.5}`, "-0.5"},
		{`{"purpose":1e400}`, "1e400"},
		{`{"purpose":[0]}`, "[0]"},
		{`{"purpose":[ null ]}`, "[ null ]"},
		{`{"purpose":{"a":1}}`, `{"a":1}`},
		{`{"purpose":" "}`, " "},
		{`{"x":{"purpose":"nested"}}`, ""},
		{`{"x":[{"purpose":"nested"}],"purpose":"top"}`, "top"},
		{`{"p\u0075rpose":"escaped key"}`, "escaped key"},
	} {
		t.Run(tc.extra, func(t *testing.T) {
			got, err := newTestVerifier(t, HS256).Verify(signed(pay(`"extra":`+tc.extra)), testNow)
			if err != nil {
				t.Fatalf("Verify() err = %v", err)
			}
			if got.Purpose != tc.want {
				t.Errorf("Verify() Purpose = %q, want %q", got.Purpose, tc.want)
			}
			if string(got.Extra) != tc.extra {
				t.Errorf("Verify() Extra = %s, want %s", got.Extra, tc.extra)
			}
		})
	}
}

// TestVerifyOwnsExtra checks that changing a returned Extra touches nothing
// else: not other results, not the Verifier.
func TestVerifyOwnsExtra(t *testing.T) {
	v := newTestVerifier(t, HS256)
	raw := signed(pay(`"extra":{"purpose":"abc"}`))
	c1, err := v.Verify(raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	copy(c1.Extra, "XXXXXXXXXXXXXXXX")
	c2, err := v.Verify(raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if string(c2.Extra) != `{"purpose":"abc"}` || c1.Purpose != "abc" {
		t.Errorf("after changing Extra: c2.Extra = %s, c1.Purpose = %q; want untouched", c2.Extra, c1.Purpose)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	s, v := newTestSigner(t, HS256), newTestVerifier(t, HS256)
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 200 {
				c := benchClaims(testNow)
				c.Subject = fmt.Sprintf("user-%d-%d", g, i)
				raw, err := s.Sign(c)
				if err != nil {
					done <- err
					return
				}
				got, err := v.Verify(raw, testNow)
				if err != nil {
					done <- err
					return
				}
				if d := claimsDiff(got, c); d != "" {
					done <- errors.New(d)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestVerifyAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	s, v := newTestSigner(t, HS256), newTestVerifier(t, HS256)
	raw, err := s.Sign(benchClaims(testNow))
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(raw, testNow); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 12 {
		t.Errorf("Verify() allocs = %v, want <= 12", allocs)
	}
}
