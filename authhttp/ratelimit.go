package authhttp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/fullauth/fullauth"
)

// Rate-limit buckets of the auth routes. Every route counts in its own
// bucket, per client IP, in every KV (CONTRACT §24.1; the reference's Redis
// backend shared one key between routes).
const (
	bucketLogin                = "login"
	bucketRegister             = "register"
	bucketRefresh              = "refresh"
	bucketVerifyEmailRequest   = "verify-email-request"
	bucketVerifyEmailConfirm   = "verify-email-confirm"
	bucketPasswordResetRequest = "password-reset-request"
	bucketPasswordResetConfirm = "password-reset-confirm"
)

// bucketLimit is the cap of a bucket under the Auth's config.
func (h *Handler) bucketLimit(bucket string) int {
	l := h.auth.Config().RateLimits
	switch bucket {
	case bucketLogin:
		return l.Login
	case bucketRegister:
		return l.Register
	case bucketRefresh:
		return l.Refresh
	default:
		return l.PasswordReset
	}
}

// limit counts the request in its route's bucket and returns a
// *fullauth.RetryError when the bucket is full. A KV failure lets the
// request through (and is logged): availability of sign-in wins here, and
// lockout still guards passwords.
func (h *Handler) limit(r *http.Request, bucket string) error {
	cfg := h.auth.Config()
	if cfg.DisableRateLimit {
		return nil
	}
	ip := h.clientIP(r)
	w, err := h.auth.KV().Hit(r.Context(), "ratelimit:"+bucket+":"+ip, h.bucketLimit(bucket), cfg.RateLimitWindow)
	if err != nil {
		h.auth.Logger("ratelimit").ErrorContext(r.Context(), "rate-limit check failed; allowing the request", "route", bucket, "err", err)
		return nil
	}
	if !w.Allowed {
		h.auth.Logger("ratelimit").WarnContext(r.Context(), fmt.Sprintf("Auth rate limit exceeded: route=%s, ip=%s", bucket, ip))
		return &fullauth.RetryError{After: w.Reset, Limit: w.Limit}
	}
	return nil
}

// ceilSeconds renders a duration as whole seconds, rounded up, at least 1
// when positive.
func ceilSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// RateLimitConfig configures [NewRateLimit], the global per-client limit
// of CONTRACT §16.3.
type RateLimitConfig struct {
	Max    int           // requests per window; default 60
	Window time.Duration // default 60s
	// ExemptPaths are never limited (exact match).
	ExemptPaths []string
	// ClientIP resolves the client; default the peer address. Use
	// [ClientIP] with your trusted proxy settings behind a proxy.
	ClientIP func(*http.Request) string
	// Logger receives the INFO line of each refusal (logger=fullauth.ratelimit).
	Logger *slog.Logger
}

// RateLimit is the global limit middleware.
type RateLimit struct {
	kv  fullauth.KV
	c   RateLimitConfig
	log *slog.Logger
}

// NewRateLimit limits every request per client IP, counting in kv (share a
// Redis KV between instances to share the limit).
func NewRateLimit(kv fullauth.KV, c RateLimitConfig) *RateLimit {
	if c.Max <= 0 {
		c.Max = 60
	}
	if c.Window <= 0 {
		c.Window = time.Minute
	}
	if c.ClientIP == nil {
		c.ClientIP = func(r *http.Request) string { return ClientIP(r, nil, 1) }
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	return &RateLimit{kv: kv, c: c, log: log.With("logger", "fullauth.ratelimit")}
}

// Middleware answers 429 {"detail": "Too Many Requests"} over the limit and
// adds X-RateLimit-Limit, -Remaining and -Reset to every limited response.
// A KV failure lets the request through.
func (l *RateLimit) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(l.c.ExemptPaths, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ip := l.c.ClientIP(r)
		win, err := l.kv.Hit(r.Context(), "ratelimit:global:"+ip, l.c.Max, l.c.Window)
		if err != nil {
			l.log.ErrorContext(r.Context(), "rate-limit check failed; allowing the request", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		hdr := w.Header()
		hdr.Set("X-RateLimit-Limit", strconv.Itoa(win.Limit))
		hdr.Set("X-RateLimit-Remaining", strconv.Itoa(win.Remaining))
		hdr.Set("X-RateLimit-Reset", ceilSeconds(win.Reset))
		if !win.Allowed {
			l.log.InfoContext(context.WithoutCancel(r.Context()), fmt.Sprintf("Rate limit exceeded: ip=%s, path=%s", ip, r.URL.Path))
			hdr.Set("Retry-After", ceilSeconds(win.Reset))
			writeDetail(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
		next.ServeHTTP(w, r)
	})
}
