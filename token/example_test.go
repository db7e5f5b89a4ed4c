package token_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/fullauth/fullauth/token"
)

func Example() {
	key := []byte("use at least 32 random bytes here")
	signer, err := token.NewSigner(token.HS256, key)
	if err != nil {
		panic(err)
	}
	verifier, err := token.NewVerifier(token.HS256, key, 30*time.Second)
	if err != nil {
		panic(err)
	}

	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	raw, err := signer.Sign(&token.Claims{
		Subject:   "0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47",
		ExpiresAt: now.Add(30 * time.Minute).Unix(),
		IssuedAt:  now.Unix(),
		ID:        "6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59",
		Type:      token.TypeAccess,
		Roles:     []string{"admin"},
		Extra:     []byte(`{"tenant": "acme"}`),
		FamilyID:  "a1b2c3d4e5f60718293a4b5c6d7e8f90",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(raw)

	// A resource server checks the token on each request.
	c, err := verifier.Verify(raw, now.Add(time.Minute))
	if err != nil {
		panic(err)
	}
	fmt.Println("sub:", c.Subject)
	fmt.Println("type:", c.Type, "roles:", c.Roles, "extra:", string(c.Extra))
	fmt.Println("issued:", time.Unix(c.IssuedAt, 0).UTC(), "expires:", time.Unix(c.ExpiresAt, 0).UTC())
	fmt.Printf("purpose: %q\n", c.Purpose)

	// Past exp + leeway it is expired; a tampered token is invalid.
	_, err = verifier.Verify(raw, now.Add(31*time.Minute))
	fmt.Println(err, errors.Is(err, token.ErrExpired))
	_, err = verifier.Verify(raw[:len(raw)-2]+"AA", now)
	fmt.Println(err, errors.Is(err, token.ErrInvalid))

	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjNmNmMxZS02YTRkLTRkMmUtOWE1MS0zYzFmMmI5ZThkNDciLCJleHAiOjE3MzU3ODg4NDUsImlhdCI6MTczNTc4NzA0NSwianRpIjoiNmYxYzJhOWI4ZTdkNGMzYjJhMWYwZTlkOGM3YjZhNTkiLCJ0eXBlIjoiYWNjZXNzIiwicm9sZXMiOlsiYWRtaW4iXSwiZXh0cmEiOnsidGVuYW50IjoiYWNtZSJ9LCJmYW1pbHlfaWQiOiJhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCJ9.F0nLK4EBhwl63sk5bNkcZk805sDnb41azH4ddk6xzDw
	// sub: 0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47
	// type: access roles: [admin] extra: {"tenant":"acme"}
	// issued: 2025-01-02 03:04:05 +0000 UTC expires: 2025-01-02 03:34:05 +0000 UTC
	// purpose: ""
	// token: expired true
	// token: invalid: signature mismatch true
}
