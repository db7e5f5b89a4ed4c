package token

import (
	"crypto/hmac"
	"encoding/json"
	"hash"
	"strings"
	"sync"
	"time"
)

// maxHeaderSize bounds the decoded header, which is parsed before the
// signature is checked. PyJWT's header is 27 bytes, 50 or so with a kid.
const maxHeaderSize = 512

// Verifier checks tokens signed with one algorithm and key. It is safe for
// concurrent use.
type Verifier struct {
	alg    Algorithm
	info   algInfo
	pool   sync.Pool
	leeway time.Duration
}

// verifyState is the per-call scratch space of Verify, pooled.
type verifyState struct {
	mac hash.Hash
	in  [1 << 10]byte              // signing input, a chunk at a time
	dec [MaxTokenSize / 4 * 3]byte // decoded header or payload
	sig [64]byte                   // decoded signature
	sum [64]byte                   // computed signature
}

// NewVerifier returns a Verifier of tokens signed by alg with key, allowing
// leeway of clock skew on the time claims. key must not be empty (fullauth
// itself insists on at least 32 bytes) and is copied; leeway must not be
// negative.
func NewVerifier(alg Algorithm, key []byte, leeway time.Duration) (*Verifier, error) {
	info, err := lookup(alg)
	if err != nil {
		return nil, err
	}
	mac, err := newMAC(info, key)
	if err != nil {
		return nil, err
	}
	if leeway < 0 {
		return nil, errNegativeLeeway
	}
	v := &Verifier{alg: alg, info: info, leeway: leeway}
	v.pool.New = func() any { return &verifyState{mac: mac()} }
	return v, nil
}

// Verify checks raw as the package documentation describes and returns its
// claims. now is the time to check exp and iat against. Expiry gives
// ErrExpired; every other failure an error wrapping ErrInvalid.
//
// Verify does not look at the token's type or purpose: a session guard
// must also check that Type is TypeAccess and Purpose is "", and the
// refresh flow that Type is TypeRefresh.
func (v *Verifier) Verify(raw string, now time.Time) (*Claims, error) {
	if len(raw) > MaxTokenSize {
		return nil, errTooLarge
	}
	d1 := strings.IndexByte(raw, '.')
	if d1 < 0 {
		return nil, errSegments
	}
	d2 := strings.IndexByte(raw[d1+1:], '.')
	if d2 < 0 {
		return nil, errSegments
	}
	d2 += d1 + 1
	if strings.IndexByte(raw[d2+1:], '.') >= 0 {
		return nil, errSegments
	}
	hdr, pay, sig := raw[:d1], raw[d1+1:d2], raw[d2+1:]

	st := v.pool.Get().(*verifyState)
	defer v.pool.Put(st)

	// Segments and header. The header fullauth and PyJWT write is compared
	// as text; any other one is decoded and parsed.
	if hdr != v.info.header {
		if len(hdr) > encodedLen(maxHeaderSize) {
			return nil, errHeaderSize
		}
		n, ok := decodeBase64(st.dec[:], hdr)
		if !ok {
			return nil, errBase64
		}
		if err := v.checkHeader(string(st.dec[:n])); err != nil {
			return nil, err
		}
	}
	if len(sig) > encodedLen(len(st.sig)) {
		return nil, errSignature
	}
	m, ok := decodeBase64(st.sig[:], sig)
	if !ok {
		return nil, errBase64
	}
	if m != v.info.size {
		return nil, errSignature
	}
	n, ok := decodeBase64(st.dec[:], pay)
	if !ok {
		return nil, errBase64
	}

	// Signature, in constant time. hash.Hash takes bytes, not strings, so
	// the signing input goes through a buffer.
	st.mac.Reset()
	for in := raw[:d2]; len(in) > 0; {
		n := copy(st.in[:], in)
		st.mac.Write(st.in[:n])
		in = in[n:]
	}
	if !hmac.Equal(st.mac.Sum(st.sum[:0]), st.sig[:v.info.size]) {
		return nil, errSignature
	}

	// Claims. Strings in c share the memory of p.
	p := string(st.dec[:n])
	c := new(Claims)
	t, err := parsePayload(p, c)
	if err != nil {
		return nil, err
	}

	// Time, compared as PyJWT does (exactly, now having a fraction): iat,
	// then nbf, then exp.
	nw := split(now)
	late, early := nw.add(v.leeway), nw.sub(v.leeway)
	// Immature when iat > now + leeway.
	if late.before(c.IssuedAt) {
		return nil, errImmature
	}
	// Likewise nbf > now + leeway.
	if t.hasNbf && late.before(t.nbf) {
		return nil, errImmatureNbf
	}
	// Expired when exp <= now - leeway, i.e. now >= exp + leeway.
	if early.notAfter(c.ExpiresAt) {
		return nil, ErrExpired
	}
	return c, nil
}

