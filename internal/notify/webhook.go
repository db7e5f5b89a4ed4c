package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// occurredAtLayout is RFC 3339 in UTC with microseconds, a precision every
// common parser (Python's datetime included) accepts.
const occurredAtLayout = "2006-01-02T15:04:05.000000Z07:00"

// envelope is the body of every webhook.
type envelope struct {
	Event      string         `json:"event"`
	Data       map[string]any `json:"data"`
	OccurredAt string         `json:"occurred_at"`
}

// webhook queues event for delivery. The body, signature and delivery id
// are fixed now, so every retry sends the same bytes.
func (n *Notifier) webhook(ctx context.Context, event string, data map[string]any) {
	if n.webhookURL == "" {
		return
	}
	body, err := json.Marshal(envelope{Event: event, Data: data, OccurredAt: time.Now().UTC().Format(occurredAtLayout)})
	if err != nil {
		n.webhookLog.ErrorContext(ctx, "webhook dropped: cannot encode payload", "event", event, "err", err)
		return
	}
	id := rand.Text()
	sig := sign(n.webhookSecret, body)
	n.enqueue(ctx, n.webhooks, job{
		log:     n.webhookLog.With("event", event, "delivery", id),
		okLevel: slog.LevelDebug,
		what:    "webhook",
		attempt: func(ctx context.Context) error {
			return n.post(ctx, event, id, sig, body)
		},
	})
}

// sign returns the X-Fullauth-Signature value for body.
func sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// post makes one delivery attempt.
func (n *Notifier) post(ctx context.Context, event, id, sig string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.webhookURL, bytes.NewReader(body))
	if err != nil {
		return &permanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fullauth-webhook")
	req.Header.Set("X-Fullauth-Event", event)
	req.Header.Set("X-Fullauth-Delivery", id)
	req.Header.Set("X-Fullauth-Signature", sig)
	resp, err := n.client.Do(req)
	if err != nil {
		// *url.Error quotes the URL, which can carry a token in its path
		// or query; the logs get the operation and the cause only.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			return fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return err
	}
	// Reading a little of the body lets the connection be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusTooManyRequests || code >= 500:
		err := fmt.Errorf("receiver answered %d", code)
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return &retryAfterError{err: err, after: d}
		}
		return err
	default:
		return &permanentError{fmt.Errorf("receiver answered %d", code)}
	}
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Clamp before converting, so a huge value cannot overflow.
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
