package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
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

const neitherWarning = "Neither FULLAUTH_SMTP_URL nor FULLAUTH_WEBHOOK_URL is set: verification and password-reset emails are not delivered; their links are logged at INFO."

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"nothing", Config{}, []string{neitherWarning}},
		{"webhook https", Config{WebhookURL: "https://hooks.example.com", WebhookSecret: "s"}, nil},
		{"webhook http on loopback", Config{WebhookURL: "http://127.0.0.1:9000/hook", WebhookSecret: "s"}, nil},
		{"webhook http remote", Config{WebhookURL: "http://hooks.example.com", WebhookSecret: "s"},
			[]string{"FULLAUTH_WEBHOOK_URL is not https: webhook payloads, which include verification and reset tokens, travel unencrypted."}},
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
