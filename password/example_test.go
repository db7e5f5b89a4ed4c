package password_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/fullauth/fullauth/password"
)

func Example() {
	ctx := context.Background()
	// The zero Options: argon2id at argon2-cffi's defaults, one worker per
	// CPU. Create one Hasher per process and share it.
	h, err := password.New(password.Options{})
	if err != nil {
		log.Fatal(err)
	}

	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	// "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>": the salt and hash
	// differ on every call, the parameters do not.
	fields := strings.Split(encoded, "$")
	fmt.Println(strings.Join(fields[:4], "$"))

	ok, err := h.Verify(ctx, encoded, "correct horse battery staple")
	fmt.Println(ok, err)
	ok, err = h.Verify(ctx, encoded, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	// Output:
	// $argon2id$v=19$m=65536,t=3,p=4
	// true <nil>
	// false <nil>
}

// A service that used to hash with bcrypt moves to argon2id: old hashes
// still verify, and each is replaced at its user's next login.
func ExampleHasher_NeedsRehash() {
	ctx := context.Background()
	// Cost 4 keeps the example fast; the default is 12.
	old, _ := password.New(password.Options{Algorithm: password.Bcrypt, BcryptCost: 4})
	stored, _ := old.Hash(ctx, "hunter2")

	h, _ := password.New(password.Options{Algorithm: password.Argon2id})
	// At login:
	if ok, err := h.Verify(ctx, stored, "hunter2"); err != nil || !ok {
		log.Fatal("invalid credentials")
	}
	if h.NeedsRehash(stored) {
		fresh, err := h.Hash(ctx, "hunter2")
		if err != nil {
			log.Fatal(err)
		}
		stored = fresh // and save it
	}
	fmt.Println(stored[:10], h.NeedsRehash(stored))
	// Output:
	// $argon2id$ false
}
