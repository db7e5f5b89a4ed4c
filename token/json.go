package token

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a small strict JSON scanner (RFC 8259) over a string. It
// validates everything it passes over and decodes only what Verify needs,
// without reflection and mostly without allocating. Beyond the RFC it
// refuses duplicate keys in any object, \u escapes that leave a surrogate
// unpaired, invalid UTF-8 and nesting deeper than maxDepth.

// maxDepth bounds the nesting of arrays and objects.
const maxDepth = 64

// span is a scanned JSON value or key: s[start:end]. esc is set for strings
// that contain an escape.
type span struct {
	start, end int
	esc        bool
}

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// hex4 decodes the four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// plain marks the bytes that stand for themselves inside a JSON string: the
// ASCII from space up, but for the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHighSurrogate(r rune) bool { return 0xD800 <= r && r < 0xDC00 }
func isLowSurrogate(r rune) bool  { return 0xDC00 <= r && r < 0xE000 }

// scanString checks the string starting with the quote at s[i] and returns
// the index after its closing quote and whether it contains escapes.
func scanString(s string, i int) (int, bool, error) {
	i++
	esc := false
	for i < len(s) {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(s) {
				return 0, false, errString
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(s, i+2)
				if !ok {
					return 0, false, errString
				}
				i += 6
				if isLowSurrogate(r) {
					return 0, false, errSurrogate
				}
				if isHighSurrogate(r) {
					if i+1 >= len(s) || s[i] != '\\' || s[i+1] != 'u' {
						return 0, false, errSurrogate
					}
					r2, ok := hex4(s, i+2)
					if !ok {
						return 0, false, errString
					}
					if !isLowSurrogate(r2) {
						return 0, false, errSurrogate
					}
					i += 6
				}
			default:
				return 0, false, errString
			}
		case c < 0x20:
			return 0, false, errString
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, false, errUTF8
			}
			i += size
		}
	}
	return 0, false, errString
}

