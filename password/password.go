package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Algorithm names a hashing algorithm. The values are those of
// fastapi-fullauth's PASSWORD_HASH_ALGORITHM setting.
type Algorithm string

// The supported algorithms.
const (
	Argon2id Algorithm = "argon2id"
	Bcrypt   Algorithm = "bcrypt"
)

// ErrTooLong is returned by [Hasher.Hash] when bcrypt is configured and the
// password is longer than 72 bytes, the most bcrypt reads. Truncating it
// silently would let the 73rd byte onwards be anything.
var ErrTooLong = errors.New("password: bcrypt passwords must be at most 72 bytes")

// maxBcryptLen is bcrypt's input limit in bytes.
const maxBcryptLen = 72

// Defaults, matching argon2-cffi's PasswordHasher() (which fastapi-fullauth
// uses) and fastapi-fullauth's bcrypt cost.
const (
	defaultArgon2Time      = 3
	defaultArgon2MemoryKiB = 64 * 1024
	defaultArgon2Threads   = 4
	defaultArgon2KeyLen    = 32
	defaultArgon2SaltLen   = 16
	defaultBcryptCost      = 12
)

// Argon2Params are the argon2id cost parameters. Each zero field takes
// argon2-cffi's default: Time 3, MemoryKiB 65536, Threads 4, KeyLen 32,
// SaltLen 16. See the package documentation for the accepted ranges.
type Argon2Params struct {
	Time      uint32 // passes over memory (PHC "t")
	MemoryKiB uint32 // memory in KiB (PHC "m")
	Threads   uint8  // parallelism, or lanes (PHC "p")
	KeyLen    uint32 // hash length in bytes
	SaltLen   uint32 // random salt length in bytes
}

func (p Argon2Params) withDefaults() Argon2Params {
	if p.Time == 0 {
		p.Time = defaultArgon2Time
	}
	if p.MemoryKiB == 0 {
		p.MemoryKiB = defaultArgon2MemoryKiB
	}
	if p.Threads == 0 {
		p.Threads = defaultArgon2Threads
	}
	if p.KeyLen == 0 {
		p.KeyLen = defaultArgon2KeyLen
	}
	if p.SaltLen == 0 {
		p.SaltLen = defaultArgon2SaltLen
	}
	return p
}

// Options configure a [Hasher]. The zero value is argon2id at argon2-cffi's
// defaults with one worker per CPU.
type Options struct {
	// Algorithm is used by Hash and NeedsRehash; Verify accepts both.
	// Empty means Argon2id.
	Algorithm Algorithm
	// Argon2 are the argon2id parameters; zero fields take their defaults.
	Argon2 Argon2Params
	// BcryptCost is the bcrypt cost, bcrypt.MinCost..bcrypt.MaxCost.
	// Zero means 12.
	BcryptCost int
	// Workers is the size of the pool, in CPUs: a bcrypt call takes one
	// slot and an argon2 call one per lane (Threads; x/crypto runs a
	// goroutine per lane), at most Workers. Zero means runtime.NumCPU(),
	// so hashing never keeps more goroutines busy than there are CPUs: more
	// would not hash faster, only queue CPU-bound goroutines ahead of the
	// requests the server is trying to answer.
	Workers int
	// Busy, when set, is told when hashing starts with none running (true)
	// and when the last running hash ends (false). Calls are serialised and
	// alternate, starting with true. It runs on the caller's goroutine
	// before the hash starts or after it ends; keep it quick.
	Busy func(busy bool)
}

// A Hasher hashes and verifies passwords. It is safe for concurrent use,
// and every call shares one pool of [Options.Workers] slots, so create one
// per process.
type Hasher struct {
	alg    Algorithm
	argon2 Argon2Params // defaults applied
	cost   int
	sem    chan struct{} // one buffered element per busy CPU slot
	turn   chan struct{} // held while a call takes its slots

	busy    func(bool) // Options.Busy
	busyMu  sync.Mutex
	running int // calls holding slots, counted only when busy is set

	// Test hooks, nil outside tests. onWait runs when a call finds the pool
	// full and is about to wait; onSlot(true) runs just after a slot is
	// taken and onSlot(false) just before it is given back.
	onWait func()
	onSlot func(held bool)
}

