package password

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Bounds on argon2 parameters. They apply both to a Hasher's configuration
// and to every hash read back from storage, so that a tampered row cannot
// make a verification allocate or compute without limit.
const (
	minArgon2Time      = 1
	maxArgon2Time      = 64
	maxArgon2MemoryKiB = 1 << 20 // 1 GiB; RFC 9106 requires at least 8*p
	minArgon2Threads   = 1       // the maximum, 255, is what x/crypto's uint8 allows
	minArgon2SaltLen   = 8       // RFC 9106's minimum
	maxArgon2SaltLen   = 64
	minArgon2KeyLen    = 4 // RFC 9106's minimum tag length
	maxArgon2KeyLen    = 128

	// maxPHCLen is longer than any string the bounds above admit
	// ("$argon2id$v=19$m=1048576,t=64,p=255$" plus 86 + 1 + 171 base64
	// characters is under 300). Checking it first keeps a huge input from
	// costing anything.
	maxPHCLen = 512
)

// Argon2 versions that may appear in the "v=" field. x/crypto computes only
// version 19 (0x13); version 16 (0x10) is accepted by the codec so that
// such a hash is reported as needing a rehash rather than as garbage, but it
// never verifies.
const (
	argon2Version13 = 0x13
	argon2Version10 = 0x10
)

// Argon2 variant names as they appear in the PHC string.
const (
	variantID = "argon2id"
	variantI  = "argon2i"
	variantD  = "argon2d"
)

var errMalformed = errors.New("password: malformed argon2 hash")

// phc is a decoded argon2 PHC string.
type phc struct {
	variant string // variantID, variantI or variantD
	version uint32 // argon2Version13 or argon2Version10
	memory  uint32 // KiB
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// String encodes p in the canonical form that parsePHC accepts.
func (p phc) String() string {
	var b strings.Builder
	b.Grow(64 + base64.RawStdEncoding.EncodedLen(len(p.salt)) + base64.RawStdEncoding.EncodedLen(len(p.key)))
	b.WriteByte('$')
	b.WriteString(p.variant)
	b.WriteString("$v=")
	b.WriteString(strconv.FormatUint(uint64(p.version), 10))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(p.memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(p.time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(p.threads), 10))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(p.salt))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(p.key))
	return b.String()
}

// parsePHC decodes an argon2 PHC string. It checks every bound before
// decoding anything of variable size, and refuses any spelling other than
// the canonical one, so parsePHC(s).String() == s whenever it succeeds.
func parsePHC(s string) (phc, error) {
	var p phc
	if len(s) > maxPHCLen {
		return p, errMalformed
	}
	rest, ok := strings.CutPrefix(s, "$")
	if !ok {
		return p, errMalformed
	}

	// Four '$'-terminated fields, then the hash, which must hold no '$'
	// (the base64 check below refuses it).
	var variant, version, params, salt string
	for _, f := range []*string{&variant, &version, &params, &salt} {
		if *f, rest, ok = strings.Cut(rest, "$"); !ok {
			return p, errMalformed
		}
	}
	key := rest

	switch variant {
	case variantID, variantI, variantD:
		p.variant = variant
	default:
		return p, errMalformed
	}

	v, ok := parseField(version, "v=", 0xff)
	if !ok || (v != argon2Version13 && v != argon2Version10) {
		return p, errMalformed
	}
	p.version = v

	// Exactly "m=<n>,t=<n>,p=<n>": argon2-cffi writes them in this order,
	// and the optional keyid/data fields are never written by anything we
	// interoperate with.
	m, params, _ := strings.Cut(params, ",")
	t, pp, _ := strings.Cut(params, ",")
	if p.memory, ok = parseField(m, "m=", maxArgon2MemoryKiB); !ok {
		return p, errMalformed
	}
	if p.time, ok = parseField(t, "t=", maxArgon2Time); !ok {
		return p, errMalformed
	}
	threads, ok := parseField(pp, "p=", 255) // a trailing ",x" fails here
	if !ok {
		return p, errMalformed
	}
	p.threads = uint8(threads)

	if p.salt, ok = decodeBase64(salt, minArgon2SaltLen, maxArgon2SaltLen); !ok {
		return p, errMalformed
	}
	if p.key, ok = decodeBase64(key, minArgon2KeyLen, maxArgon2KeyLen); !ok {
		return p, errMalformed
	}
	if err := checkArgon2(p.time, p.memory, p.threads, uint32(len(p.key)), uint32(len(p.salt))); err != nil {
		return p, errMalformed
	}
	return p, nil
}

// checkArgon2 enforces the documented bounds on a parameter set.
func checkArgon2(time, memoryKiB uint32, threads uint8, keyLen, saltLen uint32) error {
	switch {
	case time < minArgon2Time || time > maxArgon2Time:
		return errors.New("password: argon2 time must be between 1 and 64")
	case threads < minArgon2Threads:
		return errors.New("password: argon2 threads must be between 1 and 255")
	case memoryKiB < 8*uint32(threads) || memoryKiB > maxArgon2MemoryKiB:
		return errors.New("password: argon2 memory must be between 8*threads and 1048576 KiB")
	case keyLen < minArgon2KeyLen || keyLen > maxArgon2KeyLen:
		return errors.New("password: argon2 key length must be between 4 and 128 bytes")
	case saltLen < minArgon2SaltLen || saltLen > maxArgon2SaltLen:
		return errors.New("password: argon2 salt length must be between 8 and 64 bytes")
	}
	return nil
}

// parseField reads "<name><decimal>" with no sign, no leading zeros and a
// value of at most max. strconv.ParseUint would accept "007" and so break
// the one-spelling-per-hash rule.
func parseField(s, name string, max uint32) (uint32, bool) {
	digits, ok := strings.CutPrefix(s, name)
	if !ok || digits == "" || len(digits) > 10 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0') // at most 10 digits: cannot overflow
	}
	if n > uint64(max) {
		return 0, false
	}
	return uint32(n), true
}

// decodeBase64 decodes unpadded standard base64 holding between min and max
// bytes. The length is checked before decoding, and the alphabet by hand,
// because the encoding/base64 decoder silently skips '\r' and '\n'.
func decodeBase64(s string, min, max int) ([]byte, bool) {
	enc := base64.RawStdEncoding
	if len(s) < enc.EncodedLen(min) || len(s) > enc.EncodedLen(max) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if !isBase64Char(s[i]) {
			return nil, false
		}
	}
	// Strict rejects non-zero padding bits, which would otherwise give
	// several spellings of the same bytes.
	b, err := enc.Strict().DecodeString(s)
	if err != nil || len(b) < min || len(b) > max {
		return nil, false
	}
	return b, true
}

func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}
