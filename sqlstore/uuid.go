package sqlstore

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

// uuid is a UUID in its 16 bytes.
type uuid [16]byte

// parseUUID accepts the canonical 36-character form and the 32 hex digits
// SQLAlchemy stores outside PostgreSQL, in either case. Nothing else: no
// braces, no urn: prefix, no surrounding space.
func parseUUID(s string) (uuid, bool) {
	var u uuid
	switch len(s) {
	case 32:
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	default:
		return u, false
	}
	if _, err := hex.Decode(u[:], []byte(s)); err != nil {
		return u, false
	}
	return u, true
}

// String is the canonical lowercase hyphenated form.
func (u uuid) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// hex is the 32 lowercase hex digits SQLAlchemy's Uuid type stores in a
// CHAR(32) column.
func (u uuid) hex() string { return hex.EncodeToString(u[:]) }

// idGen makes UUIDv7s (RFC 9562) that increase within one process: the
// 12-bit rand_a field counts up inside a millisecond, so rows created in a
// burst keep their order when sorted by id.
type idGen struct {
	mu     sync.Mutex
	lastMS int64
	seq    uint16 // 12 bits
}

func (g *idGen) next() uuid {
	var u uuid
	rand.Read(u[:])
	ms := time.Now().UnixMilli()

	g.mu.Lock()
	if ms <= g.lastMS {
		ms = g.lastMS
		g.seq++
		if g.seq > 0xfff {
			ms++
			g.seq = 0
		}
	} else {
		// Start low in the range so many ids fit before it overflows.
		g.seq = binary.BigEndian.Uint16(u[6:8]) & 0x1ff
	}
	g.lastMS = ms
	seq := g.seq
	g.mu.Unlock()

	u[0] = byte(ms >> 40)
	u[1] = byte(ms >> 32)
	u[2] = byte(ms >> 24)
	u[3] = byte(ms >> 16)
	u[4] = byte(ms >> 8)
	u[5] = byte(ms)
	u[6] = 0x70 | byte(seq>>8)
	u[7] = byte(seq)
	u[8] = 0x80 | u[8]&0x3f
	return u
}