// New returns a Hasher for opts. It reports an unknown algorithm, a bcrypt
// cost outside bcrypt.MinCost..bcrypt.MaxCost, argon2 parameters outside
// the bounds given in the package documentation, or a negative Workers.
func New(opts Options) (*Hasher, error) {
	h := &Hasher{
		alg:    opts.Algorithm,
		argon2: opts.Argon2.withDefaults(),
		cost:   opts.BcryptCost,
	}
	switch h.alg {
	case "":
		h.alg = Argon2id
	case Argon2id, Bcrypt:
	default:
		return nil, fmt.Errorf("password: unknown algorithm %q (want %q or %q)", opts.Algorithm, Argon2id, Bcrypt)
	}
	// Both parameter sets are checked whichever algorithm is chosen: a bad
	// value is a configuration mistake either way.
	a := h.argon2
	if err := checkArgon2(a.Time, a.MemoryKiB, a.Threads, a.KeyLen, a.SaltLen); err != nil {
		return nil, err
	}
	if h.cost == 0 {
		h.cost = defaultBcryptCost
	}
	if h.cost < bcrypt.MinCost || h.cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d outside %d..%d", opts.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	workers := opts.Workers
	switch {
	case workers < 0:
		return nil, fmt.Errorf("password: negative Workers %d", workers)
	case workers == 0:
		workers = runtime.NumCPU()
	}
	h.sem = make(chan struct{}, workers)
	h.turn = make(chan struct{}, 1)
	h.busy = opts.Busy
	return h, nil
}

// Algorithm reports the algorithm Hash uses.
func (h *Hasher) Algorithm() Algorithm { return h.alg }

// Hash hashes plain with the configured algorithm and a fresh random salt.
// The result is a PHC string such as
// "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>", or a "$2b$" bcrypt hash.
// With bcrypt, a password over 72 bytes gives [ErrTooLong] (exactly 72 is
// fine). Hash waits for a free worker slot, or returns ctx.Err() if ctx ends
// first.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	if h.alg == Bcrypt && len(plain) > maxBcryptLen {
		return "", ErrTooLong
	}
	slots := 1 // bcrypt runs on one goroutine
	if h.alg == Argon2id {
		slots = h.weight(h.argon2.Threads)
	}
	if err := h.acquire(ctx, slots); err != nil {
		return "", err
	}
	defer h.release(slots)

	if h.alg == Bcrypt {
		b, err := bcrypt.GenerateFromPassword([]byte(plain), h.cost)
		if err != nil {
			return "", fmt.Errorf("password: %w", err)
		}
		// x/crypto writes "$2a$". For inputs of at most 72 bytes "$2b$"
		// is the same algorithm, and it is the only prefix
		// fastapi-fullauth reads as bcrypt.
		b[2] = 'b'
		return string(b), nil
	}

	a := h.argon2
	salt := make([]byte, a.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	return phc{
		variant: variantID,
		version: argon2.Version,
		memory:  a.MemoryKiB,
		time:    a.Time,
		threads: a.Threads,
		salt:    salt,
		key:     argon2.IDKey([]byte(plain), salt, a.Time, a.MemoryKiB, a.Threads, a.KeyLen),
	}.String(), nil
}

