package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// logRecorder collects JSON log records written by concurrent goroutines.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

// records returns every record logged so far.
func (r *logRecorder) records(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(r.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// count returns how many records have level and a message containing msg.
func (r *logRecorder) count(t *testing.T, level, msg string) int {
	t.Helper()
	n := 0
	for _, rec := range r.records(t) {
		if rec["level"] == level && strings.Contains(rec["msg"].(string), msg) {
			n++
		}
	}
	return n
}

// newTestNotifier builds a Notifier logging into a recorder and closes it
// when the test ends.
func newTestNotifier(t *testing.T, cfg Config) (*Notifier, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	n, err := New(cfg, slog.New(slog.NewJSONHandler(rec, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Close(ctx)
	})
	return n, rec
}

// closeNow drains n, failing the test if that takes long.
func closeNow(t *testing.T, n *Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error, all required
	}{
		{"webhook without secret", Config{WebhookURL: "https://hooks.example.com/x"},
			[]string{"FULLAUTH_WEBHOOK_SECRET is required"}},
		{"webhook bad scheme", Config{WebhookURL: "ftp://hooks.example.com", WebhookSecret: "s"},
			[]string{"FULLAUTH_WEBHOOK_URL: scheme must be http or https"}},
		{"webhook no host", Config{WebhookURL: "https:///x", WebhookSecret: "s"},
			[]string{"FULLAUTH_WEBHOOK_URL: host is missing"}},
		{"webhook unparsable", Config{WebhookURL: "http://[::1", WebhookSecret: "s"},
			[]string{"FULLAUTH_WEBHOOK_URL:"}},
		{"smtp without from and public url", Config{SMTPURL: "smtp://mail.example.com"},
			[]string{"FULLAUTH_MAIL_FROM is required", "FULLAUTH_PUBLIC_URL is required"}},
		{"smtp unknown scheme", Config{SMTPURL: "imap://mail.example.com", MailFrom: "a@example.com", PublicURL: "https://app.example.com"},
			[]string{"FULLAUTH_SMTP_URL: scheme must be smtp or smtps"}},
		{"smtp bad port", Config{SMTPURL: "smtp://mail.example.com:0", MailFrom: "a@example.com", PublicURL: "https://app.example.com"},
			[]string{"FULLAUTH_SMTP_URL: invalid port"}},
		{"smtp path", Config{SMTPURL: "smtp://mail.example.com/x", MailFrom: "a@example.com", PublicURL: "https://app.example.com"},
			[]string{"FULLAUTH_SMTP_URL: must not have a path"}},
		{"from with line break", Config{SMTPURL: "smtp://mail.example.com", MailFrom: "a@example.com\r\nBcc: x@example.com", PublicURL: "https://app.example.com"},
			[]string{"FULLAUTH_MAIL_FROM must not contain line breaks"}},
		{"from not an address", Config{SMTPURL: "smtp://mail.example.com", MailFrom: "nobody", PublicURL: "https://app.example.com"},
			[]string{"FULLAUTH_MAIL_FROM:"}},
		{"public url with query", Config{PublicURL: "https://app.example.com/?a=b"},
			[]string{"FULLAUTH_PUBLIC_URL: must not have a query"}},
		{"negative policy", Config{MaxAttempts: -1, FirstBackoff: -1, QueueSize: -1},
			[]string{"MaxAttempts", "FirstBackoff", "QueueSize"}},
		{"everything at once", Config{WebhookURL: "gopher://x", SMTPURL: "pop3://y", PublicURL: "app.example.com"},
			[]string{"FULLAUTH_WEBHOOK_URL: scheme", "FULLAUTH_WEBHOOK_SECRET is required", "FULLAUTH_SMTP_URL: scheme", "FULLAUTH_MAIL_FROM is required", "FULLAUTH_PUBLIC_URL: scheme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg, nil)
			if err == nil {
				n.Close(t.Context())
				t.Fatalf("New(%+v) = nil error, want one mentioning %q", tt.cfg, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestNewErrorHidesSecrets checks that a URL that does not parse is not
// echoed, in whole or in part, since it may hold a password or token and
// the error is printed.
func TestNewErrorHidesSecrets(t *testing.T) {
	const from, public = "a@example.com", "https://app.example.com"
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"smtp, bad escape in password", Config{SMTPURL: "smtp://mailer:Sup3r%Secret@mail.example.com", MailFrom: from, PublicURL: public},
			"FULLAUTH_SMTP_URL: not a valid URL: '%' must begin a %XX escape"},
		{"smtp, slash in password", Config{SMTPURL: "smtp://mailer:Sup3r/Secret@mail.example.com", MailFrom: from, PublicURL: public},
			"FULLAUTH_SMTP_URL: not a valid URL"},
		{"smtp, hash in password", Config{SMTPURL: "smtps://mailer:Sup3r#Secret@mail.example.com", MailFrom: from, PublicURL: public},
			"FULLAUTH_SMTP_URL: not a valid URL"},
		{"smtp, space in password", Config{SMTPURL: "smtp://mailer:Sup3r Secret@mail.example.com", MailFrom: from, PublicURL: public},
			"FULLAUTH_SMTP_URL: not a valid URL"},
		{"smtp, line break in password", Config{SMTPURL: "smtp://mailer:Sup3r\nSecret@mail.example.com", MailFrom: from, PublicURL: public},
			"FULLAUTH_SMTP_URL: not a valid URL"},
		{"webhook, bad escape in password", Config{WebhookURL: "https://hook:Sup3r%Secret@hooks.example.com/x", WebhookSecret: "s"},
			"FULLAUTH_WEBHOOK_URL: not a valid URL: '%' must begin a %XX escape"},
		{"webhook, token in path", Config{WebhookURL: "https://hooks.example.com/Sup3r%Secret", WebhookSecret: "s"},
			"FULLAUTH_WEBHOOK_URL: not a valid URL"},
		{"webhook, slash in password", Config{WebhookURL: "https://hook:Sup3r/Secret@hooks.example.com", WebhookSecret: "s"},
			"FULLAUTH_WEBHOOK_URL: not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg, nil)
			if err == nil {
				n.Close(t.Context())
				t.Fatalf("New(%+v) = nil error, want one", tt.cfg)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			for _, secret := range []string{"Sup3r", "Secret", "%Se"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes %q from the URL", err, secret)
				}
			}
		})
	}
}

// TestPublicURL checks which bases are accepted and that the links built
// on them are valid URLs carrying the token in their query.
func TestPublicURL(t *testing.T) {
	const token = "a b/+&=#?"
	q := "?token=" + url.QueryEscape(token)
	tests := []struct {
		publicURL string
		wantLink  string // of the reset email; "" = refused
	}{
		{"https://app.example.com", "https://app.example.com/reset-password" + q},
		{"https://app.example.com/", "https://app.example.com/reset-password" + q},
		{"http://localhost:3000/app//", "http://localhost:3000/app/reset-password" + q},
		{"https://app.example.com/my app", "https://app.example.com/my%20app/reset-password" + q},
		{"https://app.example.com/my%20app/", "https://app.example.com/my%20app/reset-password" + q},
		{"https://app.example.com/a%2Fb/", "https://app.example.com/a%2Fb/reset-password" + q},
		{"https://app.example.com/caf\u00e9", "https://app.example.com/caf%C3%A9/reset-password" + q},
		{"https://app.example.com/a&b=c;d", "https://app.example.com/a&b=c;d/reset-password" + q},
		{"https://app.example.com/?", ""},
		{"https://app.example.com?", ""},
		{"https://app.example.com/#", ""},
		{"https://app.example.com/?#", ""},
		{"https://app.example.com/?next=1", ""},
		{"https://app.example.com/#/app", ""},
		{"https://app.example.com/app#top", ""},
	}
	for _, tt := range tests {
		t.Run(tt.publicURL, func(t *testing.T) {
			n, err := New(Config{PublicURL: tt.publicURL}, nil)
			if tt.wantLink == "" {
				if err == nil {
					n.Close(t.Context())
					t.Fatalf("New accepted PUBLIC_URL %q (link %q), want it refused", tt.publicURL, n.link(resetEmail, token))
				}
				if want := "FULLAUTH_PUBLIC_URL: must not have a query or fragment"; !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer n.Close(t.Context())
			got := n.link(resetEmail, token)
			if got != tt.wantLink {
				t.Errorf("link = %q, want %q", got, tt.wantLink)
			}
			u, err := url.Parse(got)
			if err != nil || u.Query().Get("token") != token || u.Fragment != "" {
				t.Errorf("link %q parses to %+v (%v), want token %q in the query and no fragment", got, u, err, token)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"zero", Config{}},
		{"webhook", Config{WebhookURL: "https://hooks.example.com/fullauth", WebhookSecret: "s"}},
		{"smtp", Config{SMTPURL: "smtp://u:p@mail.example.com", MailFrom: "App <no-reply@example.com>", PublicURL: "https://app.example.com/"}},
		{"smtps", Config{SMTPURL: "smtps://mail.example.com:2465", MailFrom: "no-reply@example.com", PublicURL: "http://localhost:3000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg, nil)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := n.Close(t.Context()); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := n.Close(t.Context()); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

const (
	neitherWarning = "Neither FULLAUTH_SMTP_URL nor FULLAUTH_WEBHOOK_URL is set: verification and password-reset emails are not delivered; their links are logged at INFO."
	plainWarning   = "FULLAUTH_WEBHOOK_URL is not https: webhook payloads, which include verification and reset tokens, travel unencrypted."
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"nothing", Config{}, []string{neitherWarning}},
		{"webhook https", Config{WebhookURL: "https://hooks.example.com", WebhookSecret: "s"}, nil},
		{"webhook http on loopback", Config{WebhookURL: "http://127.0.0.1:9000/hook", WebhookSecret: "s"}, nil},
		{"webhook http remote", Config{WebhookURL: "http://hooks.example.com", WebhookSecret: "s"}, []string{plainWarning}},
		{"webhook HTTP remote", Config{WebhookURL: "HTTP://hooks.example.com", WebhookSecret: "s"}, []string{plainWarning}},
		{"webhook Http remote", Config{WebhookURL: "Http://hooks.example.com/x", WebhookSecret: "s"}, []string{plainWarning}},
		{"webhook HTTPS", Config{WebhookURL: "HTTPS://hooks.example.com", WebhookSecret: "s"}, nil},
		{"webhook HTTP on LOCALHOST", Config{WebhookURL: "HTTP://LOCALHOST:9000/hook", WebhookSecret: "s"}, nil},
		{"smtp", Config{SMTPURL: "smtp://mail.example.com", MailFrom: "a@example.com", PublicURL: "https://app.example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := newTestNotifier(t, tt.cfg)
			if got := n.Warnings(); !slices.Equal(got, tt.want) {
				t.Errorf("Warnings() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogFallback(t *testing.T) {
	const token = "tok en/+&"
	tests := []struct {
		name      string
		cfg       Config
		reset     bool
		baseSends bool
		wantLink  string // "" = nothing logged
	}{
		{"verification, no public url", Config{}, false, false, "/verify-email?token=" + url.QueryEscape(token)},
		{"reset with public url", Config{PublicURL: "http://localhost:3000/"}, true, false, "http://localhost:3000/reset-password?token=" + url.QueryEscape(token)},
		{"webhook configured", Config{WebhookURL: "http://127.0.0.1:1/", WebhookSecret: "s", MaxAttempts: 1}, false, false, ""},
		{"base sends", Config{}, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, rec := newTestNotifier(t, tt.cfg)
			var baseCalls int
			var base fullauth.Hooks
			if tt.baseSends {
				send := func(context.Context, string, string) error { baseCalls++; return nil }
				base = fullauth.Hooks{SendVerificationEmail: send, SendPasswordResetEmail: send}
			}
			h := n.Hooks(base)
			send := h.SendVerificationEmail
			if tt.reset {
				send = h.SendPasswordResetEmail
			}
			if err := send(t.Context(), "user@example.com", token); err != nil {
				t.Fatalf("send: %v", err)
			}
			if tt.baseSends && baseCalls != 1 {
				t.Errorf("base sender called %d times, want 1", baseCalls)
			}
			closeNow(t, n)
			var got []map[string]any
			for _, r := range rec.records(t) {
				if r["logger"] == "fullauth.email" && r["level"] == "INFO" {
					got = append(got, r)
				}
			}
			if tt.wantLink == "" {
				if len(got) != 0 {
					t.Fatalf("logged %v, want no email record", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d INFO fullauth.email records, want 1: %v", len(got), rec.records(t))
			}
			if got[0]["link"] != tt.wantLink || got[0]["to"] != "user@example.com" {
				t.Errorf("logged link=%v to=%v, want link=%q to=user@example.com", got[0]["link"], got[0]["to"], tt.wantLink)
			}
		})
	}
}

// TestHooksWithoutWebhook checks that without a webhook the event hooks
// stay as base had them, so the flows skip them.
func TestHooksWithoutWebhook(t *testing.T) {
	n, _ := newTestNotifier(t, Config{})
	h := n.Hooks(fullauth.Hooks{})
	if h.AfterLogin != nil || h.AfterRegister != nil || h.AfterLockout != nil {
		t.Error("event hooks were filled without a webhook")
	}
	if h.SendVerificationEmail == nil || h.SendPasswordResetEmail == nil {
		t.Error("send hooks are nil; want the log fallback")
	}
}

// TestFailingWebhookSparesEmail checks that webhooks retrying against a
// receiver that answers 503 neither delay nor crowd out a reset email.
// Their retries take 15 s (0.5+1+2+4+8), so an email that waited for a
// worker they hold would be late by that much or more.
func TestFailingWebhookSparesEmail(t *testing.T) {
	tests := []struct {
		name      string
		queueSize int
		events    int // webhooks fired before the reset
	}{
		{"queue with room", 64, 8},
		{"small queue filled by webhooks", 4, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			mb := &mailbox{}
			port, _ := startSMTP(t, mb, noTLS)
			n, logs := newTestNotifier(t, Config{
				WebhookURL: rc.srv.URL, WebhookSecret: testSecret,
				SMTPURL: "smtp://127.0.0.1:" + port, MailFrom: "no-reply@example.com", PublicURL: "https://app.example.com",
				QueueSize: tt.queueSize, FirstBackoff: 500 * time.Millisecond,
			})
			h := n.Hooks(fullauth.Hooks{})
			for range tt.events {
				if err := h.AfterLogin(t.Context(), &fullauth.User{ID: "u"}); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			if err := h.SendPasswordResetEmail(t.Context(), "user@example.com", "tok"); err != nil {
				t.Fatal(err)
			}
			const bound = 5 * time.Second
			for len(mb.messages()) == 0 && time.Since(start) < bound {
				time.Sleep(10 * time.Millisecond)
			}
			if got := len(mb.messages()); got != 1 {
				t.Errorf("%d emails within %v, want 1; email drops: %d", got, bound, logs.count(t, "ERROR", "email dropped"))
			}

			// The webhooks are still retrying: Close gives up on them and
			// logs each one it accepted as dropped or abandoned.
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			if err := n.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Close = %v, want DeadlineExceeded", err)
			}
			accepted := tt.events + 1 - logs.count(t, "ERROR", "webhook dropped: delivery queue is full")
			if got := logs.count(t, "ERROR", "webhook dropped: notifier closed") + logs.count(t, "ERROR", "webhook abandoned"); got != accepted {
				t.Errorf("Close reported %d webhooks dropped or abandoned, want %d", got, accepted)
			}
			for _, r := range logs.records(t) {
				if r["logger"] == "fullauth.email" && r["level"] == "ERROR" {
					t.Errorf("email ERROR record %v, want none", r)
				}
			}
		})
	}
}
