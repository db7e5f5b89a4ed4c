package password

import (
	"context"
	"crypto/rand"
	"errors"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// cheapArgon2 keeps argon2 calls in tests to well under a millisecond; the
// defaults cost about a quarter of a second each.
var cheapArgon2 = Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// cheapBcrypt is bcrypt's minimum cost.
const cheapBcrypt = 4

func newHasher(t testing.TB, opts Options) *Hasher {
	t.Helper()
	h, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v) err = %v, want nil", opts, err)
	}
	return h
}

// cheapHashers returns one hasher per algorithm, both at cheap parameters.
func cheapHashers(t testing.TB) (argon, bcr *Hasher) {
	t.Helper()
	argon = newHasher(t, Options{Argon2: cheapArgon2, BcryptCost: cheapBcrypt})
	bcr = newHasher(t, Options{Algorithm: Bcrypt, Argon2: cheapArgon2, BcryptCost: cheapBcrypt})
	return argon, bcr
}

func mustHash(t testing.TB, h *Hasher, plain string) string {
	t.Helper()
	encoded, err := h.Hash(context.Background(), plain)
	if err != nil {
		t.Fatalf("Hash(%q) err = %v, want nil", plain, err)
	}
	return encoded
}

func mustVerify(t testing.TB, h *Hasher, encoded, plain string) bool {
	t.Helper()
	ok, err := h.Verify(context.Background(), encoded, plain)
	if err != nil {
		t.Fatalf("Verify(%q, %q) err = %v, want nil", encoded, plain, err)
	}
	return ok
}

// makePHC computes a real argon2 hash of plain with the given shape, for
// variants and parameters that Hash itself does not produce.
func makePHC(t testing.TB, variant string, version uint32, m, tm uint32, p uint8, saltLen, keyLen int, plain string) string {
	t.Helper()
	salt := make([]byte, saltLen)
	rand.Read(salt)
	h := phc{variant: variant, version: version, memory: m, time: tm, threads: p, salt: salt}
	switch variant {
	case variantID:
		h.key = argon2.IDKey([]byte(plain), salt, tm, m, p, uint32(keyLen))
	case variantI:
		h.key = argon2.Key([]byte(plain), salt, tm, m, p, uint32(keyLen))
	default: // no implementation: any bytes make a well-formed string
		h.key = make([]byte, keyLen)
		rand.Read(h.key)
	}
	return h.String()
}