// Verify reports whether plain is the password encoded hashes. The
// algorithm comes from the hash, not from the configuration: "$2a$", "$2b$"
// and "$2y$" are bcrypt, anything else argon2 (argon2id or argon2i,
// version 19). A mismatch, a malformed, tampered or unsupported hash, and a
// bcrypt password over 72 bytes all give (false, nil); the only error is
// ctx.Err(), when ctx is done before or while waiting for a worker slot.
func (h *Hasher) Verify(ctx context.Context, encoded, plain string) (bool, error) {
	// A done context is reported even for a hash we would reject anyway, so
	// callers see one behaviour.
	if err := ctx.Err(); err != nil {
		return false, err
	}

	// Everything that can be rejected without hashing is rejected before a
	// slot is taken, so garbage never queues behind real work.
	if isBcrypt(encoded) {
		if cost, ok := bcryptCost(encoded); !ok || len(plain) > maxBcryptLen || cost > h.cost+maxStoredCostLog2 {
			return false, nil
		}
		if err := h.acquire(ctx, 1); err != nil {
			return false, err
		}
		defer h.release(1)
		// CompareHashAndPassword compares in constant time.
		return bcrypt.CompareHashAndPassword([]byte(encoded), []byte(plain)) == nil, nil
	}

	p, err := parsePHC(encoded)
	if err != nil || p.version != argon2.Version {
		return false, nil
	}
	var derive func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	switch p.variant {
	case variantID:
		derive = argon2.IDKey
	case variantI:
		derive = argon2.Key
	default: // argon2d: not implemented by x/crypto
		return false, nil
	}
	if uint64(p.memory)*uint64(p.time) > maxStoredCost*uint64(h.argon2.MemoryKiB)*uint64(h.argon2.Time) {
		return false, nil
	}
	slots := h.argon2Weight(p)
	if err := h.acquire(ctx, slots); err != nil {
		return false, err
	}
	defer h.release(slots)
	got := derive([]byte(plain), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(got, p.key) == 1, nil
}

// NeedsRehash reports whether encoded should be replaced by a fresh Hash of
// the same password: when it was made by the other algorithm, with argon2
// parameters (variant, version, m, t, p, hash or salt length) or a bcrypt
// cost other than the configured ones, when it is a bcrypt hash not
// written as "$2b$", or when it is malformed. It does no hashing and never
// waits for a worker slot.
func (h *Hasher) NeedsRehash(encoded string) bool {
	if isBcrypt(encoded) {
		cost, ok := bcryptCost(encoded)
		// $2a$ and $2y$ verify here but not in fastapi-fullauth, which
		// may share the table, so they are rewritten as $2b$.
		return h.alg != Bcrypt || !ok || cost != h.cost || encoded[2] != 'b'
	}
	if h.alg != Argon2id {
		return true
	}
	p, err := parsePHC(encoded)
	a := h.argon2
	return err != nil ||
		p.variant != variantID ||
		p.version != argon2.Version ||
		p.memory != a.MemoryKiB ||
		p.time != a.Time ||
		p.threads != a.Threads ||
		uint32(len(p.key)) != a.KeyLen ||
		uint32(len(p.salt)) != a.SaltLen
}

// acquire takes n worker slots (one per CPU the call will keep busy),
// waiting while the pool is short, and gives up with ctx.Err() when ctx ends
// first. A context that is already done never gets a slot, even a free
// one, so cancelled requests do no hashing. Callers take their slots one
// at a time under the turn lock, so two calls can never each hold part of
// what they need and wait on each other.
func (h *Hasher) acquire(ctx context.Context, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := h.take(ctx, n); err != nil {
		return err
	}
	// When the slots and the end of ctx came together, take may have
	// picked the slots: a cancelled request still must not hash.
	if err := ctx.Err(); err != nil {
		for range n {
			<-h.sem
		}
		return err
	}
	h.count(1)
	if h.onSlot != nil {
		h.onSlot(true)
	}
	return nil
}

// take does acquire's waiting. The test hook onWait runs at most once per
// call, when it first finds the pool short.
func (h *Hasher) take(ctx context.Context, n int) error {
	waited := false
	wait := func() {
		if !waited && h.onWait != nil {
			h.onWait()
		}
		waited = true
	}
	select {
	case h.turn <- struct{}{}:
	default:
		wait() // another call is taking its slots: the pool is short
		select {
		case h.turn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-h.turn }()
	for held := 0; held < n; held++ {
		select {
		case h.sem <- struct{}{}:
			continue
		default:
		}
		wait()
		select {
		case h.sem <- struct{}{}:
		case <-ctx.Done():
			for ; held > 0; held-- {
				<-h.sem
			}
			return ctx.Err()
		}
	}
	return nil
}

// release gives back the n slots taken by a successful acquire.
func (h *Hasher) release(n int) {
	if h.onSlot != nil {
		h.onSlot(false)
	}
	h.count(-1)
	for range n {
		<-h.sem
	}
}

// count tracks the calls holding slots and tells Options.Busy when the
// pool turns busy or idle.
func (h *Hasher) count(delta int) {
	if h.busy == nil {
		return
	}
	h.busyMu.Lock()
	defer h.busyMu.Unlock()
	h.running += delta
	switch {
	case delta > 0 && h.running == 1:
		h.busy(true)
	case delta < 0 && h.running == 0:
		h.busy(false)
	}
}

// weight is how many slots an argon2 call with this many lanes takes: one
// per lane, as x/crypto runs a goroutine per lane, but never more than the
// pool has.
func (h *Hasher) weight(lanes uint8) int { return min(int(lanes), cap(h.sem)) }

// argon2Weight is weight for verifying an argon2 hash with parameters p:
// its lanes, or more when it needs more memory per lane than a hash of the
// configured parameters does, so that the pool bounds memory as well as
// CPU (a stored hash can ask for up to maxStoredCost times the configured
// memory, with one lane).
func (h *Hasher) argon2Weight(p phc) int {
	perLane := max(uint64(h.argon2.MemoryKiB)/uint64(h.argon2.Threads), 1)
	byMemory := (uint64(p.memory) + perLane - 1) / perLane
	return min(max(int(p.threads), int(min(byMemory, uint64(cap(h.sem))))), cap(h.sem))
}

// A stored hash may cost at most maxStoredCost times what a hash of the
// configured parameters costs to verify (argon2: memory × passes; bcrypt:
// maxStoredCostLog2 more cost steps). Beyond that, Verify reports no match
// without hashing: a tampered row, or one from a far costlier setup, must
// not hold the pool for minutes or hours (bcrypt's cost 31 takes a day).
const (
	maxStoredCostLog2 = 4
	maxStoredCost     = 1 << maxStoredCostLog2
)

// isBcrypt reports whether encoded carries one of the bcrypt prefixes that
// Verify dispatches on.
func isBcrypt(encoded string) bool {
	if len(encoded) < 4 || encoded[0] != '$' || encoded[1] != '2' || encoded[3] != '$' {
		return false
	}
	switch encoded[2] {
	case 'a', 'b', 'y':
		return true
	}
	return false
}

// bcryptLen is the length of every bcrypt hash:
// "$2b$" + 2-digit cost + "$" + 22 salt + 31 hash characters.
const bcryptLen = 60

// bcryptCost checks that encoded is exactly a well-formed bcrypt hash and
// returns its cost. x/crypto's own parser is lax (it ignores anything after
// the 60th byte, for one), so a tampered value is refused here first.
func bcryptCost(encoded string) (int, bool) {
	if len(encoded) != bcryptLen || !isBcrypt(encoded) || encoded[6] != '$' {
		return 0, false
	}
	c := encoded[4:6]
	if c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9' {
		return 0, false
	}
	cost, _ := strconv.Atoi(c)
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return 0, false
	}
	for i := 7; i < len(encoded); i++ {
		if !isBcryptBase64Char(encoded[i]) {
			return 0, false
		}
	}
	return cost, true
}

// isBcryptBase64Char reports whether c is in bcrypt's base64 alphabet,
// "./A-Za-z0-9".
func isBcryptBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '/'
}
