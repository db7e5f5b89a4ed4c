package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

const testSecret = "whsec-test"

// delivery is one request the test receiver saw.
type delivery struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server that records deliveries and answers with
// the status respond chooses for the i-th request (0-based).
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
}

func newReceiver(t *testing.T, respond func(i int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		i := len(rc.got)
		rc.got = append(rc.got, delivery{header: r.Header.Clone(), body: body})
		rc.mu.Unlock()
		respond(i, w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func webhookConfig(url string) Config {
	return Config{WebhookURL: url, WebhookSecret: testSecret, FirstBackoff: time.Millisecond}
}

func TestWebhookEvents(t *testing.T) {
	rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
	n, _ := newTestNotifier(t, webhookConfig(rc.srv.URL))

	ann := &fullauth.User{ID: "u1", Email: "ann@example.com", Active: true, Superuser: true, DisplayName: "Ann"}
	bob := &fullauth.User{ID: "u2", Email: "bob@example.com", Verified: true}
	annJSON := map[string]any{"id": "u1", "email": "ann@example.com", "is_active": true, "is_verified": false, "is_superuser": true, "display_name": "Ann", "roles": []any{}}
	bobJSON := map[string]any{"id": "u2", "email": "bob@example.com", "is_active": false, "is_verified": true, "is_superuser": false, "display_name": nil, "roles": []any{}}

	called := map[string]bool{}
	mark := func(event string) error { called[event] = true; return nil }
	base := fullauth.Hooks{
		AfterRegister:          func(context.Context, *fullauth.User) error { return mark("after_register") },
		AfterLogin:             func(context.Context, *fullauth.User) error { return mark("after_login") },
		AfterLogout:            func(context.Context, string) error { return mark("after_logout") },
		AfterPasswordChange:    func(context.Context, *fullauth.User) error { return mark("after_password_change") },
		AfterPasswordReset:     func(context.Context, *fullauth.User) error { return mark("after_password_reset") },
		AfterEmailVerify:       func(context.Context, *fullauth.User) error { return mark("after_email_verify") },
		AfterOAuthLogin:        func(context.Context, *fullauth.User, string, bool) error { return mark("after_oauth_login") },
		AfterOAuthRegister:     func(context.Context, *fullauth.User, string) error { return mark("after_oauth_register") },
		AfterLockout:           func(context.Context, string) error { return mark("after_lockout") },
		SendVerificationEmail:  func(context.Context, string, string) error { return mark("send_verification_email") },
		SendPasswordResetEmail: func(context.Context, string, string) error { return errors.New("base failed") },
	}
	h := n.Hooks(base)
	ctx := t.Context()
	tests := []struct {
		event   string
		fire    func() error
		wantErr bool
		data    map[string]any
	}{
		{"after_register", func() error { return h.AfterRegister(ctx, ann) }, false, map[string]any{"user": annJSON}},
		{"after_login", func() error { return h.AfterLogin(ctx, bob) }, false, map[string]any{"user": bobJSON}},
		{"after_logout", func() error { return h.AfterLogout(ctx, "u1") }, false, map[string]any{"user_id": "u1"}},
		{"after_password_change", func() error { return h.AfterPasswordChange(ctx, ann) }, false, map[string]any{"user": annJSON}},
		{"after_password_reset", func() error { return h.AfterPasswordReset(ctx, ann) }, false, map[string]any{"user": annJSON}},
		{"after_email_verify", func() error { return h.AfterEmailVerify(ctx, bob) }, false, map[string]any{"user": bobJSON}},
		{"after_oauth_login", func() error { return h.AfterOAuthLogin(ctx, ann, "github", true) }, false,
			map[string]any{"user": annJSON, "provider": "github", "is_new_user": true}},
		{"after_oauth_register", func() error { return h.AfterOAuthRegister(ctx, ann, "google") }, false,
			map[string]any{"user": annJSON, "provider": "google"}},
		{"after_lockout", func() error { return h.AfterLockout(ctx, "ann@example.com") }, false, map[string]any{"identifier": "ann@example.com"}},
		{"send_verification_email", func() error { return h.SendVerificationEmail(ctx, "ann@example.com", "vtok") }, false,
			map[string]any{"email": "ann@example.com", "token": "vtok"}},
		{"send_password_reset_email", func() error { return h.SendPasswordResetEmail(ctx, "bob@example.com", "rtok") }, true,
			map[string]any{"email": "bob@example.com", "token": "rtok"}},
	}
	before := time.Now().UTC().Add(-time.Second)
	for _, tt := range tests {
		if err := tt.fire(); (err != nil) != tt.wantErr {
			t.Errorf("%s hook error = %v, want error %v", tt.event, err, tt.wantErr)
		}
	}
	closeNow(t, n)
	after := time.Now().UTC().Add(time.Second)

	for _, tt := range tests {
		if tt.event != "send_password_reset_email" && !called[tt.event] {
			t.Errorf("base %s was not called", tt.event)
		}
	}
	byEvent := map[string]delivery{}
	ids := map[string]bool{}
	for _, d := range rc.deliveries() {
		var env struct {
			Event      string         `json:"event"`
			Data       map[string]any `json:"data"`
			OccurredAt string         `json:"occurred_at"`
		}
		if err := json.Unmarshal(d.body, &env); err != nil {
			t.Fatalf("body %s: %v", d.body, err)
		}
		byEvent[env.Event] = d
		if got := d.header.Get("Content-Type"); got != "application/json" {
			t.Errorf("%s: Content-Type = %q, want application/json", env.Event, got)
		}
		if got := d.header.Get("X-Fullauth-Event"); got != env.Event {
			t.Errorf("%s: X-Fullauth-Event = %q", env.Event, got)
		}
		id := d.header.Get("X-Fullauth-Delivery")
		if id == "" || ids[id] {
			t.Errorf("%s: X-Fullauth-Delivery = %q, want a fresh id", env.Event, id)
		}
		ids[id] = true
		mac := hmac.New(sha256.New, []byte(testSecret))
		mac.Write(d.body)
		if got, want := d.header.Get("X-Fullauth-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
			t.Errorf("%s: signature = %q, want %q", env.Event, got, want)
		}
		at, err := time.Parse(time.RFC3339, env.OccurredAt)
		if err != nil || !strings.HasSuffix(env.OccurredAt, "Z") || at.Before(before) || at.After(after) {
			t.Errorf("%s: occurred_at = %q (%v), want RFC 3339 UTC of now", env.Event, env.OccurredAt, err)
		}
		for _, tt := range tests {
			if tt.event == env.Event && !reflect.DeepEqual(env.Data, tt.data) {
				t.Errorf("%s: data = %v, want %v", env.Event, env.Data, tt.data)
			}
		}
	}
	if len(byEvent) != len(tests) || len(rc.deliveries()) != len(tests) {
		t.Errorf("got %d deliveries of %d events, want one of each of %d", len(rc.deliveries()), len(byEvent), len(tests))
	}
}

func TestWebhookRetry(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		statuses    []int // the answer to the i-th attempt; the last repeats
		wantTries   int
		wantWarns   int
		wantErrMsg  string // "" = no ERROR record
	}{
		{"500 twice then 200", 0, []int{500, 500, 200}, 3, 2, ""},
		{"429 then 204", 0, []int{429, 204}, 2, 1, ""},
		{"400 is not retried", 0, []int{400}, 1, 0, "webhook failed; not retrying"},
		{"redirect is not followed", 0, []int{302}, 1, 0, "webhook failed; not retrying"},
		{"gives up after MaxAttempts", 3, []int{503}, 3, 2, "webhook failed; giving up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(i int, w http.ResponseWriter, r *http.Request) {
				code := tt.statuses[min(i, len(tt.statuses)-1)]
				if code == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(code)
			})
			cfg := webhookConfig(rc.srv.URL)
			cfg.MaxAttempts = tt.maxAttempts
			n, logs := newTestNotifier(t, cfg)
			if err := n.Hooks(fullauth.Hooks{}).AfterLogout(t.Context(), "u1"); err != nil {
				t.Fatal(err)
			}
			closeNow(t, n)
			got := rc.deliveries()
			if len(got) != tt.wantTries {
				t.Fatalf("%d attempts, want %d", len(got), tt.wantTries)
			}
			for _, d := range got[1:] {
				if d.header.Get("X-Fullauth-Delivery") != got[0].header.Get("X-Fullauth-Delivery") || string(d.body) != string(got[0].body) {
					t.Error("a retry changed the delivery id or the body")
				}
			}
			if w := logs.count(t, "WARN", "webhook failed; will retry"); w != tt.wantWarns {
				t.Errorf("%d WARN records, want %d", w, tt.wantWarns)
			}
			wantErrs := 0
			if tt.wantErrMsg != "" {
				wantErrs = 1
			}
			if e := logs.count(t, "ERROR", ""); e != wantErrs || logs.count(t, "ERROR", tt.wantErrMsg) != wantErrs {
				t.Errorf("ERROR records: %v; want %d saying %q", logs.records(t), wantErrs, tt.wantErrMsg)
			}
			for _, r := range logs.records(t) {
				if r["logger"] != "fullauth.webhook" {
					t.Errorf("record on logger %v, want fullauth.webhook", r["logger"])
				}
			}
		})
	}
}

