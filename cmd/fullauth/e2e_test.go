package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the fullauth program built by TestMain for the end-to-end
// tests, which run it as a user would.
var binary string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "fullauth-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "fullauth")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building fullauth: %v\n", err)
		return 1
	}
	return m.Run()
}

// syncBuffer is a bytes.Buffer safe for one writer and many readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// servingAddr watches log lines for the "serving on" line and sends its
// addr attribute on found (once). Every line is copied to logs.
func servingAddr(r io.Reader, logs io.Writer, found chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Bytes()
		logs.Write(append(line, '\n'))
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if !sent && json.Unmarshal(line, &rec) == nil && strings.HasPrefix(rec.Msg, "fullauth serving on ") && rec.Addr != "" {
			found <- rec.Addr
			sent = true
		}
	}
	io.Copy(io.Discard, r)
}

// process is a running `fullauth serve`.
type process struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	logs   *syncBuffer
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// startServe runs `fullauth serve --addr 127.0.0.1:0` in dir with exactly
// env as its environment. The server picks a free port and names it in its
// "serving on" log line, which is read from stderr: no port is guessed, so
// nothing can take it in between.
func startServe(t *testing.T, dir string, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout = p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		servingAddr(stderr, p.logs, found)
		close(copied)
	}()
	go func() {
		<-copied // Wait closes the pipe: read it all first
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.logs.String())
		}
	})
	select {
	case addr := <-found:
		p.base = "http://" + addr
	case <-p.exited:
		t.Fatalf("fullauth serve exited before serving (%v):\n%s", p.err, p.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("fullauth serve did not report its address within 60s:\n%s", p.logs.String())
	}
	// Listening happens before the log line; /healthz proves the handler.
	if code, _ := p.call(t, "GET", "/healthz", "", nil); code != http.StatusOK {
		t.Fatalf("/healthz = %d, want 200", code)
	}
	return p
}

// stop sends SIGTERM and waits for the process to end, at most within d.
func (p *process) stop(t *testing.T, d time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(d):
		t.Fatalf("fullauth serve still running %v after SIGTERM", d)
	}
	if p.err != nil {
		t.Errorf("fullauth serve after SIGTERM: %v, want exit status 0", p.err)
	}
}

var client = &http.Client{Timeout: 30 * time.Second}

// call sends a request with an optional bearer token and JSON body and
// returns the status and the decoded JSON body (nil when empty or not JSON).
func (p *process) call(t *testing.T, method, path, bearer string, body any) (int, map[string]any) {
	t.Helper()
	code, raw, _ := p.raw(t, method, path, bearer, body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return code, out
}

func (p *process) raw(t *testing.T, method, path, bearer string, body any) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp.StatusCode, raw, resp.Header
}

// webhookEvent is one delivery received by the test's webhook receiver.
type webhookEvent struct {
	Event      string         `json:"event"`
	Data       map[string]any `json:"data"`
	OccurredAt string         `json:"occurred_at"`
}

