package token

// Tokens use unpadded base64url (RFC 7515). Verify decodes strictly, unlike
// encoding/base64, which skips '\r' and '\n': a segment is refused if it has
// any character outside the alphabet, padding, a length of 4n+1, or unused
// low bits that are not zero. So every token has exactly one spelling, which
// matters because refresh tokens are looked up by the hash of their text.

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// decodeMap maps a character to its 6-bit value, or 0xFF.
var decodeMap = func() (m [256]byte) {
	for i := range m {
		m[i] = 0xFF
	}
	for i := 0; i < len(alphabet); i++ {
		m[alphabet[i]] = byte(i)
	}
	return m
}()

// encodedLen is the length of n bytes in unpadded base64.
func encodedLen(n int) int { return (n*8 + 5) / 6 }

// decodeBase64 decodes s into dst and returns the number of bytes written.
// ok is false when s is not canonical unpadded base64url or dst is short.
func decodeBase64(dst []byte, s string) (n int, ok bool) {
	rem := len(s) % 4
	if rem == 1 || len(dst) < len(s)/4*3+max(rem-1, 0) {
		return 0, false
	}
	full := len(s) - rem
	for i := 0; i < full; i += 4 {
		a, b, c, d := decodeMap[s[i]], decodeMap[s[i+1]], decodeMap[s[i+2]], decodeMap[s[i+3]]
		if (a|b|c|d)&0xC0 != 0 {
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		dst[n], dst[n+1], dst[n+2] = byte(v>>16), byte(v>>8), byte(v)
		n += 3
	}
	switch rem {
	case 2:
		a, b := decodeMap[s[full]], decodeMap[s[full+1]]
		if (a|b)&0xC0 != 0 || b&0x0F != 0 {
			return 0, false
		}
		dst[n] = a<<2 | b>>4
		n++
	case 3:
		a, b, c := decodeMap[s[full]], decodeMap[s[full+1]], decodeMap[s[full+2]]
		if (a|b|c)&0xC0 != 0 || c&0x03 != 0 {
			return 0, false
		}
		v := uint32(a)<<12 | uint32(b)<<6 | uint32(c)
		dst[n], dst[n+1] = byte(v>>10), byte(v>>2)
		n += 2
	}
	return n, true
}