// checkHeader checks a header other than the standard one.
func (v *Verifier) checkHeader(h string) error {
	i := skipWS(h, 0)
	if i >= len(h) || h[i] != '{' {
		return errHeader
	}
	i = skipWS(h, i+1)
	algOK := false
	if i < len(h) && h[i] == '}' {
		i++
	} else {
		var keys keySet
		for {
			if i >= len(h) || h[i] != '"' {
				return errSyntax
			}
			end, esc, err := scanString(h, i)
			if err != nil {
				return err
			}
			k := span{i, end, esc}
			if keys.add(h, k) {
				return errDuplicate
			}
			i = skipWS(h, end)
			if i >= len(h) || h[i] != ':' {
				return errSyntax
			}
			i = skipWS(h, i+1)
			start := i
			if i, err = skipValue(h, i, 1); err != nil {
				return err
			}
			val := h[start:i]
			switch {
			case strEqual(h, k, "alg"):
				if val[0] != '"' {
					return errAlg
				}
				_, vesc, _ := scanString(h, start)
				if !strEqual(h, span{start, i, vesc}, string(v.alg)) {
					return errAlg
				}
				algOK = true
			case strEqual(h, k, "kid"):
				if val[0] != '"' {
					return errKid
				}
			case strEqual(h, k, "crit"):
				return errCrit
			case strEqual(h, k, "b64"):
				if val == "false" {
					return errB64
				}
			}
			i = skipWS(h, i)
			if i < len(h) && h[i] == ',' {
				i = skipWS(h, i+1)
				continue
			}
			if i < len(h) && h[i] == '}' {
				i++
				break
			}
			return errSyntax
		}
	}
	if skipWS(h, i) != len(h) {
		return errSyntax
	}
	if !algOK {
		return errAlg
	}
	return nil
}

// Bits of parsePayload's seen set.
const (
	seenSub = 1 << iota
	seenExp
	seenIat
	seenJti
	seenType
	seenRoles
	seenExtra
	seenFamily
	seenNbf
	seenAud
)

// timeClaims are the time claims Claims has no field for.
type timeClaims struct {
	nbf    int64
	hasNbf bool
}

