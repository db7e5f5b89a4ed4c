package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// Algorithm is the JWS "alg" of a token. Only the HMAC algorithms exist.
type Algorithm string

// The supported algorithms. HS256 is fullauth's default.
const (
	HS256 Algorithm = "HS256"
	HS384 Algorithm = "HS384"
	HS512 Algorithm = "HS512"
)

// MaxTokenSize is the largest raw token, in bytes, that [Verifier.Verify]
// decodes and [Signer.Sign] produces. Fullauth's own tokens are well under
// 1 KiB.
const MaxTokenSize = 8 << 10

// The values of the "type" claim that fullauth uses.
const (
	TypeAccess  = "access"
	TypeRefresh = "refresh"
)

// Claims is the claim set of every fullauth token.
type Claims struct {
	Subject   string // "sub"
	ExpiresAt int64  // "exp", unix seconds
	IssuedAt  int64  // "iat", unix seconds
	ID        string // "jti"; missing decodes as ""

	// Type is "type": TypeAccess or TypeRefresh. A token without it decodes
	// as TypeAccess, and Sign writes "" as TypeAccess.
	Type string

	// Roles is "roles", written for access tokens only; Sign writes [] for
	// nil, and a token without it decodes as an empty list.
	Roles []string

	// FamilyID is "family_id", the session the token belongs to; "" leaves
	// the claim out. A null family_id decodes as "".
	FamilyID string

	// Extra is "extra", a JSON object of custom claims, written for access
	// tokens only. Sign refuses anything but a JSON object and writes {}
	// when Extra is empty. Verify returns the object's bytes as they were in
	// the token, or {} when the claim is missing or not an object; the
	// slice is the caller's own.
	Extra json.RawMessage

	// Purpose is set by Verify from extra.purpose: its value when that is a
	// string; its JSON text when it is any other truthy value (true, a
	// non-zero number, a non-empty array or object); "" when it is absent
	// or falsy (null, false, 0, "", [], {}), which is how Python decides.
	// Sign ignores it: put the purpose into Extra.
	Purpose string
}

// ErrExpired and ErrInvalid are the two classes of verification failure.
// Verify returns ErrExpired itself, and for every other failure an error
// that wraps ErrInvalid and adds a short detail.
var (
	ErrExpired = errors.New("token: expired")
	ErrInvalid = errors.New("token: invalid")
)

// invalid returns a static error wrapping ErrInvalid, so that the common
// failures cost no allocation.
func invalid(detail string) error { return fmt.Errorf("%w: %s", ErrInvalid, detail) }

// Static failures, each wrapping ErrInvalid.
var (
	errTooLarge       = invalid("token longer than MaxTokenSize")
	errSegments       = invalid("not three dot-separated segments")
	errBase64         = invalid("segment is not unpadded canonical base64url")
	errHeader         = invalid("header is not a JSON object")
	errHeaderSize     = invalid("header too large")
	errAlg            = invalid("alg header is not the configured algorithm")
	errKid            = invalid("kid header is not a string")
	errCrit           = invalid("crit header not supported")
	errB64            = invalid("unencoded payload (b64: false) not supported")
	errSignature      = invalid("signature mismatch")
	errSyntax         = invalid("malformed JSON")
	errString         = invalid("malformed JSON string")
	errUTF8           = invalid("JSON text is not valid UTF-8")
	errSurrogate      = invalid("unpaired surrogate in JSON string")
	errDuplicate      = invalid("duplicate JSON object key")
	errDepth          = invalid("JSON nested too deeply")
	errPayload        = invalid("payload is not a JSON object")
	errMissingSub     = invalid("missing or null sub claim")
	errMissingExp     = invalid("missing or null exp claim")
	errMissingIat     = invalid("missing or null iat claim")
	errSub            = invalid("sub claim is not a string")
	errExp            = invalid("exp claim is not a number in range")
	errIat            = invalid("iat claim is not a number in range")
	errNbf            = invalid("nbf claim is not a number in range")
	errJti            = invalid("jti claim is not a string")
	errType           = invalid("type claim is not a string")
	errFamily         = invalid("family_id claim is not a string")
	errRoles          = invalid("roles claim is not an array of strings")
	errAud            = invalid("token has an audience")
	errImmature       = invalid("token issued in the future (iat)")
	errImmatureNbf    = invalid("token not yet valid (nbf)")
	errSignExtra      = errors.New("token: Extra is not a JSON object that Verify accepts")
	errSignTooLarge   = errors.New("token: signed token longer than MaxTokenSize")
	errNilClaims      = errors.New("token: nil claims")
	errEmptyKey       = errors.New("token: empty key")
	errNegativeLeeway = errors.New("token: negative leeway")
)

// algInfo is what an Algorithm needs at run time.
type algInfo struct {
	hash   func() hash.Hash
	size   int    // signature bytes
	header string // base64url of the header PyJWT writes
}

func lookup(alg Algorithm) (algInfo, error) {
	var h func() hash.Hash
	switch alg {
	case HS256:
		h = sha256.New
	case HS384:
		h = sha512.New384
	case HS512:
		h = sha512.New
	default:
		return algInfo{}, fmt.Errorf("token: unsupported algorithm %q", string(alg))
	}
	// PyJWT serialises the header with sorted keys and compact separators.
	hdr := `{"alg":"` + string(alg) + `","typ":"JWT"}`
	return algInfo{
		hash:   h,
		size:   h().Size(),
		header: base64.RawURLEncoding.EncodeToString([]byte(hdr)),
	}, nil
}

// newMAC returns a constructor of HMAC hashers for key (copied).
func newMAC(info algInfo, key []byte) (func() hash.Hash, error) {
	if len(key) == 0 {
		return nil, errEmptyKey
	}
	k := append([]byte(nil), key...)
	return func() hash.Hash { return hmac.New(info.hash, k) }, nil
}

// unixTime is a clock reading split into seconds and nanoseconds.
type unixTime struct {
	sec  int64
	nsec int64 // [0, 1e9)
}

func split(t time.Time) unixTime { return unixTime{t.Unix(), int64(t.Nanosecond())} }

// add returns t+d, saturating at the int64 limits.
func (t unixTime) add(d time.Duration) unixTime {
	s, n := int64(d/time.Second), int64(d%time.Second)
	n += t.nsec
	if n >= int64(time.Second) {
		n -= int64(time.Second)
		s++
	}
	if t.sec > 0 && s > maxInt64-t.sec {
		return unixTime{maxInt64, n}
	}
	return unixTime{t.sec + s, n}
}

// sub returns t-d (d >= 0), saturating at the int64 limits.
func (t unixTime) sub(d time.Duration) unixTime {
	s, n := int64(d/time.Second), int64(d%time.Second)
	n = t.nsec - n
	if n < 0 {
		n += int64(time.Second)
		s++
	}
	if t.sec < 0 && s > t.sec-minInt64 {
		return unixTime{minInt64, n}
	}
	return unixTime{t.sec - s, n}
}

// notAfter reports whether the whole second x <= t. Because x has no
// fraction, that is x <= t.sec.
func (t unixTime) notAfter(x int64) bool { return x <= t.sec }

// before reports whether t < the whole second x. Because x has no fraction,
// that is x > t.sec, whatever t.nsec.
func (t unixTime) before(x int64) bool { return x > t.sec }

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)