// TestWebhookRetryAfter uses a first backoff far longer than the test's
// deadline, so the retry arrives in time only if Retry-After was used.
func TestWebhookRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		maxBackoff time.Duration
	}{
		{"zero seconds", "0", defaultMaxBackoff},
		{"long value is capped", "3600", time.Millisecond},
		{"date in the past", "Mon, 02 Jan 2006 15:04:05 GMT", defaultMaxBackoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(i int, w http.ResponseWriter, r *http.Request) {
				if i == 0 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			})
			cfg := webhookConfig(rc.srv.URL)
			cfg.FirstBackoff = time.Hour
			n, _ := newTestNotifier(t, cfg)
			n.maxBackoff = tt.maxBackoff // before the first enqueue, which orders it before the workers read it
			if err := n.Hooks(fullauth.Hooks{}).AfterLockout(t.Context(), "x"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			if err := n.Close(ctx); err != nil {
				t.Fatalf("Close: %v (Retry-After not honoured?)", err)
			}
			if got := len(rc.deliveries()); got != 2 {
				t.Errorf("%d attempts, want 2", got)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"99999999999999", 24 * time.Hour, true},
		{"Thu, 02 Jan 2025 03:04:15 GMT", 10 * time.Second, true},
		{"Wed, 01 Jan 2025 00:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestWebhookQueueFull checks that hooks return at once while the receiver
// hangs, and that what does not fit is dropped with an ERROR.
func TestWebhookQueueFull(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release) // runs before the server's cleanup, which waits for handlers
	cfg := webhookConfig(rc.srv.URL)
	cfg.QueueSize = 1
	n, logs := newTestNotifier(t, cfg)
	h := n.Hooks(fullauth.Hooks{})

	const fired = 10
	start := time.Now()
	for range fired {
		if err := h.AfterLogin(t.Context(), &fullauth.User{ID: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("%d hook calls took %v; hooks must not wait for delivery", fired, d)
	}
	// At most one delivery per worker plus the queue's one slot got in.
	if dropped := logs.count(t, "ERROR", "delivery queue is full"); dropped < fired-workers-1 {
		t.Errorf("%d drops logged, want at least %d", dropped, fired-workers-1)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := n.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close with hanging receiver = %v, want DeadlineExceeded", err)
	}
	if err := h.AfterLogin(t.Context(), &fullauth.User{ID: "u"}); err != nil {
		t.Fatal(err)
	}
	if logs.count(t, "ERROR", "notifier is closed") != 1 {
		t.Error("a hook after Close did not log its drop")
	}
}

// TestCloseDrains checks that deliveries still queued when Close is called
// are delivered before it returns.
func TestCloseDrains(t *testing.T) {
	gate := make(chan struct{})
	rc := newReceiver(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
	})
	n, _ := newTestNotifier(t, webhookConfig(rc.srv.URL))
	h := n.Hooks(fullauth.Hooks{})
	const fired = 20
	for range fired {
		if err := h.AfterLockout(t.Context(), "x"); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		closed <- n.Close(ctx)
	}()
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while deliveries were pending", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(gate)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := len(rc.deliveries()); got != fired {
		t.Errorf("%d delivered, want %d", got, fired)
	}
	if err := n.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A failed delivery is logged without the webhook URL, which can carry a
// token in its path or query (net/http's errors quote it).
func TestWebhookFailureLogHidesTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there now
	cfg := webhookConfig("http://" + addr + "/hook/T0K3N?token=QSECRET")
	cfg.MaxAttempts = 1
	n, logs := newTestNotifier(t, cfg)
	if err := n.Hooks(fullauth.Hooks{}).AfterLogout(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	records := logs.records(t)
	if logs.count(t, "ERROR", "webhook failed; giving up") != 1 {
		t.Fatalf("records = %v, want one ERROR \"webhook failed; giving up\"", records)
	}
	for _, r := range records {
		if s := fmt.Sprint(r); strings.Contains(s, "T0K3N") || strings.Contains(s, "QSECRET") {
			t.Errorf("a log record holds the URL's secrets: %s", s)
		}
		if err, _ := r["err"].(string); r["level"] == "ERROR" && !strings.Contains(err, "refused") {
			t.Errorf("the ERROR record's err = %q, want the cause (connection refused)", err)
		}
	}
}