// parsePayload fills c from the payload p and checks every claim but time.
func parsePayload(p string, c *Claims) (timeClaims, error) {
	var t timeClaims
	i := skipWS(p, 0)
	if i >= len(p) || p[i] != '{' {
		return t, errPayload
	}
	var (
		seen    int
		notNull int // of the seen: those whose value is not null
		extra   = span{start: -1}
		purpose = span{start: -1}
		unknown keySet // keys not in the claim set, for duplicates
		kbuf    [16]byte
	)
	i = skipWS(p, i+1)
	if i < len(p) && p[i] == '}' {
		i++
	} else {
		for {
			if i >= len(p) || p[i] != '"' {
				return t, errSyntax
			}
			end, esc, err := scanString(p, i)
			if err != nil {
				return t, err
			}
			k := span{i, end, esc}
			name := p[i+1 : end-1]
			if esc {
				b, ok := keyName(p, k, kbuf[:])
				if !ok {
					b = nil
				}
				name = string(b) // does not escape: only compared below
			}
			i = skipWS(p, end)
			if i >= len(p) || p[i] != ':' {
				return t, errSyntax
			}
			i = skipWS(p, i+1)
			if i >= len(p) {
				return t, errSyntax
			}
			bit, null := 0, p[i] == 'n'
			switch name {
			case "sub":
				bit = seenSub
				i, err = stringClaim(p, i, &c.Subject, errSub, true)
			case "exp":
				bit = seenExp
				i, err = dateClaim(p, i, &c.ExpiresAt, nil, errExp)
			case "iat":
				bit = seenIat
				i, err = dateClaim(p, i, &c.IssuedAt, nil, errIat)
			case "nbf":
				bit = seenNbf
				if null {
					return t, errNbf
				}
				i, err = dateClaim(p, i, &t.nbf, &t.hasNbf, errNbf)
			case "jti":
				bit = seenJti
				i, err = stringClaim(p, i, &c.ID, errJti, false)
			case "type":
				bit = seenType
				i, err = stringClaim(p, i, &c.Type, errType, false)
				switch c.Type {
				case TypeAccess:
					c.Type = TypeAccess
				case TypeRefresh:
					c.Type = TypeRefresh
				}
			case "family_id":
				bit = seenFamily
				i, err = stringClaim(p, i, &c.FamilyID, errFamily, true)
			case "roles":
				bit = seenRoles
				i, err = rolesClaim(p, i, c)
			case "extra":
				bit = seenExtra
				start := i
				if p[i] == '{' {
					i, err = skipObject(p, i, 1, &purpose)
					extra = span{start: start, end: i}
				} else {
					i, err = skipValue(p, i, 1)
				}
			case "aud":
				bit = seenAud
				start := i
				if i, err = skipValue(p, i, 1); err == nil && truthy(p, span{start: start, end: i}) {
					err = errAud
				}
			default:
				if unknown.add(p, k) {
					return t, errDuplicate
				}
				i, err = skipValue(p, i, 1)
			}
			if err != nil {
				return t, err
			}
			if bit != 0 {
				if seen&bit != 0 {
					return t, errDuplicate
				}
				seen |= bit
				if !null {
					notNull |= bit
				}
			}
			i = skipWS(p, i)
			if i < len(p) && p[i] == ',' {
				i = skipWS(p, i+1)
				continue
			}
			if i < len(p) && p[i] == '}' {
				i++
				break
			}
			return t, errSyntax
		}
	}
	if skipWS(p, i) != len(p) {
		return t, errSyntax
	}

	// PyJWT's "require": present and not None.
	switch {
	case notNull&seenExp == 0:
		return t, errMissingExp
	case notNull&seenIat == 0:
		return t, errMissingIat
	case notNull&seenSub == 0:
		return t, errMissingSub
	}
	if seen&seenType == 0 {
		c.Type = TypeAccess
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	if extra.start < 0 {
		c.Extra = json.RawMessage{'{', '}'}
		return t, nil
	}
	c.Extra = json.RawMessage(p[extra.start:extra.end])
	if purpose.start >= 0 && truthy(p, purpose) {
		if p[purpose.start] == '"' {
			_, esc, _ := scanString(p, purpose.start)
			c.Purpose = str(p, span{purpose.start, purpose.end, esc})
		} else {
			c.Purpose = p[purpose.start:purpose.end]
		}
	}
	return t, nil
}

// stringClaim reads the string value at p[i] into dst. A null is accepted,
// leaving dst empty, when nullOK; sub's null is caught later as missing.
func stringClaim(p string, i int, dst *string, bad error, nullOK bool) (int, error) {
	switch p[i] {
	case '"':
		end, esc, err := scanString(p, i)
		if err != nil {
			return 0, err
		}
		*dst = str(p, span{i, end, esc})
		return end, nil
	case 'n':
		if nullOK {
			return literal(p, i, "null")
		}
	}
	if _, err := skipValue(p, i, 1); err != nil {
		return 0, err
	}
	return 0, bad
}

// dateClaim reads the number at p[i] into dst. A null is accepted, to be
// caught later as missing.
func dateClaim(p string, i int, dst *int64, ok *bool, bad error) (int, error) {
	c := p[i]
	if c == 'n' {
		return literal(p, i, "null")
	}
	if c != '-' && (c < '0' || c > '9') {
		if _, err := skipValue(p, i, 1); err != nil {
			return 0, err
		}
		return 0, bad
	}
	end, isInt, err := scanNumber(p, i)
	if err != nil {
		return 0, err
	}
	n, fits := numericDate(p[i:end], isInt)
	if !fits {
		return 0, bad
	}
	*dst = n
	if ok != nil {
		*ok = true
	}
	return end, nil
}

// rolesClaim reads the array of strings at p[i] into c.Roles.
func rolesClaim(p string, i int, c *Claims) (int, error) {
	if p[i] != '[' {
		if _, err := skipValue(p, i, 1); err != nil {
			return 0, err
		}
		return 0, errRoles
	}
	// First pass: check and count.
	n := 0
	j := skipWS(p, i+1)
	if j < len(p) && p[j] == ']' {
		c.Roles = []string{}
		return j + 1, nil
	}
	for {
		if j >= len(p) {
			return 0, errSyntax
		}
		if p[j] != '"' {
			if _, err := skipArray(p, i, 1); err != nil {
				return 0, err
			}
			return 0, errRoles
		}
		end, _, err := scanString(p, j)
		if err != nil {
			return 0, err
		}
		n++
		j = skipWS(p, end)
		if j < len(p) && p[j] == ',' {
			j = skipWS(p, j+1)
			continue
		}
		if j < len(p) && p[j] == ']' {
			break
		}
		return 0, errSyntax
	}
	// Second pass: decode.
	roles := make([]string, n)
	j = skipWS(p, i+1)
	for k := range roles {
		end, esc, _ := scanString(p, j)
		roles[k] = str(p, span{j, end, esc})
		j = skipWS(p, end)
		j = skipWS(p, j+1) // past ',' or ']'
	}
	c.Roles = roles
	return j, nil
}