func TestRoundTrip(t *testing.T) {
	argon, bcr := cheapHashers(t)
	tests := []struct {
		name   string
		h      *Hasher
		prefix string
	}{
		{"argon2id", argon, "$argon2id$v=19$m=64,t=1,p=1$"},
		{"bcrypt", bcr, "$2b$04$"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const plain = "correct horse battery staple ✓"
			first := mustHash(t, tc.h, plain)
			second := mustHash(t, tc.h, plain)
			if !strings.HasPrefix(first, tc.prefix) {
				t.Errorf("Hash() = %q, want prefix %q", first, tc.prefix)
			}
			if first == second {
				t.Errorf("Hash() twice = %q both times, want different salts", first)
			}
			for _, encoded := range []string{first, second} {
				if !mustVerify(t, tc.h, encoded, plain) {
					t.Errorf("Verify(%q, right password) = false, want true", encoded)
				}
				for _, wrong := range []string{"", "correct horse battery staple", plain + " ", strings.ToUpper(plain)} {
					if mustVerify(t, tc.h, encoded, wrong) {
						t.Errorf("Verify(%q, %q) = true, want false", encoded, wrong)
					}
				}
				if tc.h.NeedsRehash(encoded) {
					t.Errorf("NeedsRehash(%q) = true, want false for a fresh hash", encoded)
				}
			}
			// Verification follows the hash, not the configuration.
			for _, other := range []*Hasher{argon, bcr} {
				if !mustVerify(t, other, first, plain) {
					t.Errorf("%s hasher: Verify(%q) = false, want true", other.Algorithm(), first)
				}
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	const plain = "hunter2"
	t.Run("argon2id", func(t *testing.T) {
		h := newHasher(t, Options{})
		if got := h.Algorithm(); got != Argon2id {
			t.Errorf("Algorithm() = %q, want %q", got, Argon2id)
		}
		encoded := mustHash(t, h, plain)
		const prefix = "$argon2id$v=19$m=65536,t=3,p=4$"
		if !strings.HasPrefix(encoded, prefix) {
			t.Fatalf("Hash() = %q, want prefix %q", encoded, prefix)
		}
		salt, key, ok := strings.Cut(strings.TrimPrefix(encoded, prefix), "$")
		if !ok || len(salt) != 22 || len(key) != 43 {
			t.Errorf("Hash() = %q, want a 22-character salt and a 43-character hash", encoded)
		}
		if !mustVerify(t, h, encoded, plain) {
			t.Errorf("Verify(%q, right password) = false, want true", encoded)
		}
		if h.NeedsRehash(encoded) {
			t.Errorf("NeedsRehash(%q) = true, want false", encoded)
		}
	})
	t.Run("bcrypt", func(t *testing.T) {
		h := newHasher(t, Options{Algorithm: Bcrypt})
		encoded := mustHash(t, h, plain)
		if !strings.HasPrefix(encoded, "$2b$12$") || len(encoded) != 60 {
			t.Fatalf("Hash() = %q, want 60 characters starting $2b$12$", encoded)
		}
		if !mustVerify(t, h, encoded, plain) {
			t.Errorf("Verify(%q, right password) = false, want true", encoded)
		}
		if h.NeedsRehash(encoded) {
			t.Errorf("NeedsRehash(%q) = true, want false", encoded)
		}
	})
	t.Run("workers", func(t *testing.T) {
		tests := []struct {
			name       string
			opts       Options
			size, uses int // pool size, and slots one Hash takes
		}{
			{"bcrypt", Options{Algorithm: Bcrypt}, runtime.NumCPU(), 1},
			{"argon2id: a slot per lane, at most the pool", Options{}, runtime.NumCPU(), min(defaultArgon2Threads, runtime.NumCPU())},
			{"argon2id with one lane", Options{Argon2: Argon2Params{Threads: 1}}, runtime.NumCPU(), 1},
			{"explicit", Options{Workers: 3, Argon2: Argon2Params{Threads: 2}}, 3, 2},
		}
		for _, tc := range tests {
			h := newHasher(t, tc.opts)
			if got := cap(h.sem); got != tc.size {
				t.Errorf("%s: pool size = %d, want %d", tc.name, got, tc.size)
			}
			if got := h.weight(h.argon2.Threads); h.alg == Argon2id && got != tc.uses {
				t.Errorf("%s: slots per hash = %d, want %d", tc.name, got, tc.uses)
			}
		}
	})
}

func TestBcryptPrefixesAndLength(t *testing.T) {
	argon, bcr := cheapHashers(t)
	const plain = "s3cret"
	b := mustHash(t, bcr, plain)
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		encoded := prefix + b[4:]
		for _, h := range []*Hasher{argon, bcr} {
			if !mustVerify(t, h, encoded, plain) {
				t.Errorf("%s hasher: Verify(%q) = false, want true", h.Algorithm(), encoded)
			}
		}
	}
	for _, prefix := range []string{"$2x$", "$2$", "$2c$", "$3b$"} {
		encoded := prefix + b[4:]
		if mustVerify(t, bcr, encoded, plain) {
			t.Errorf("Verify(%q) = true, want false", encoded)
		}
	}

	max := strings.Repeat("é", 36) // 72 bytes in UTF-8, 36 characters
	encoded := mustHash(t, bcr, max)
	if !mustVerify(t, bcr, encoded, max) {
		t.Errorf("Verify(72-byte password) = false, want true")
	}
	// bcrypt reads only 72 bytes, so without the length check the 73-byte
	// password below would match.
	if mustVerify(t, bcr, encoded, max+"x") {
		t.Errorf("Verify(73-byte extension of the password) = true, want false")
	}
	if _, err := bcr.Hash(context.Background(), max+"x"); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(73-byte password) err = %v, want ErrTooLong", err)
	}
	if _, err := bcr.Hash(context.Background(), strings.Repeat("a", 1000)); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(1000-byte password) err = %v, want ErrTooLong", err)
	}

	// argon2id has no such limit, and sees every byte.
	long := strings.Repeat("a", 1000)
	encoded = mustHash(t, argon, long)
	if !mustVerify(t, argon, encoded, long) {
		t.Errorf("argon2id: Verify(1000-byte password) = false, want true")
	}
	if mustVerify(t, argon, encoded, long[:999]+"b") {
		t.Errorf("argon2id: Verify(password differing in byte 1000) = true, want false")
	}
}

