package authhttp_test

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
)

// TestMain keeps the library's logs (which go to slog.Default when a test
// sets no Logger) out of the test output unless -v is given.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}

// mustAuth returns an Auth with the defaults on an empty memory store, for
// tests that need a Handler but no users.
func mustAuth(t *testing.T) *fullauth.Auth {
	t.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("authhttp-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