// nextRune decodes one character of a scanned string body at body[i].
func nextRune(body string, i int) (rune, int) {
	if body[i] != '\\' {
		if body[i] < utf8.RuneSelf {
			return rune(body[i]), i + 1
		}
		r, size := utf8.DecodeRuneInString(body[i:])
		return r, i + size
	}
	switch body[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r, _ := hex4(body, i+2)
		if isHighSurrogate(r) {
			r2, _ := hex4(body, i+8)
			return (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000, i + 12
		}
		return r, i + 6
	default: // '"', '\\', '/'
		return rune(body[i+1]), i + 2
	}
}

// str returns the value of the scanned string sp: a substring of s when it
// has no escapes, otherwise a decoded copy.
func str(s string, sp span) string {
	body := s[sp.start+1 : sp.end-1]
	if !sp.esc {
		return body
	}
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		var r rune
		r, i = nextRune(body, i)
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// strEqual reports whether the scanned string sp decodes to lit.
func strEqual(s string, sp span, lit string) bool {
	body := s[sp.start+1 : sp.end-1]
	if !sp.esc {
		return body == lit
	}
	j := 0
	for i := 0; i < len(body); {
		var r rune
		r, i = nextRune(body, i)
		if j >= len(lit) {
			return false
		}
		l, size := utf8.DecodeRuneInString(lit[j:])
		if l != r {
			return false
		}
		j += size
	}
	return j == len(lit)
}

// sameKey reports whether the scanned strings a and b decode equally.
func sameKey(s string, a, b span) bool {
	if !a.esc && !b.esc {
		return s[a.start:a.end] == s[b.start:b.end]
	}
	ab, bb := s[a.start+1:a.end-1], s[b.start+1:b.end-1]
	i, j := 0, 0
	for i < len(ab) && j < len(bb) {
		var ra, rb rune
		ra, i = nextRune(ab, i)
		rb, j = nextRune(bb, j)
		if ra != rb {
			return false
		}
	}
	return i == len(ab) && j == len(bb)
}

// keyName decodes the scanned key sp into buf and returns the filled part;
// ok is false when it does not fit, which no key Verify looks for does.
func keyName(s string, sp span, buf []byte) ([]byte, bool) {
	body := s[sp.start+1 : sp.end-1]
	n := 0
	for i := 0; i < len(body); {
		var r rune
		r, i = nextRune(body, i)
		if n+utf8.RuneLen(r) > len(buf) {
			return nil, false
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	return buf[:n], true
}

// scanNumber checks the number starting at s[i] and returns the index after
// it and whether it is written as an integer (no fraction, no exponent).
func scanNumber(s string, i int) (int, bool, error) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return 0, false, errSyntax
	case s[i] == '0':
		i++
	case '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return 0, false, errSyntax
	}
	isInt := true
	if i < len(s) && s[i] == '.' {
		isInt = false
		j := digits(s, i+1)
		if j == i+1 {
			return 0, false, errSyntax
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		isInt = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return 0, false, errSyntax
		}
		i = j
	}
	return i, isInt, nil
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// literal checks that s[i:] starts with lit.
func literal(s string, i int, lit string) (int, error) {
	if len(s)-i < len(lit) || s[i:i+len(lit)] != lit {
		return 0, errSyntax
	}
	return i + len(lit), nil
}

// skipValue checks the value starting at s[i] (no leading white space) and
// returns the index after it. depth is the nesting level of the value.
func skipValue(s string, i, depth int) (int, error) {
	if i >= len(s) {
		return 0, errSyntax
	}
	switch c := s[i]; {
	case c == '{':
		return skipObject(s, i, depth, nil)
	case c == '[':
		return skipArray(s, i, depth)
	case c == '"':
		end, _, err := scanString(s, i)
		return end, err
	case c == '-' || ('0' <= c && c <= '9'):
		end, _, err := scanNumber(s, i)
		return end, err
	case c == 't':
		return literal(s, i, "true")
	case c == 'f':
		return literal(s, i, "false")
	case c == 'n':
		return literal(s, i, "null")
	}
	return 0, errSyntax
}

// keySet detects duplicate keys in one object. The first few keys are
// compared one by one; past that a map keeps the check linear, so that an
// object of many keys (in a header, before the signature is checked) cannot
// cost quadratic time.
type keySet struct {
	few  [8]span
	n    int
	many map[string]struct{}
}

// add records the scanned key k of s and reports whether it was already
// there.
func (ks *keySet) add(s string, k span) (dup bool) {
	if ks.many == nil {
		for _, p := range ks.few[:ks.n] {
			if sameKey(s, p, k) {
				return true
			}
		}
		if ks.n < len(ks.few) {
			ks.few[ks.n] = k
			ks.n++
			return false
		}
		ks.many = make(map[string]struct{}, 2*len(ks.few))
		for _, p := range ks.few {
			ks.many[strings.Clone(str(s, p))] = struct{}{}
		}
	}
	key := str(s, k)
	if _, ok := ks.many[key]; ok {
		return true
	}
	// A copy, so that s does not escape through the map: Sign scans
	// Extra through a string conversion that can then stay on the stack.
	ks.many[strings.Clone(key)] = struct{}{}
	return false
}

// skipObject checks the object starting with the brace at s[i]. When
// purpose is not nil it receives the span of the value of the object's
// "purpose" key, if any.
func skipObject(s string, i, depth int, purpose *span) (int, error) {
	if depth > maxDepth {
		return 0, errDepth
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, nil
	}
	var keys keySet
	for {
		if i >= len(s) || s[i] != '"' {
			return 0, errSyntax
		}
		end, esc, err := scanString(s, i)
		if err != nil {
			return 0, err
		}
		k := span{i, end, esc}
		if keys.add(s, k) {
			return 0, errDuplicate
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return 0, errSyntax
		}
		i = skipWS(s, i+1)
		start := i
		if i, err = skipValue(s, i, depth+1); err != nil {
			return 0, err
		}
		if purpose != nil && strEqual(s, k, "purpose") {
			*purpose = span{start: start, end: i}
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipWS(s, i+1)
			continue
		}
		if i < len(s) && s[i] == '}' {
			return i + 1, nil
		}
		return 0, errSyntax
	}
}

// skipArray checks the array starting with the bracket at s[i].
func skipArray(s string, i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errDepth
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = skipValue(s, i, depth+1); err != nil {
			return 0, err
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipWS(s, i+1)
			continue
		}
		if i < len(s) && s[i] == ']' {
			return i + 1, nil
		}
		return 0, errSyntax
	}
}

// truthy reports whether the scanned value s[sp.start:sp.end] is true in
// Python's sense: not null, false, zero, "", [] or {}.
func truthy(s string, sp span) bool {
	switch c := s[sp.start]; c {
	case 'n', 'f':
		return false
	case 't':
		return true
	case '"':
		return sp.end-sp.start > 2
	case '[', '{':
		return s[skipWS(s, sp.start+1)] != c+2 // ']' and '}' follow '[' and '{' by 2
	}
	// A number. Python reads one with a fraction or exponent as a float, so
	// 1e-400 is 0.0 and false, while 1e400 is inf and true.
	f, _ := strconv.ParseFloat(s[sp.start:sp.end], 64)
	return f != 0
}

// numericDate converts the scanned number num to whole seconds as Python's
// int(json.loads(num)) does: integers exactly, other numbers through a
// float64 truncated toward zero. ok is false outside the int64 range.
func numericDate(num string, isInt bool) (int64, bool) {
	if isInt {
		v, err := strconv.ParseInt(num, 10, 64)
		return v, err == nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || !(f >= -0x1p63 && f < 0x1p63) { // also refuses NaN
		return 0, false
	}
	return int64(f), true
}
