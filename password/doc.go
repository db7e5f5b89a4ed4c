// Package password hashes and verifies passwords with argon2id (the default)
// or bcrypt, in formats that fastapi-fullauth, argon2-cffi and Python's
// bcrypt read and write, so a Go and a Python service can share one users
// table.
//
// # Formats
//
// Argon2 hashes are PHC strings, exactly as argon2-cffi writes them:
//
//	$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>
//
// m is the memory in KiB, t the number of passes and p the parallelism
// (lanes). Salt and hash are standard base64 without padding
// ([encoding/base64.RawStdEncoding]): a 16-byte salt is 22 characters and a
// 32-byte hash 43.
//
// Bcrypt hashes are the usual 60-character modular-crypt strings. They are
// always written with the "$2b$" prefix: golang.org/x/crypto/bcrypt writes
// "$2a$", which is the same algorithm for passwords of at most 72 bytes, but
// fastapi-fullauth only recognises "$2b$" as bcrypt and would try to read a
// "$2a$" hash as argon2.
//
// # Defaults
//
// With the zero [Options], a Hasher uses argon2id at argon2-cffi's defaults
// (the RFC 9106 low-memory profile): t=3, m=65536 KiB (64 MiB), p=4, a
// 32-byte hash and a 16-byte random salt. Each zero field of [Argon2Params] takes its
// default on its own. Bcrypt uses cost 12. Passwords longer than 72 bytes
// cannot be hashed with bcrypt ([ErrTooLong]); argon2id has no limit, so
// callers should cap the length themselves (FullAuth refuses more than 1024
// bytes before hashing).
//
// # Verification
//
// [Hasher.Verify] picks the algorithm from the stored hash, not from the
// configuration: "$2a$", "$2b$" and "$2y$" are bcrypt, anything else is
// parsed as an argon2 PHC string. So a service switched from bcrypt to
// argon2id (or back) still logs in every existing user. Argon2id and
// argon2i hashes of version 19 are verified; argon2d and version 16 hashes
// parse but never verify, because golang.org/x/crypto implements neither.
// A wrong password, a malformed or tampered hash, or a bcrypt password over
// 72 bytes all give (false, nil); only a cancelled context is an error.
// Hashes are compared in constant time.
//
// Parameters read from a stored hash are bounded before anything is
// computed, so a tampered row such as m=4294967295 (4 TiB) is rejected as
// malformed instead of being allocated. The bounds, which [New] also
// applies to the configured parameters, are:
//
//	t (passes)        1 .. 64
//	m (memory, KiB)   8*p .. 1048576 (1 GiB)
//	p (parallelism)   1 .. 255
//	salt              8 .. 64 bytes
//	hash              4 .. 128 bytes
//	bcrypt cost       bcrypt.MinCost .. bcrypt.MaxCost (4 .. 31)
//
// Within those bounds, a stored hash that would cost more than 16 times
// the configured hash to verify (argon2: memory × passes; bcrypt: more
// than 4 cost steps above the configured cost) is reported as no match
// without hashing, so that a tampered row cannot hold the pool for minutes
// (argon2 at m=1 GiB, t=64) or a day (bcrypt cost 31). A deployment that
// lowers its parameters by more than that factor leaves its users with
// older hashes unable to sign in until they reset their passwords.
//
// The parser is strict: the fields must appear in the order m, t, p; the
// optional keyid and data fields, padding, line breaks, leading zeros and
// trailing garbage are all refused. Any string it accepts re-encodes to
// exactly itself.
//
// # The worker pool
//
// Argon2id at the default parameters allocates 64 MiB and keeps a core busy
// for 0.1 to 0.3 s per call, so fifty logins at once would need over 3 GiB. Every [Hasher.Hash] and [Hasher.Verify] therefore runs inside a
// pool of [Options.Workers] slots, one per CPU by default. A bcrypt call
// takes one slot and an argon2 call one per lane (an argon2id hash with p=4
// runs four goroutines), so hashing never keeps more goroutines busy than
// there are CPUs. A stored argon2 hash that needs more memory per lane than
// the configured one takes more slots in proportion (up to the whole
// pool), so the pool bounds memory as well. A call
// that finds the pool full waits for a slot, and gives up with the
// context's error if the context ends first. Create one [Hasher] per
// process and share it: the pool is per Hasher.
//
// # Rehashing
//
// After a successful login, call [Hasher.NeedsRehash] and, when it reports
// true, store a fresh [Hasher.Hash] of the password the user just typed. It
// reports true when the hash was made by the other algorithm (in either
// direction, unlike fastapi-fullauth, which never migrates argon2 to
// bcrypt), when any argon2 parameter differs from the configured one
// (variant, version, m, t, p, hash length or salt length, as argon2-cffi's
// check_needs_rehash compares them), when the bcrypt cost differs, when a
// bcrypt hash is not in the "$2b$" form the Python service reads, and when
// the hash is malformed.
package password
