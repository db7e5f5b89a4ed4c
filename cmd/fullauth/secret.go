package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
)

const secretUsage = `Usage: fullauth secret

Prints a new random secret key for FULLAUTH_SECRET_KEY: 64 random bytes as
86 URL-safe base64 characters.
`

func runSecret(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("secret")
	if err := parseFlags(fs, secretUsage, args, stdout, stderr); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, newSecret())
	return err
}

// newSecret returns 64 random bytes in unpadded URL-safe base64, as
// Python's secrets.token_urlsafe(64) does.
func newSecret() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}
