package authhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

func limitedHandler(t *testing.T, kv fullauth.KV) http.Handler {
	t.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey:           []byte("ratelimit-test-secret-0123456789abcdef"),
		Argon2:              password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		KV:                  kv,
		RateLimits:          fullauth.RateLimits{Login: 2, Register: 1, PasswordReset: 1, Refresh: 3},
		TrustedProxyHeaders: []string{"X-Forwarded-For"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return authhttp.New(a, authhttp.Options{})
}

const loginBody = `{"email":"rl@example.com","password":"wrong-password"}`

func TestAuthRateLimits(t *testing.T) {
	h := limitedHandler(t, fullauth.NewMemoryKV())
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	for i := 0; i < 2; i++ {
		if rec := serve(t, h, "POST", "/login", loginBody, nil, from("203.0.113.1")...); rec.Code != 401 {
			t.Fatalf("login %d = %d, want 401", i+1, rec.Code)
		}
	}
	rec := serve(t, h, "POST", "/login", loginBody, nil, from("203.0.113.1")...)
	if rec.Code != 429 || rec.Body.String() != `{"detail":"Too many requests. Try again later."}` {
		t.Fatalf("third login = %d %s, want 429 with the detail", rec.Code, rec.Body)
	}
	retry, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
	if retry < 1 || retry > 60 || rec.Header().Get("X-RateLimit-Limit") != "2" || rec.Header().Get("X-RateLimit-Remaining") != "0" ||
		rec.Header().Get("X-RateLimit-Reset") != rec.Header().Get("Retry-After") {
		t.Errorf("429 headers = %v, want Retry-After in 1..60 equal to X-RateLimit-Reset, limit 2, remaining 0", rec.Header())
	}

	// Another client is not affected.
	if rec := serve(t, h, "POST", "/login", loginBody, nil, from("203.0.113.2")...); rec.Code != 401 {
		t.Errorf("login from another IP = %d, want 401", rec.Code)
	}
	// Every route has its own bucket (CONTRACT §24.1): a full login bucket
	// leaves register, refresh and the reset routes alone.
	for _, req := range []struct{ path, body string }{
		{"/register", `{"email":"rl2@example.com","password":"correct-horse-battery"}`},
		{"/refresh", `{"refresh_token":"x"}`},
		{"/password-reset/request", `{"email":"rl@example.com"}`},
		{"/password-reset/confirm", `{"token":"x","new_password":"correct-horse-battery"}`},
		{"/verify-email/confirm", `{"token":"x"}`},
	} {
		if rec := serve(t, h, "POST", req.path, req.body, nil, from("203.0.113.1")...); rec.Code == 429 {
			t.Errorf("%s after the login bucket filled = 429, want its own bucket", req.path)
		}
	}
	// …and each of those is limited on its own.
	if rec := serve(t, h, "POST", "/password-reset/request", `{"email":"rl@example.com"}`, nil, from("203.0.113.1")...); rec.Code != 429 {
		t.Errorf("second password-reset request with limit 1 = %d, want 429", rec.Code)
	}
	if rec := serve(t, h, "POST", "/verify-email/confirm", `{"token":"x"}`, nil, from("203.0.113.1")...); rec.Code != 429 {
		t.Errorf("second verify confirm with limit 1 = %d, want 429", rec.Code)
	}
	// Malformed bodies are refused before they count (FastAPI validates first).
	if rec := serve(t, h, "POST", "/login", `{}`, nil, from("203.0.113.1")...); rec.Code != 422 {
		t.Errorf("malformed login over the limit = %d, want 422", rec.Code)
	}
}

// hitFails is a KV whose rate-limit step fails.
type hitFails struct{ fullauth.KV }

func (hitFails) Hit(context.Context, string, int, time.Duration) (fullauth.Window, error) {
	return fullauth.Window{}, context.DeadlineExceeded
}

func TestAuthRateLimitFailsOpen(t *testing.T) {
	h := limitedHandler(t, hitFails{fullauth.NewMemoryKV()})
	for i := 0; i < 5; i++ {
		if rec := serve(t, h, "POST", "/login", loginBody, nil); rec.Code != 401 {
			t.Fatalf("login %d with the limiter down = %d, want 401 (fail open)", i+1, rec.Code)
		}
	}
}

func TestGlobalRateLimit(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mw := authhttp.NewRateLimit(fullauth.NewMemoryKV(), authhttp.RateLimitConfig{Max: 2, Window: time.Minute, ExemptPaths: []string{"/healthz"}})
	h := mw.Middleware(ok)
	get := func(path, ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = ip + ":1234"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i, wantRemaining := range []string{"1", "0"} {
		rec := get("/x", "192.0.2.1")
		if rec.Code != 204 || rec.Header().Get("X-RateLimit-Limit") != "2" || rec.Header().Get("X-RateLimit-Remaining") != wantRemaining || rec.Header().Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d = %d %v, want 204 with limit 2, remaining %s and a reset", i+1, rec.Code, rec.Header(), wantRemaining)
		}
	}
	rec := get("/x", "192.0.2.1")
	if rec.Code != 429 || rec.Body.String() != `{"detail":"Too Many Requests"}` || rec.Header().Get("Retry-After") == "" {
		t.Errorf("third request = %d %s %v, want 429 Too Many Requests with Retry-After", rec.Code, rec.Body, rec.Header())
	}
	if rec := get("/healthz", "192.0.2.1"); rec.Code != 204 || rec.Header().Get("X-RateLimit-Limit") != "" {
		t.Errorf("exempt path = %d %v, want 204 without limit headers", rec.Code, rec.Header())
	}
	if rec := get("/x", "192.0.2.2"); rec.Code != 204 {
		t.Errorf("another client = %d, want 204", rec.Code)
	}
}