// newWebhookReceiver serves a webhook endpoint that checks each delivery's
// X-Fullauth-Signature against secret and sends the valid ones on the
// returned channel.
func newWebhookReceiver(t *testing.T, secret string) (string, <-chan webhookEvent) {
	t.Helper()
	events := make(chan webhookEvent, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if got := r.Header.Get("X-Fullauth-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
			t.Errorf("webhook: X-Fullauth-Signature = %q, want %q", got, want)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev webhookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("webhook body %q: %v", body, err)
		}
		if _, err := time.Parse(time.RFC3339, ev.OccurredAt); err != nil {
			t.Errorf("webhook occurred_at %q: %v", ev.OccurredAt, err)
		}
		events <- ev
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", events
}

// waitEvent returns the first event named name whose data matches, skipping
// others.
func waitEvent(t *testing.T, events <-chan webhookEvent, name, email string) webhookEvent {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Event == name && (email == "" || ev.Data["email"] == email) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s webhook event within 15s", name)
		}
	}
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// TestServeEndToEnd runs the real binary on a SQLite file and walks an
// account through its life: register, verify by the token delivered to the
// webhook, login, me, refresh, logout. Then SIGTERM must stop it cleanly.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	const hookSecret = "e2e-webhook-secret"
	hookURL, events := newWebhookReceiver(t, hookSecret)
	p := startServe(t, dir, map[string]string{
		"FULLAUTH_SECRET_KEY":     testSecret,
		"FULLAUTH_DATABASE_URL":   "sqlite:" + filepath.Join(dir, "auth.db"),
		"FULLAUTH_WEBHOOK_URL":    hookURL,
		"FULLAUTH_WEBHOOK_SECRET": hookSecret,
	})
	const api = "/api/v1/auth"
	const email, password = "alice@example.com", "correct horse battery staple"

	code, body := p.call(t, "POST", api+"/register", "", map[string]string{"email": email, "password": password})
	if code != http.StatusAccepted {
		t.Fatalf("register = %d %v, want 202", code, body)
	}
	ev := waitEvent(t, events, "send_verification_email", email)
	verifyToken := str(ev.Data, "token")
	if verifyToken == "" {
		t.Fatalf("send_verification_email event without a token: %v", ev)
	}

	code, body = p.call(t, "POST", api+"/verify-email/confirm", "", map[string]string{"token": verifyToken})
	if code != http.StatusOK || str(body, "detail") != "Email verified." {
		t.Fatalf("verify-email/confirm = %d %v, want 200 Email verified.", code, body)
	}

	code, body = p.call(t, "POST", api+"/login", "", map[string]string{"email": email, "password": password})
	access, refresh := str(body, "access_token"), str(body, "refresh_token")
	if code != http.StatusOK || access == "" || refresh == "" {
		t.Fatalf("login = %d %v, want 200 with tokens", code, body)
	}

	code, body = p.call(t, "GET", api+"/me", access, nil)
	if code != http.StatusOK || str(body, "email") != email || body["is_verified"] != true {
		t.Fatalf("me = %d %v, want 200, %s, is_verified true", code, body, email)
	}

	code, body = p.call(t, "POST", api+"/refresh", "", map[string]string{"refresh_token": refresh})
	access2, refresh2 := str(body, "access_token"), str(body, "refresh_token")
	if code != http.StatusOK || access2 == "" || refresh2 == "" || refresh2 == refresh {
		t.Fatalf("refresh = %d %v, want 200 with a new token pair", code, body)
	}

	code, _ = p.call(t, "POST", api+"/logout", access2, map[string]string{"refresh_token": refresh2})
	if code != http.StatusNoContent {
		t.Fatalf("logout = %d, want 204", code)
	}
	code, body = p.call(t, "GET", api+"/me", access2, nil)
	if code != http.StatusUnauthorized || str(body, "detail") != "Could not validate credentials" {
		t.Fatalf("me after logout = %d %v, want 401", code, body)
	}
	waitEvent(t, events, "after_logout", "")

	code, body = p.call(t, "GET", "/readyz", "", nil)
	if code != http.StatusOK || str(body, "status") != "ready" {
		t.Errorf("/readyz = %d %v, want 200 ready", code, body)
	}

	code, raw, _ := p.raw(t, "GET", "/openapi.json", "", nil)
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); code != http.StatusOK || err != nil || spec["openapi"] != "3.1.0" {
		t.Errorf("/openapi.json = %d (%v), openapi %v; want 200 and a 3.1.0 document", code, err, spec["openapi"])
	} else if paths, _ := spec["paths"].(map[string]any); paths[api+"/login"] == nil {
		t.Errorf("/openapi.json has no %s/login", api)
	}

	code, _, hdr := p.raw(t, "GET", "/docs", "", nil)
	if ct := hdr.Get("Content-Type"); code != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("/docs = %d %q, want 200 text/html", code, ct)
	}

	code, raw, _ = p.raw(t, "GET", "/metrics", "", nil)
	if code != http.StatusOK || !strings.Contains(string(raw), "fullauth_http_requests_total") {
		t.Errorf("/metrics = %d, lacks fullauth_http_requests_total:\n%s", code, raw)
	}

	code, body = p.call(t, "GET", "/nowhere", "", nil)
	if code != http.StatusNotFound || str(body, "detail") != "Not Found" {
		t.Errorf("/nowhere = %d %v, want 404 Not Found", code, body)
	}

	p.stop(t, 15*time.Second)
	logs := p.logs.String()
	for _, want := range []string{`"msg":"fullauth ready: `, `"logger":"fullauth.server"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("server log lacks %s", want)
		}
	}
}

// TestServeRejectsInvalidConfig: the binary prints the §7.4 message and
// exits with code 1.
func TestServeRejectsInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{"FULLAUTH_SECRET_KEY=short"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("fullauth serve with a short secret: %v, want exit status 1", err)
	}
	const want = "SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
	}
}

// freshPostgres returns a URL of FULLAUTH_TEST_POSTGRES_URL's database
// whose search_path is a new schema, dropped when the test ends, and an
// admin connection to it. Without the variable the test skips (or fails
// under FULLAUTH_TEST_REQUIRE_SERVICES=1).
func freshPostgres(t *testing.T) (string, string, *sql.DB) {
	t.Helper()
	base := os.Getenv("FULLAUTH_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("FULLAUTH_TEST_POSTGRES_URL is not set (FULLAUTH_TEST_REQUIRE_SERVICES=1)")
		}
		t.Skip("FULLAUTH_TEST_POSTGRES_URL is not set; skipping PostgreSQL")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("FULLAUTH_TEST_POSTGRES_URL must be a postgres:// URL for this test")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the schema is dropped
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL is unreachable: %v", err)
	}
	schema := "fullauth_e2e_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	return u.String(), schema, admin
}

// TestServePostgres serves from PostgreSQL at FULLAUTH_TEST_POSTGRES_URL,
// in a schema of its own that is dropped afterwards.
func TestServePostgres(t *testing.T) {
	dbURL, schema, admin := freshPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dir := t.TempDir()
	p := startServe(t, dir, map[string]string{
		"FULLAUTH_SECRET_KEY":   testSecret,
		"FULLAUTH_DATABASE_URL": dbURL,
	})
	const api = "/api/v1/auth"
	const email, password = "pg@example.com", "correct horse battery staple"
	if code, body := p.call(t, "POST", api+"/register", "", map[string]string{"email": email, "password": password}); code != http.StatusAccepted {
		t.Fatalf("register = %d %v, want 202", code, body)
	}
	code, body := p.call(t, "POST", api+"/login", "", map[string]string{"email": email, "password": password})
	access := str(body, "access_token")
	if code != http.StatusOK || access == "" {
		t.Fatalf("login = %d %v, want 200", code, body)
	}
	if code, body := p.call(t, "GET", api+"/me", access, nil); code != http.StatusOK || str(body, "email") != email {
		t.Fatalf("me = %d %v, want 200 %s", code, body, email)
	}
	if code, body := p.call(t, "GET", "/readyz", "", nil); code != http.StatusOK {
		t.Errorf("/readyz = %d %v, want 200", code, body)
	}
	var tables int
	if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", schema).Scan(&tables); err != nil || tables == 0 {
		t.Errorf("tables in schema %s: %d (%v), want the migrated tables there", schema, tables, err)
	}
	p.stop(t, 15*time.Second)
}
