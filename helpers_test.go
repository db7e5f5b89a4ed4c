package fullauth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

const testSecret = "test-secret-key-that-is-long-enough-0123456789"

// cheapArgon2 keeps the flow tests fast; the password package tests the
// real parameters.
var cheapArgon2 = password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// mailbox records the tokens the flows send.
type mailbox struct {
	mu     sync.Mutex
	verify []string
	reset  []string
}

func (m *mailbox) lastVerify(t *testing.T) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.verify) == 0 {
		t.Fatal("no verification email was sent")
	}
	return m.verify[len(m.verify)-1]
}

func (m *mailbox) lastReset(t *testing.T) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.reset) == 0 {
		t.Fatal("no reset email was sent")
	}
	return m.reset[len(m.reset)-1]
}

func (m *mailbox) counts() (verify, reset int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.verify), len(m.reset)
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type env struct {
	auth  *fullauth.Auth
	store *memstore.Store
	kv    fullauth.KV
	mail  *mailbox
	logs  *syncBuffer
}

// newEnv builds an Auth on a memory store with cheap hashing; mod adjusts
// the config before New.
func newEnv(t *testing.T, mod func(*fullauth.Config)) *env {
	t.Helper()
	e := &env{store: memstore.New(), kv: fullauth.NewMemoryKV(), mail: &mailbox{}, logs: &syncBuffer{}}
	cfg := fullauth.Config{
		SecretKey: []byte(testSecret),
		Argon2:    cheapArgon2,
		KV:        e.kv,
		Logger:    slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	cfg.Hooks.SendVerificationEmail = func(_ context.Context, email, tok string) error {
		e.mail.mu.Lock()
		defer e.mail.mu.Unlock()
		e.mail.verify = append(e.mail.verify, tok)
		return nil
	}
	cfg.Hooks.SendPasswordResetEmail = func(_ context.Context, email, tok string) error {
		e.mail.mu.Lock()
		defer e.mail.mu.Unlock()
		e.mail.reset = append(e.mail.reset, tok)
		return nil
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := fullauth.New(e.store, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.auth = a
	return e
}

const goodPassword = "correct-horse-battery"

func (e *env) mustRegister(t *testing.T, email string) *fullauth.User {
	t.Helper()
	u, err := e.auth.Register(t.Context(), email, goodPassword)
	if err != nil {
		t.Fatalf("Register(%q) err = %v", email, err)
	}
	return u
}

func (e *env) mustLogin(t *testing.T, email string) *fullauth.TokenPair {
	t.Helper()
	_, pair, err := e.auth.Login(t.Context(), email, goodPassword, fullauth.ClientInfo{UserAgent: "test", IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("Login(%q) err = %v", email, err)
	}
	return pair
}

// mustAuthenticate fails the test unless raw authenticates.
func (e *env) mustAuthenticate(t *testing.T, raw string) *fullauth.User {
	t.Helper()
	u, _, err := e.auth.Authenticate(t.Context(), raw)
	if err != nil {
		t.Fatalf("Authenticate err = %v, want nil", err)
	}
	return u
}

// mustReject fails the test unless raw is refused as an invalid token.
func (e *env) mustReject(t *testing.T, raw string) {
	t.Helper()
	if _, _, err := e.auth.Authenticate(t.Context(), raw); !errors.Is(err, fullauth.ErrInvalidToken) {
		t.Fatalf("Authenticate err = %v, want ErrInvalidToken", err)
	}
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("%s err = %v, want %v", what, got, want)
	}
}

// countLines counts log lines containing every one of the substrings.
func countLines(logs string, subs ...string) int {
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		all := true
		for _, s := range subs {
			all = all && strings.Contains(line, s)
		}
		if all && line != "" {
			n++
		}
	}
	return n
}

// failingKV is a KV whose every call fails, like an unreachable Redis.
type failingKV struct{}

var errKVDown = errors.New("kv down")

func (failingKV) Set(context.Context, string, []byte, time.Duration) error { return errKVDown }
func (failingKV) SetNX(context.Context, string, []byte, time.Duration) (bool, error) {
	return false, errKVDown
}
func (failingKV) Get(context.Context, ...string) ([][]byte, error)           { return nil, errKVDown }
func (failingKV) Take(context.Context, string) ([]byte, error)               { return nil, errKVDown }
func (failingKV) Has(context.Context, string) (bool, error)                  { return false, errKVDown }
func (failingKV) Incr(context.Context, string, time.Duration) (int64, error) { return 0, errKVDown }
func (failingKV) Delete(context.Context, ...string) error                    { return errKVDown }

func (failingKV) Hit(context.Context, string, int, time.Duration) (fullauth.Window, error) {
	return fullauth.Window{}, errKVDown
}
