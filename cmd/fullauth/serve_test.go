package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth/memstore"
)

// serveInProcess runs `serve --addr 127.0.0.1:0` through run with env, and
// returns the base URL, the log and a stop function that cancels the
// context and returns run's error.
func serveInProcess(t *testing.T, env map[string]string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	pr, pw := io.Pipe()
	found := make(chan string, 1)
	go servingAddr(pr, logs, found)
	done := make(chan error, 1)
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	go func() {
		err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, lookup, io.Discard, pw)
		pw.Close()
		done <- err
	}()
	stopped := false
	var runErr error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop within 20s of its context ending")
			}
		}
		return runErr
	}
	t.Cleanup(func() { stop() })
	select {
	case addr := <-found:
		return "http://" + addr, logs, stop
	case err := <-done:
		stopped = true
		t.Fatalf("serve ended before serving: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not report its address within 30s:\n%s", logs.String())
	}
	return "", nil, nil
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestServeZeroConfig: with nothing configured, serve starts on a SQLite
// file in the working directory with a generated secret, and says so.
func TestServeZeroConfig(t *testing.T) {
	dir := inTempDir(t)
	base, logs, stop := serveInProcess(t, nil)

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("/healthz = %d %v, want 200 ok", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Errorf("/readyz = %d %v, want 200 ready", code, body)
	}
	if fi, err := os.Stat(filepath.Join(dir, "fullauth.db")); err != nil {
		t.Errorf("fullauth.db in the working directory: %v", err)
	} else if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("fullauth.db has mode %v, want -rw------- (it holds password hashes)", perm)
	}
	if err := stop(); err != nil {
		t.Errorf("serve returned %v after its context ended, want nil", err)
	}
	out := logs.String()
	for _, want := range []string{
		`"level":"WARN","msg":"FULLAUTH_SECRET_KEY is not set. A random key has been generated. Tokens will be invalidated on restart. Set FULLAUTH_SECRET_KEY for production."`,
		`"msg":"fullauth ready: blacklist=memory lockout=memory ratelimit=memory | passkeys=off | oauth=none"`,
		`(db=sqlite, migrations=`,
		`"msg":"Neither FULLAUTH_SMTP_URL nor FULLAUTH_WEBHOOK_URL is set`,
		`"msg":"stopped"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestServeMemoryDatabase: sqlite::memory: is one database for the whole
// process, migrated once, seen by every request.
func TestServeMemoryDatabase(t *testing.T) {
	inTempDir(t)
	base, logs, stop := serveInProcess(t, map[string]string{
		"FULLAUTH_SECRET_KEY":   testSecret,
		"FULLAUTH_DATABASE_URL": "sqlite::memory:",
		"FULLAUTH_LOG_LEVEL":    "debug",
	})
	for range 5 {
		if code, body := get(t, base+"/readyz"); code != http.StatusOK {
			t.Fatalf("/readyz = %d %v", code, body)
		}
	}
	// An unknown token is looked up in the database; a missing table would
	// answer 500 instead of 401.
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/refresh", strings.NewReader(`{"refresh_token":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("refresh with a bad token = %d, want 401", resp.StatusCode)
	}
	if _, err := os.Stat(":memory:"); err == nil {
		t.Error("sqlite::memory: created a file")
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v\n%s", err, logs.String())
	}
}

func TestLogSettings(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		format, level string
		want          []string // substrings of the output
		absent        string
	}{
		{"", "", []string{`{"time":`, `"level":"INFO","msg":"info"`, `"level":"WARN","msg":"warn"`}, `"msg":"debug"`},
		{"text", "warn", []string{"level=WARN msg=warn"}, "msg=info"},
		{"json", "debug", []string{`"level":"DEBUG","msg":"debug"`}, ""},
	}
	for _, tc := range tests {
		env := map[string]string{}
		if tc.format != "" {
			env["FULLAUTH_LOG_FORMAT"] = tc.format
		}
		if tc.level != "" {
			env["FULLAUTH_LOG_LEVEL"] = tc.level
		}
		s, err := loadSettings(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil || len(s.problems()) > 0 {
			t.Fatalf("loadSettings(%v): %v %v", env, err, s.problems())
		}
		var buf syncBuffer
		log := newLogger(s, &buf)
		log.Debug("debug")
		log.Info("info")
		log.Warn("warn")
		out := buf.String()
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("format %q level %q: output lacks %s:\n%s", tc.format, tc.level, w, out)
			}
		}
		if tc.absent != "" && strings.Contains(out, tc.absent) {
			t.Errorf("format %q level %q: output has %s:\n%s", tc.format, tc.level, tc.absent, out)
		}
	}
	s, _ := loadSettings(func(k string) (string, bool) {
		v, ok := map[string]string{"FULLAUTH_LOG_FORMAT": "xml", "FULLAUTH_LOG_LEVEL": "loud"}[k]
		return v, ok
	})
	if p := s.serverProblems; len(p) != 2 {
		t.Errorf("bad log settings: problems %q, want two", p)
	}
}

// downDB is a database that does not answer.
type downDB struct{}

func (downDB) PingContext(context.Context) error {
	return errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
}

// memoryServer builds the server's handler stack as serve does, on the
// memory store with only a secret set and a database that never answers,
// in an empty working directory (no stray .env).
func memoryServer(tb testing.TB) (*components, http.Handler) {
	tb.Helper()
	tb.Chdir(tb.TempDir())
	s, err := loadSettings(func(k string) (string, bool) {
		return testSecret, k == "FULLAUTH_SECRET_KEY"
	})
	if err != nil {
		tb.Fatal(err)
	}
	discard := slog.New(slog.DiscardHandler)
	c, err := build(s, memstore.New(), discard)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.notifier.Close(context.Background()) })
	h, err := routes(c, s.browser, downDB{}, discard)
	if err != nil {
		tb.Fatal(err)
	}
	return c, h
}

func TestReadyzNamesWhatIsDown(t *testing.T) {
	_, h := memoryServer(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	want := `{"checks":{"database":"dial tcp 127.0.0.1:5432: connect: connection refused"},"detail":"database unavailable"}` + "\n"
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != want {
		t.Errorf("/readyz = %d %s, want 503 %s", rec.Code, rec.Body, want)
	}
	// The API is mounted under API_PREFIX + AUTH_ROUTER_PREFIX.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/auth/me", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/auth/me without a token = %d, want 401", rec.Code)
	}
}
