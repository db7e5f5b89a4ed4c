package token

import (
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Signer mints tokens with one algorithm and key. It is safe for concurrent
// use.
type Signer struct {
	info algInfo
	pool sync.Pool
}

// signState is the per-call scratch space of Sign, pooled.
type signState struct {
	mac     hash.Hash
	payload []byte
	out     []byte
	sum     [64]byte
}

// NewSigner returns a Signer that signs with alg and key. key must not be
// empty (fullauth itself insists on at least 32 bytes) and is copied.
func NewSigner(alg Algorithm, key []byte) (*Signer, error) {
	info, err := lookup(alg)
	if err != nil {
		return nil, err
	}
	mac, err := newMAC(info, key)
	if err != nil {
		return nil, err
	}
	s := &Signer{info: info}
	s.pool.New = func() any {
		return &signState{mac: mac(), payload: make([]byte, 0, 512), out: make([]byte, 0, 1024)}
	}
	return s, nil
}

// Sign returns the signed token of c. The header is
// {"alg":"HS256","typ":"JWT"} (with the Signer's algorithm) and the payload
// is compact JSON with the keys in this order: sub, exp, iat, jti, type,
// then roles and extra when the type is access, then family_id when it is
// not empty. Text is written as Python's json.dumps writes it (non-ASCII
// and control characters as \uXXXX), so a token equals, byte for byte, the
// one PyJWT makes of the same claims. Extra is copied without its
// insignificant white space. The same claims always give the same token.
//
// Sign fails when Extra is not a JSON object (or breaks a rule Verify
// applies to every token: duplicate keys, unpaired surrogates, deep
// nesting), when a string is not valid UTF-8, or when the token would be
// longer than MaxTokenSize.
func (s *Signer) Sign(c *Claims) (string, error) {
	if c == nil {
		return "", errNilClaims
	}
	// The token is longer than the text that goes into it: refuse early,
	// before scanning Extra.
	size := len(c.Subject) + len(c.ID) + len(c.Type) + len(c.FamilyID) + len(c.Extra)
	for _, r := range c.Roles {
		size += len(r)
	}
	if size > MaxTokenSize {
		return "", errSignTooLarge
	}
	typ := c.Type
	if typ == "" {
		typ = TypeAccess
	}
	st := s.pool.Get().(*signState)
	defer s.put(st)

	var err error
	b := append(st.payload[:0], `{"sub":`...)
	if b, err = appendString(b, c.Subject, "sub"); err != nil {
		return "", err
	}
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, c.ExpiresAt, 10)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, c.IssuedAt, 10)
	b = append(b, `,"jti":`...)
	if b, err = appendString(b, c.ID, "jti"); err != nil {
		return "", err
	}
	b = append(b, `,"type":`...)
	if b, err = appendString(b, typ, "type"); err != nil {
		return "", err
	}
	if typ == TypeAccess {
		b = append(b, `,"roles":[`...)
		for i, r := range c.Roles {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendString(b, r, "roles"); err != nil {
				return "", err
			}
		}
		b = append(b, `],"extra":`...)
		if b, err = appendExtra(b, c.Extra); err != nil {
			return "", err
		}
	}
	if c.FamilyID != "" {
		b = append(b, `,"family_id":`...)
		if b, err = appendString(b, c.FamilyID, "family_id"); err != nil {
			return "", err
		}
	}
	b = append(b, '}')
	st.payload = b

	n := len(s.info.header) + 1 + encodedLen(len(b)) + 1 + encodedLen(s.info.size)
	if n > MaxTokenSize {
		return "", errSignTooLarge
	}
	out := append(st.out[:0], s.info.header...)
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, b)
	st.mac.Reset()
	st.mac.Write(out)
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, st.mac.Sum(st.sum[:0]))
	st.out = out
	return string(out), nil
}

func (s *Signer) put(st *signState) {
	if cap(st.payload) > MaxTokenSize || cap(st.out) > 2*MaxTokenSize {
		return // an outsized Extra: let the buffers go
	}
	s.pool.Put(st)
}

// appendString appends the JSON text of v as Python's json.dumps writes it
// with its default ensure_ascii: printable ASCII as is except " and \, the
// short escapes \" \\ \n \r \t \b \f, and everything else as \u escapes
// in lowercase hex, with UTF-16 surrogate pairs beyond the BMP.
// claim names v in the error when v is not valid UTF-8.
func appendString(b []byte, v, claim string) ([]byte, error) {
	const hexDigits = "0123456789abcdef"
	u := func(b []byte, r rune) []byte {
		return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
	}
	b = append(b, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == 0x7F:
				b = u(b, rune(c))
			default:
				b = append(b, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			return b, fmt.Errorf("token: %s claim is not valid UTF-8", claim)
		}
		i += size
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			b = u(u(b, r1), r2)
		} else {
			b = u(b, r)
		}
	}
	return append(b, '"'), nil
}

// appendExtra checks that extra is a JSON object acceptable to Verify and
// appends it without insignificant white space; {} when it is empty.
func appendExtra(b []byte, extra []byte) ([]byte, error) {
	if len(extra) == 0 {
		return append(b, '{', '}'), nil
	}
	s := string(extra)
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return b, errSignExtra
	}
	end, err := skipObject(s, i, 1, nil)
	if err != nil || skipWS(s, end) != len(s) {
		return b, errSignExtra
	}
	inString := false
	for j := i; j < end; j++ {
		c := s[j]
		switch {
		case inString:
			if c == '\\' {
				b = append(b, c, s[j+1])
				j++
				continue
			}
			inString = c != '"'
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		b = append(b, c)
	}
	return b, nil
}