func TestVerifyArgon2Variants(t *testing.T) {
	argon, bcr := cheapHashers(t)
	const plain = "pa55word"
	tests := []struct {
		name    string
		encoded string
		want    bool
	}{
		{"argon2id", makePHC(t, variantID, 19, 64, 1, 1, 16, 32, plain), true},
		{"argon2i", makePHC(t, variantI, 19, 64, 1, 1, 16, 32, plain), true},
		{"argon2id other params", makePHC(t, variantID, 19, 256, 2, 2, 8, 16, plain), true},
		{"argon2id long key and salt", makePHC(t, variantID, 19, 64, 1, 1, 64, 128, plain), true},
		// x/crypto implements neither argon2d nor version 16.
		{"argon2d", makePHC(t, variantD, 19, 64, 1, 1, 16, 32, plain), false},
		{"argon2id v=16", strings.Replace(makePHC(t, variantID, 19, 64, 1, 1, 16, 32, plain), "v=19", "v=16", 1), false},
		{"argon2i hash labelled argon2id", strings.Replace(makePHC(t, variantI, 19, 64, 1, 1, 16, 32, plain), "argon2i", "argon2id", 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range []*Hasher{argon, bcr} {
				if got := mustVerify(t, h, tc.encoded, plain); got != tc.want {
					t.Errorf("%s hasher: Verify(%q) = %v, want %v", h.Algorithm(), tc.encoded, got, tc.want)
				}
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	argon, bcr := cheapHashers(t)
	// NeedsRehash never computes a hash, so the strings only need the
	// right shape.
	phcWith := func(variant string, version, m, tm uint32, p uint8, saltLen, keyLen int) string {
		return phc{variant, version, m, tm, p, make([]byte, saltLen), make([]byte, keyLen)}.String()
	}
	bcryptBody := strings.Repeat("./AZaz09", 7)[:53]
	current := phcWith(variantID, 19, 64, 1, 1, 16, 32)

	tests := []struct {
		name    string
		h       *Hasher
		encoded string
		want    bool
	}{
		{"argon2id: same params", argon, current, false},
		{"argon2id: real hash", argon, mustHash(t, argon, "x"), false},
		{"argon2id: bcrypt hash", argon, "$2b$04$" + bcryptBody, true},
		{"argon2id: bcrypt $2a$ hash", argon, "$2a$04$" + bcryptBody, true},
		{"argon2id: argon2i", argon, phcWith(variantI, 19, 64, 1, 1, 16, 32), true},
		{"argon2id: argon2d", argon, phcWith(variantD, 19, 64, 1, 1, 16, 32), true},
		{"argon2id: version 16", argon, strings.Replace(current, "v=19", "v=16", 1), true},
		{"argon2id: memory", argon, phcWith(variantID, 19, 128, 1, 1, 16, 32), true},
		{"argon2id: time", argon, phcWith(variantID, 19, 64, 2, 1, 16, 32), true},
		{"argon2id: parallelism", argon, phcWith(variantID, 19, 64, 1, 2, 16, 32), true},
		{"argon2id: key length", argon, phcWith(variantID, 19, 64, 1, 1, 16, 16), true},
		{"argon2id: salt length", argon, phcWith(variantID, 19, 64, 1, 1, 8, 32), true},
		{"argon2id: old argon2-cffi defaults", argon, phcWith(variantID, 19, 102400, 2, 8, 16, 16), true},
		{"argon2id: default params, cheap config", argon, phcWith(variantID, 19, 65536, 3, 4, 16, 32), true},
		{"argon2id: malformed", argon, current + "$", true},
		{"argon2id: empty", argon, "", true},

		{"bcrypt: same cost", bcr, "$2b$04$" + bcryptBody, false},
		{"bcrypt: real hash", bcr, mustHash(t, bcr, "x"), false},
		{"bcrypt: higher cost", bcr, "$2b$05$" + bcryptBody, true},
		{"bcrypt: default cost, cheap config", bcr, "$2b$12$" + bcryptBody, true},
		{"bcrypt: $2a$ prefix", bcr, "$2a$04$" + bcryptBody, true},
		{"bcrypt: $2y$ prefix", bcr, "$2y$04$" + bcryptBody, true},
		{"bcrypt: argon2id hash", bcr, current, true},
		{"bcrypt: malformed", bcr, "$2b$04$" + bcryptBody[:52], true},
		{"bcrypt: cost out of range", bcr, "$2b$32$" + bcryptBody, true},
		{"bcrypt: empty", bcr, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.h.NeedsRehash(tc.encoded); got != tc.want {
				t.Errorf("%s hasher: NeedsRehash(%q) = %v, want %v", tc.h.Algorithm(), tc.encoded, got, tc.want)
			}
		})
	}

	// Cost and parameters are compared with the configuration, whichever
	// side is higher.
	h := newHasher(t, Options{Algorithm: Bcrypt, BcryptCost: 10})
	for cost, want := range map[string]bool{"09": true, "10": false, "11": true} {
		encoded := "$2b$" + cost + "$" + bcryptBody
		if got := h.NeedsRehash(encoded); got != want {
			t.Errorf("cost 10 hasher: NeedsRehash(%q) = %v, want %v", encoded, got, want)
		}
	}
}

// malformed lists stored values that must never verify and always need a
// rehash. valid is a well-formed cheap argon2id hash of "pw" and
// validBcrypt a well-formed cost-4 bcrypt hash of "pw".
func malformed(valid, validBcrypt string) []struct{ name, encoded string } {
	prefix, tail, _ := strings.Cut(valid, "$m=64,t=1,p=1$") // "$argon2id$v=19", "<salt>$<hash>"
	salt, key, _ := strings.Cut(tail, "$")
	with := func(params string) string { return prefix + "$" + params + "$" + tail }
	return []struct{ name, encoded string }{
		{"empty", ""},
		{"dollar", "$"},
		{"variant only", "$argon2id$"},
		{"no params", "$argon2id$v=19$"},
		{"no hash", prefix + "$m=64,t=1,p=1$" + salt},
		{"empty hash", prefix + "$m=64,t=1,p=1$" + salt + "$"},
		{"no leading dollar", valid[1:]},
		{"unknown variant", strings.Replace(valid, "argon2id", "argon2x", 1)},
		{"upper-case variant", strings.Replace(valid, "argon2id", "ARGON2ID", 1)},
		{"scrypt", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
		{"version 18", strings.Replace(valid, "v=19", "v=18", 1)},
		{"version 019", strings.Replace(valid, "v=19", "v=019", 1)},
		{"version missing (argon2 1.0 format)", "$argon2id$m=64,t=1,p=1$" + tail},
		{"huge memory", with("m=4294967295,t=1,p=1")},
		{"memory over 32 bits", with("m=99999999999,t=1,p=1")},
		{"memory just over bound", with("m=1048577,t=1,p=1")},
		{"memory under 8*p", with("m=15,t=1,p=2")},
		{"memory zero", with("m=0,t=1,p=1")},
		{"time zero", with("m=64,t=0,p=1")},
		{"time over bound", with("m=64,t=65,p=1")},
		{"parallelism zero", with("m=64,t=1,p=0")},
		{"parallelism over 255", with("m=4096,t=1,p=256")},
		{"leading zero", with("m=064,t=1,p=1")},
		{"plus sign", with("m=+64,t=1,p=1")},
		{"minus sign", with("m=-64,t=1,p=1")},
		{"space in params", with("m=64, t=1,p=1")},
		{"wrong field order", with("t=1,m=64,p=1")},
		{"missing field", with("m=64,t=1")},
		{"extra field", with("m=64,t=1,p=1,x=1")},
		{"keyid", with("m=64,t=1,p=1,keyid=abc")},
		{"data", with("m=64,t=1,p=1,data=YWJj")},
		{"upper-case names", with("M=64,T=1,P=1")},
		{"extra dollar part", valid + "$" + key},
		{"trailing dollar", valid + "$"},
		{"padding", valid + "="},
		{"salt padding", prefix + "$m=64,t=1,p=1$" + salt + "==$" + key},
		{"url-safe base64", prefix + "$m=64,t=1,p=1$" + strings.Repeat("-_", 11) + "$" + key},
		{"bad base64 character", prefix + "$m=64,t=1,p=1$" + salt[:21] + "*$" + key},
		{"newline in hash", valid[:len(valid)-10] + "\n" + valid[len(valid)-10:]},
		{"trailing newline", valid + "\n"},
		{"trailing space", valid + " "},
		{"leading space", " " + valid},
		{"non-canonical trailing bits", valid[:len(valid)-1] + nudge(valid[len(valid)-1])},
		{"short salt", prefix + "$m=64,t=1,p=1$AAAAAAAAAA$" + key},
		{"long salt", prefix + "$m=64,t=1,p=1$" + strings.Repeat("A", 88) + "$" + key},
		{"short hash", prefix + "$m=64,t=1,p=1$" + salt + "$AAA"},
		{"long hash", prefix + "$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 172)},
		{"huge input", valid + strings.Repeat("A", 1<<20)},

		{"bcrypt: prefix only", "$2b$"},
		{"bcrypt: short", validBcrypt[:59]},
		{"bcrypt: trailing garbage", validBcrypt + "x"},
		{"bcrypt: trailing newline", validBcrypt + "\n"},
		{"bcrypt: cost 3", "$2b$03$" + validBcrypt[7:]},
		{"bcrypt: cost 32", "$2b$32$" + validBcrypt[7:]},
		{"bcrypt: cost 99", "$2b$99$" + validBcrypt[7:]},
		{"bcrypt: one-digit cost", "$2b$4$" + validBcrypt[7:] + "A"},
		{"bcrypt: non-digit cost", "$2b$0x$" + validBcrypt[7:]},
		{"bcrypt: missing separator", "$2b$04" + validBcrypt[7:] + "A"},
		{"bcrypt: bad character", validBcrypt[:30] + "+" + validBcrypt[31:]},
		{"bcrypt: unknown minor", "$2x$" + validBcrypt[4:]},
	}
}

// flip returns a different character of the same base64 alphabets.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// nudge returns c with the lowest bit of its base64 value flipped. A
// 32-byte hash is 43 characters whose last holds two unused bits, so this
// spells the same bytes in a non-canonical way.
func nudge(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

func TestMalformed(t *testing.T) {
	argon, bcr := cheapHashers(t)
	valid := mustHash(t, argon, "pw")
	validBcrypt := mustHash(t, bcr, "pw")
	// Sanity: the strings the cases are built from do verify.
	if !mustVerify(t, argon, valid, "pw") || !mustVerify(t, argon, validBcrypt, "pw") {
		t.Fatalf("Verify of the unmodified hashes = false, want true")
	}
	for _, tc := range malformed(valid, validBcrypt) {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range []*Hasher{argon, bcr} {
				ok, err := h.Verify(context.Background(), tc.encoded, "pw")
				if ok || err != nil {
					t.Errorf("%s hasher: Verify(%q) = %v, %v; want false, nil", h.Algorithm(), short(tc.encoded), ok, err)
				}
				if !h.NeedsRehash(tc.encoded) {
					t.Errorf("%s hasher: NeedsRehash(%q) = false, want true", h.Algorithm(), short(tc.encoded))
				}
			}
			if !isBcrypt(tc.encoded) {
				if _, err := parsePHC(tc.encoded); err == nil {
					t.Errorf("parsePHC(%q) err = nil, want an error", short(tc.encoded))
				}
			}
		})
	}
}

// TestTampered covers well-formed hashes that were altered: they parse,
// so only Verify can tell.
func TestTampered(t *testing.T) {
	argon, bcr := cheapHashers(t)
	valid := mustHash(t, argon, "pw")
	validBcrypt := mustHash(t, bcr, "pw")
	prefix, tail, _ := strings.Cut(valid, "$m=64,t=1,p=1$")
	salt, key, _ := strings.Cut(tail, "$")
	tests := []struct{ name, encoded string }{
		{"hash", valid[:len(valid)-2] + flip(valid[len(valid)-2]) + valid[len(valid)-1:]},
		{"salt", prefix + "$m=64,t=1,p=1$" + flip(salt[0]) + salt[1:] + "$" + key},
		{"memory", prefix + "$m=72,t=1,p=1$" + tail},
		{"time", prefix + "$m=64,t=2,p=1$" + tail},
		{"parallelism", prefix + "$m=64,t=1,p=2$" + tail},
		{"variant", strings.Replace(valid, "argon2id", "argon2i", 1)},
		{"shorter hash", valid[:len(valid)-11]},
		{"bcrypt hash", validBcrypt[:40] + flip(validBcrypt[40]) + validBcrypt[41:]},
		{"bcrypt salt", validBcrypt[:7] + flip(validBcrypt[7]) + validBcrypt[8:]},
		{"bcrypt cost", "$2b$05$" + validBcrypt[7:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range []*Hasher{argon, bcr} {
				ok, err := h.Verify(context.Background(), tc.encoded, "pw")
				if ok || err != nil {
					t.Errorf("%s hasher: Verify(%q) = %v, %v; want false, nil", h.Algorithm(), tc.encoded, ok, err)
				}
			}
		})
	}
}

// short keeps failure messages readable for the megabyte-long case.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// TestHugeMemoryNotAllocated checks that the bound on m is applied before
// argon2 allocates: verifying m=4294967295 would otherwise try to allocate
// 4 TiB, and m=1048577 one GiB.
func TestHugeMemoryNotAllocated(t *testing.T) {
	argon, _ := cheapHashers(t)
	salt, key := strings.Repeat("A", 22), strings.Repeat("A", 43)
	for _, params := range []string{"m=4294967295,t=1,p=1", "m=1048577,t=1,p=1", "m=1048576,t=65,p=1"} {
		encoded := "$argon2id$v=19$" + params + "$" + salt + "$" + key
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ok, err := argon.Verify(context.Background(), encoded, "pw")
		runtime.ReadMemStats(&after)
		if ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", encoded, ok, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("Verify(%q) allocated %d bytes, want under 1 MiB", encoded, n)
		}
	}
}

func TestParsePHCRoundTrip(t *testing.T) {
	salt8, salt64 := strings.Repeat("A", 11), strings.Repeat("/", 86)[:86]
	key4, key128 := "AAAAAA", strings.Repeat("+", 171)
	// The last character of an unpadded encoding must have zero unused bits.
	salt64 = salt64[:85] + "w"
	key128 = key128[:170] + "w"
	for _, s := range []string{
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$O3SGXHxp7ukNBqE2Yzcz6I9BO5kGmpV1QjLvKHtXqFg",
		"$argon2i$v=19$m=8,t=1,p=1$" + salt8 + "$" + key4,
		"$argon2d$v=16$m=1048576,t=64,p=255$" + salt64 + "$" + key128,
		"$argon2id$v=19$m=2040,t=1,p=255$" + salt8 + "$" + key4,
	} {
		p, err := parsePHC(s)
		if err != nil {
			t.Errorf("parsePHC(%q) err = %v, want nil", s, err)
			continue
		}
		if got := p.String(); got != s {
			t.Errorf("parsePHC(%q).String() = %q, want the input", s, got)
		}
	}
}

func TestNewOptions(t *testing.T) {
	valid := []Options{
		{},
		{Algorithm: Argon2id},
		{Algorithm: Bcrypt},
		{Algorithm: Bcrypt, BcryptCost: 4},
		{Algorithm: Bcrypt, BcryptCost: 31},
		{Argon2: Argon2Params{Time: 1, MemoryKiB: 8, Threads: 1, KeyLen: 4, SaltLen: 8}},
		{Argon2: Argon2Params{Time: 64, MemoryKiB: 1 << 20, Threads: 255, KeyLen: 128, SaltLen: 64}},
		{Argon2: Argon2Params{MemoryKiB: 32}}, // 8 * the default 4 threads
		{Workers: 1},
		{Workers: 100},
	}
	for _, opts := range valid {
		if _, err := New(opts); err != nil {
			t.Errorf("New(%+v) err = %v, want nil", opts, err)
		}
	}

	invalid := []struct {
		name string
		opts Options
	}{
		{"unknown algorithm", Options{Algorithm: "md5"}},
		{"algorithm case", Options{Algorithm: "Argon2id"}},
		{"bcrypt cost 3", Options{Algorithm: Bcrypt, BcryptCost: 3}},
		{"bcrypt cost 32", Options{Algorithm: Bcrypt, BcryptCost: 32}},
		{"bcrypt cost negative", Options{Algorithm: Bcrypt, BcryptCost: -1}},
		{"bcrypt cost checked under argon2id", Options{BcryptCost: 50}},
		{"argon2 time", Options{Argon2: Argon2Params{Time: 65}}},
		{"argon2 memory over bound", Options{Argon2: Argon2Params{MemoryKiB: 1<<20 + 1}}},
		{"argon2 memory under 8*threads", Options{Argon2: Argon2Params{MemoryKiB: 31}}},
		{"argon2 memory under 8*threads, explicit", Options{Argon2: Argon2Params{MemoryKiB: 15, Threads: 2}}},
		{"argon2 key length short", Options{Argon2: Argon2Params{KeyLen: 3}}},
		{"argon2 key length long", Options{Argon2: Argon2Params{KeyLen: 129}}},
		{"argon2 salt length short", Options{Argon2: Argon2Params{SaltLen: 7}}},
		{"argon2 salt length long", Options{Argon2: Argon2Params{SaltLen: 65}}},
		{"argon2 checked under bcrypt", Options{Algorithm: Bcrypt, Argon2: Argon2Params{Time: 1000}}},
		{"negative workers", Options{Workers: -1}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(tc.opts)
			if err == nil || h != nil {
				t.Errorf("New(%+v) = %v, %v; want nil, an error", tc.opts, h, err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "password: ") {
				t.Errorf("New(%+v) err = %q, want the \"password: \" prefix", tc.opts, err)
			}
		})
	}
}
