package authhttp_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fullauth/fullauth/authhttp"
)

var csrfSecret = []byte("0123456789abcdef0123456789abcdef") // exactly 32 bytes

const (
	errCSRFSecret   = "CSRFMiddleware requires a `secret` of at least 32 characters. Pass your FullAuthConfig SECRET_KEY (or a dedicated key)."
	errCSRFSameSite = "CSRFMiddleware with cookie_samesite='none' requires cookie_secure=True; browsers reject a SameSite=None cookie that is not also Secure."
)

// csrfToken signs raw the way the reference does, independently of the
// code under test.
func csrfToken(secret []byte, raw string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(raw))
	return raw + "." + hex.EncodeToString(mac.Sum(nil))
}

var (
	tokenA = csrfToken(csrfSecret, strings.Repeat("a1", 32))
	tokenB = csrfToken(csrfSecret, strings.Repeat("b2", 32))
)

func mustCSRF(t *testing.T, c authhttp.CSRFConfig) *authhttp.CSRF {
	t.Helper()
	if c.Secret == nil {
		c.Secret = csrfSecret
	}
	m, err := authhttp.NewCSRF(c)
	if err != nil {
		t.Fatalf("NewCSRF: %v", err)
	}
	return m
}

// csrfReq describes one request to the middleware.
type csrfReq struct {
	method, path    string
	cookie, header  string // "" = not sent
	origin, referer string
	secFetchSite    string
}

func (q csrfReq) build() *http.Request {
	method, path := q.method, q.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/api/v1/auth/logout"
	}
	r := httptest.NewRequest(method, "http://api.example.com"+path, nil)
	if q.cookie != "" {
		r.AddCookie(&http.Cookie{Name: "fullauth_csrf", Value: q.cookie})
	}
	for name, v := range map[string]string{"X-CSRF-Token": q.header, "Origin": q.origin, "Referer": q.referer, "Sec-Fetch-Site": q.secFetchSite} {
		if v != "" {
			r.Header.Set(name, v)
		}
	}
	return r
}

// serveCSRF runs r through m in front of a handler answering 200, and
// reports whether that handler ran.
func serveCSRF(m *authhttp.CSRF, r *http.Request) (*httptest.ResponseRecorder, bool) {
	called := false
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		w.WriteHeader(http.StatusOK)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, called
}

// wantCSRF checks the answer: "" = passed to the handler, else a 403 with
// that detail and the handler not run.
func wantCSRF(t *testing.T, rec *httptest.ResponseRecorder, called bool, detail string) {
	t.Helper()
	if detail == "" {
		if !called || rec.Code != http.StatusOK {
			t.Fatalf("got status %d (handler ran: %v, body %s), want the request passed", rec.Code, called, rec.Body)
		}
		return
	}
	if called {
		t.Fatalf("handler ran, want a 403 %q", detail)
	}
	if rec.Code != http.StatusForbidden {
		t.Fatalf("status = %d, want 403", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if want := map[string]any{"detail": detail}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("body = %v, want %v", got, want)
	}
}

func TestNewCSRFErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  authhttp.CSRFConfig
		want []string // every line of the error; nil = valid
	}{
		{"valid 32 bytes", authhttp.CSRFConfig{Secret: csrfSecret}, nil},
		{"no secret", authhttp.CSRFConfig{}, []string{errCSRFSecret}},
		{"31 bytes", authhttp.CSRFConfig{Secret: csrfSecret[:31]}, []string{errCSRFSecret}},
		{"none insecure", authhttp.CSRFConfig{Secret: csrfSecret, CookieSameSite: http.SameSiteNoneMode, CookieInsecure: true}, []string{errCSRFSameSite}},
		{"none secure", authhttp.CSRFConfig{Secret: csrfSecret, CookieSameSite: http.SameSiteNoneMode}, nil},
		{"strict insecure", authhttp.CSRFConfig{Secret: csrfSecret, CookieSameSite: http.SameSiteStrictMode, CookieInsecure: true}, nil},
		{"all problems at once", authhttp.CSRFConfig{
			Secret:         []byte("short"),
			CookieSameSite: http.SameSiteNoneMode, CookieInsecure: true,
			CookieName:     "bad name",
			HeaderName:     "X-CSRF:Token",
			ExemptPaths:    []string{"/ok", "api/relative"},
			TrustedOrigins: []string{"https://ok.example.com/", "app.example.com", "https://app.example.com/path", "*"},
			CookieDomain:   "bad domain",
		}, []string{
			errCSRFSecret,
			`CSRF cookie name "bad name" is not a valid cookie name`,
			`CSRF header name "X-CSRF:Token" is not a valid header name`,
			errCSRFSameSite,
			`CSRF cookie domain "bad domain" is not a valid cookie domain`,
			`CSRF exempt path "api/relative" must start with "/"`,
			`CSRF trusted origin "app.example.com" must be a full origin (scheme://host[:port], no path)`,
			`CSRF trusted origin "https://app.example.com/path" must be a full origin (scheme://host[:port], no path)`,
			`CSRF trusted origin "*" must be a full origin (scheme://host[:port], no path)`,
		}},
		{"unknown SameSite", authhttp.CSRFConfig{Secret: csrfSecret, CookieSameSite: 9}, []string{"CSRF cookie SameSite value 9 is not an http.SameSite mode"}},
		{"cross-origin protection with origins", authhttp.CSRFConfig{Secret: csrfSecret, CrossOriginProtection: true, TrustedOrigins: []string{"https://app.example.com"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := authhttp.NewCSRF(tt.cfg)
			if tt.want == nil {
				if err != nil || m == nil {
					t.Fatalf("NewCSRF = %v, %v; want a middleware", m, err)
				}
				return
			}
			if err == nil || m != nil {
				t.Fatalf("NewCSRF = %v, %v; want an error", m, err)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Fatalf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestCSRFExemptPaths(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{ExemptPaths: []string{"/api/foo", "/hooks/", "/exact/"}})
	tests := []struct {
		path   string
		exempt bool
	}{
		{"/api/foo", true},
		{"/api/foo/", true},
		{"/api/foo/x", true},
		{"/api/foo/x/y", true},
		{"/api/foobar", false},
		{"/api/fo", false},
		{"/api", false},
		{"/hooks", true}, // a trailing "/" in the setting is ignored
		{"/hooks/stripe", true},
		{"/hooksx", false},
		{"/exact", true},
		{"/api/foo/../admin", false}, // unclean paths are never exempt
		{"/api/foo/./x", false},
		{"/api/foo//x", false},
		{"/other/api/foo", false},
		// Routers match an escaped path segment by segment, so a path
		// with escapes of its own is never exempt: "hooks%2Fx" is one
		// segment to a mux, not "/hooks/" and more.
		{"/hooks%2Fx/account/delete", false},
		{"/api/fo%6F", false},
		{"/hooks/a%20b", true}, // the escape net/url would write itself
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// A POST without any token: passes only when exempt.
			rec, called := serveCSRF(m, csrfReq{path: tt.path}.build())
			if tt.exempt {
				wantCSRF(t, rec, called, "")
			} else {
				wantCSRF(t, rec, called, "CSRF token missing.")
			}
			// A GET on an exempt path is untouched: no cookie is set.
			rec, _ = serveCSRF(m, csrfReq{method: http.MethodGet, path: tt.path}.build())
			if got := len(rec.Result().Cookies()); tt.exempt && got != 0 {
				t.Errorf("GET on an exempt path set %d cookies, want none", got)
			}
		})
	}

	t.Run("root exempts everything", func(t *testing.T) {
		m := mustCSRF(t, authhttp.CSRFConfig{ExemptPaths: []string{"/"}})
		rec, called := serveCSRF(m, csrfReq{path: "/anything/at/all"}.build())
		wantCSRF(t, rec, called, "")
	})
}

var tokenPattern = regexp.MustCompile(`^[0-9a-f]{64}\.[0-9a-f]{64}$`)

func TestCSRFSafeMethodsSetCookie(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{})
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			rec, called := serveCSRF(m, csrfReq{method: method}.build())
			wantCSRF(t, rec, called, "")
			lines := rec.Header().Values("Set-Cookie")
			if len(lines) != 1 {
				t.Fatalf("Set-Cookie = %q, want exactly one", lines)
			}
			line := lines[0]
			for _, want := range []string{"fullauth_csrf=", "; Path=/", "; Secure", "; SameSite=Lax"} {
				if !strings.Contains(line, want) {
					t.Errorf("Set-Cookie %q lacks %q", line, want)
				}
			}
			for _, unwanted := range []string{"HttpOnly", "Max-Age", "Expires", "Domain"} {
				if strings.Contains(line, unwanted) {
					t.Errorf("Set-Cookie %q has %s", line, unwanted)
				}
			}
			c := rec.Result().Cookies()[0]
			if !tokenPattern.MatchString(c.Value) {
				t.Fatalf("token %q is not <64 hex>.<64 hex>", c.Value)
			}
			raw, _, _ := strings.Cut(c.Value, ".")
			if want := csrfToken(csrfSecret, raw); c.Value != want {
				t.Fatalf("token %q is not signed with HMAC-SHA256(secret, %q): want %q", c.Value, raw, want)
			}
		})
	}

	t.Run("fresh tokens differ", func(t *testing.T) {
		a, _ := serveCSRF(m, csrfReq{method: http.MethodGet}.build())
		b, _ := serveCSRF(m, csrfReq{method: http.MethodGet}.build())
		if a.Result().Cookies()[0].Value == b.Result().Cookies()[0].Value {
			t.Fatal("two requests got the same token")
		}
	})

	tests := []struct {
		name   string
		cookie string
		fresh  bool
	}{
		{"valid cookie is never rotated", tokenA, false},
		{"token minted under the same secret elsewhere", csrfToken(csrfSecret, "anything"), false},
		{"empty cookie is replaced", "", true},
		{"bad signature is replaced", tokenA[:len(tokenA)-1] + "0", true},
		{"other secret is replaced", csrfToken([]byte(strings.Repeat("z", 32)), strings.Repeat("a1", 32)), true},
		{"no dot is replaced", strings.Repeat("a", 64), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := csrfReq{method: http.MethodGet}.build()
			r.AddCookie(&http.Cookie{Name: "fullauth_csrf", Value: tt.cookie})
			rec, called := serveCSRF(m, r)
			wantCSRF(t, rec, called, "")
			got := rec.Result().Cookies()
			if !tt.fresh {
				if len(got) != 0 {
					t.Fatalf("set %v, want no cookie", got)
				}
				return
			}
			if len(got) != 1 || got[0].Value == tt.cookie || !tokenPattern.MatchString(got[0].Value) {
				t.Fatalf("set %v, want one fresh token", got)
			}
		})
	}
}

func TestCSRFCookieAttributes(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{
		CookieName:     "xsrf",
		CookieDomain:   "example.com",
		CookieInsecure: true,
		CookieSameSite: http.SameSiteStrictMode,
		CookieHTTPOnly: true,
	})
	rec, _ := serveCSRF(m, csrfReq{method: http.MethodGet}.build())
	line := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"xsrf=", "; Path=/", "; Domain=example.com", "; HttpOnly", "; SameSite=Strict"} {
		if !strings.Contains(line, want) {
			t.Errorf("Set-Cookie %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "Secure") {
		t.Errorf("Set-Cookie %q is Secure, want not", line)
	}

	m = mustCSRF(t, authhttp.CSRFConfig{CookieSameSite: http.SameSiteNoneMode})
	rec, _ = serveCSRF(m, csrfReq{method: http.MethodGet}.build())
	if line := rec.Header().Get("Set-Cookie"); !strings.Contains(line, "; Secure") || !strings.Contains(line, "; SameSite=None") {
		t.Errorf("Set-Cookie %q, want Secure and SameSite=None", line)
	}
}

func TestCSRFUnsafeMethods(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{})
	tampered := []byte(tokenA)
	if tampered[70] == '0' { // change one hex digit of the signature
		tampered[70] = '1'
	} else {
		tampered[70] = '0'
	}
	tests := []struct {
		name   string
		req    csrfReq
		detail string
	}{
		{"neither", csrfReq{}, "CSRF token missing."},
		{"cookie without header", csrfReq{cookie: tokenA}, "CSRF token missing."},
		{"header without cookie", csrfReq{header: tokenA}, "CSRF token missing."},
		{"bad cookie without header", csrfReq{cookie: "garbage"}, "CSRF token missing."},
		{"tampered signature", csrfReq{cookie: string(tampered), header: string(tampered)}, "CSRF cookie signature invalid."},
		{"tampered random part", csrfReq{cookie: "b" + tokenA[1:], header: "b" + tokenA[1:]}, "CSRF cookie signature invalid."},
		{"no dot", csrfReq{cookie: "abc", header: "abc"}, "CSRF cookie signature invalid."},
		{"empty random part", csrfReq{cookie: csrfToken(csrfSecret, ""), header: csrfToken(csrfSecret, "")}, "CSRF cookie signature invalid."},
		{"other secret", csrfReq{cookie: csrfToken([]byte(strings.Repeat("z", 32)), "x"), header: csrfToken([]byte(strings.Repeat("z", 32)), "x")}, "CSRF cookie signature invalid."},
		{"signature checked before comparison", csrfReq{cookie: "x.y", header: tokenA}, "CSRF cookie signature invalid."},
		{"different valid token", csrfReq{cookie: tokenA, header: tokenB}, "CSRF token mismatch."},
		{"one byte differs", csrfReq{cookie: tokenA, header: tokenA[:10] + "f" + tokenA[11:]}, "CSRF token mismatch."},
		{"header is a prefix", csrfReq{cookie: tokenA, header: tokenA[:64]}, "CSRF token mismatch."},
		{"header is longer", csrfReq{cookie: tokenA, header: tokenA + "0"}, "CSRF token mismatch."},
		{"header differs in case", csrfReq{cookie: tokenA, header: strings.ToUpper(tokenA)}, "CSRF token mismatch."},
		{"match", csrfReq{cookie: tokenA, header: tokenA}, ""},
		{"match, another token", csrfReq{cookie: tokenB, header: tokenB}, ""},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, "PROPFIND"} {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				tt.req.method = method
				rec, called := serveCSRF(m, tt.req.build())
				wantCSRF(t, rec, called, tt.detail)
				if n := len(rec.Result().Cookies()); n != 0 {
					t.Errorf("an unsafe request set %d cookies", n)
				}
			})
		}
	}

	t.Run("custom cookie and header names", func(t *testing.T) {
		m := mustCSRF(t, authhttp.CSRFConfig{CookieName: "xsrf", HeaderName: "X-XSRF-Token"})
		r := csrfReq{}.build()
		r.AddCookie(&http.Cookie{Name: "xsrf", Value: tokenA})
		r.Header.Set("X-Xsrf-Token", tokenA)
		rec, called := serveCSRF(m, r)
		wantCSRF(t, rec, called, "")
		// The default names are not consulted any more.
		rec, called = serveCSRF(m, csrfReq{cookie: tokenA, header: tokenA}.build())
		wantCSRF(t, rec, called, "CSRF token missing.")
	})
}

func TestCSRFTrustedOrigins(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{TrustedOrigins: []string{"https://app.example.com/", "http://LOCALHOST:3000"}})
	ok := csrfReq{cookie: tokenA, header: tokenA}
	with := func(origin, referer string) csrfReq {
		q := ok
		q.origin, q.referer = origin, referer
		return q
	}
	tests := []struct {
		name   string
		req    csrfReq
		detail string
	}{
		{"neither header skips the check", ok, ""},
		{"neither header, no token", csrfReq{}, "CSRF token missing."},
		{"origin trusted", with("https://app.example.com", ""), ""},
		{"origin with trailing slash", with("https://app.example.com/", ""), ""},
		{"origin differs in case", with("https://APP.example.com", ""), ""},
		{"setting differs in case", with("http://localhost:3000", ""), ""},
		{"origin untrusted", with("https://evil.example.com", ""), "CSRF origin check failed."},
		{"other scheme", with("http://app.example.com", ""), "CSRF origin check failed."},
		{"other port", with("https://app.example.com:8443", ""), "CSRF origin check failed."},
		{"suffix host", with("https://app.example.com.evil.com", ""), "CSRF origin check failed."},
		{"null origin", with("null", ""), "CSRF origin check failed."},
		{"origin checked before the token", csrfReq{origin: "https://evil.example.com"}, "CSRF origin check failed."},
		{"origin wins over referer (bad origin)", with("https://evil.example.com", "https://app.example.com/page"), "CSRF origin check failed."},
		{"origin wins over referer (good origin)", with("https://app.example.com", "https://evil.example.com/page"), ""},
		{"referer trusted", with("", "https://app.example.com/some/page?x=1#f"), ""},
		{"referer root", with("", "https://app.example.com/"), ""},
		{"referer with port", with("", "http://localhost:3000/login"), ""},
		{"referer untrusted", with("", "https://evil.example.com/https://app.example.com/"), "CSRF origin check failed."},
		{"referer relative", with("", "/some/page"), "CSRF origin check failed."},
		{"referer without scheme", with("", "app.example.com/page"), "CSRF origin check failed."},
		{"referer scheme without host", with("", "https:///page"), "CSRF origin check failed."},
		{"referer opaque", with("", "mailto:someone@app.example.com"), "CSRF origin check failed."},
		{"referer unparseable", with("", "https://[::1/page"), "CSRF origin check failed."},
		{"referer with user info", with("", "https://evil@app.example.com/"), "CSRF origin check failed."},
		{"trusted referer, bad token", csrfReq{referer: "https://app.example.com/", cookie: tokenA, header: tokenB}, "CSRF token mismatch."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, called := serveCSRF(m, tt.req.build())
			wantCSRF(t, rec, called, tt.detail)
		})
	}

	t.Run("safe methods are not origin-checked", func(t *testing.T) {
		rec, called := serveCSRF(m, csrfReq{method: http.MethodGet, origin: "https://evil.example.com"}.build())
		wantCSRF(t, rec, called, "")
	})
	t.Run("no trusted origins, no origin check", func(t *testing.T) {
		m := mustCSRF(t, authhttp.CSRFConfig{})
		rec, called := serveCSRF(m, with("https://evil.example.com", "").build())
		wantCSRF(t, rec, called, "")
	})
}

func TestCSRFCrossOriginProtection(t *testing.T) {
	on := mustCSRF(t, authhttp.CSRFConfig{CrossOriginProtection: true})
	off := mustCSRF(t, authhttp.CSRFConfig{})
	tests := []struct {
		name      string
		req       csrfReq
		detailOn  string
		detailOff string
	}{
		{"cross-site with a valid token", csrfReq{secFetchSite: "cross-site", origin: "https://evil.example.com", cookie: tokenA, header: tokenA}, "CSRF origin check failed.", ""},
		{"same-site is still cross-origin", csrfReq{secFetchSite: "same-site", origin: "https://other.example.com", cookie: tokenA, header: tokenA}, "CSRF origin check failed.", ""},
		{"same-origin", csrfReq{secFetchSite: "same-origin", origin: "http://api.example.com", cookie: tokenA, header: tokenA}, "", ""},
		{"old browser, origin matches host", csrfReq{origin: "http://api.example.com", cookie: tokenA, header: tokenA}, "", ""},
		{"old browser, foreign origin", csrfReq{origin: "https://evil.example.com", cookie: tokenA, header: tokenA}, "CSRF origin check failed.", ""},
		{"no browser headers", csrfReq{cookie: tokenA, header: tokenA}, "", ""},
		{"same-origin still needs the token", csrfReq{secFetchSite: "same-origin"}, "CSRF token missing.", "CSRF token missing."},
		{"safe methods pass", csrfReq{method: http.MethodGet, secFetchSite: "cross-site", origin: "https://evil.example.com"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, called := serveCSRF(on, tt.req.build())
			wantCSRF(t, rec, called, tt.detailOn)
			rec, called = serveCSRF(off, tt.req.build())
			wantCSRF(t, rec, called, tt.detailOff)
		})
	}

	t.Run("trusted origins pass it", func(t *testing.T) {
		m := mustCSRF(t, authhttp.CSRFConfig{CrossOriginProtection: true, TrustedOrigins: []string{"https://App.example.com/"}})
		rec, called := serveCSRF(m, csrfReq{secFetchSite: "cross-site", origin: "https://app.example.com", cookie: tokenA, header: tokenA}.build())
		wantCSRF(t, rec, called, "")
		rec, called = serveCSRF(m, csrfReq{secFetchSite: "cross-site", origin: "https://evil.example.com", cookie: tokenA, header: tokenA}.build())
		wantCSRF(t, rec, called, "CSRF origin check failed.")
	})
}

func TestCSRFLogsRejections(t *testing.T) {
	var buf bytes.Buffer
	m := mustCSRF(t, authhttp.CSRFConfig{
		TrustedOrigins: []string{"https://app.example.com"},
		Logger:         slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	tests := []struct {
		req csrfReq
		msg string
	}{
		{csrfReq{origin: "https://evil.example.com"}, "CSRF origin not allowed"},
		{csrfReq{}, "CSRF token missing"},
		{csrfReq{cookie: "x.y", header: "x.y"}, "CSRF cookie signature invalid"},
		{csrfReq{cookie: tokenA, header: tokenB}, "CSRF token mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			buf.Reset()
			tt.req.method, tt.req.path = http.MethodDelete, "/api/v1/auth/me"
			serveCSRF(m, tt.req.build())
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("log %q: %v", buf.String(), err)
			}
			for k, want := range map[string]string{"level": "WARN", "msg": tt.msg, "logger": "fullauth.csrf", "method": "DELETE", "path": "/api/v1/auth/me"} {
				if rec[k] != want {
					t.Errorf("log %s = %v, want %q (record %s)", k, rec[k], want, buf.String())
				}
			}
		})
	}

	t.Run("passing requests are not logged", func(t *testing.T) {
		buf.Reset()
		serveCSRF(m, csrfReq{cookie: tokenA, header: tokenA}.build())
		serveCSRF(m, csrfReq{method: http.MethodGet}.build())
		if buf.Len() != 0 {
			t.Fatalf("logged %s", buf.String())
		}
	})
}

// TestCSRFRoundTrip drives the middleware with a real client and cookie
// jar over TLS, so the default Secure cookie is stored and sent back.
func TestCSRFRoundTrip(t *testing.T) {
	m := mustCSRF(t, authhttp.CSRFConfig{})
	srv := httptest.NewTLSServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	client := srv.Client()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client.Jar = jar
	do := func(method, token string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/api/v1/auth/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	first := do(http.MethodGet, "")
	if n := len(first.Cookies()); n != 1 {
		t.Fatalf("first GET set %d cookies, want 1", n)
	}
	u, _ := url.Parse(srv.URL)
	var token string
	for _, c := range jar.Cookies(u) {
		if c.Name == "fullauth_csrf" {
			token = c.Value
		}
	}
	if token == "" {
		t.Fatal("the jar holds no fullauth_csrf cookie")
	}
	if resp := do(http.MethodGet, ""); len(resp.Cookies()) != 0 {
		t.Errorf("second GET set %v, want the cookie kept", resp.Cookies())
	}
	if resp := do(http.MethodPost, token); resp.StatusCode != http.StatusNoContent {
		t.Errorf("POST echoing the cookie: status %d, want 204", resp.StatusCode)
	}
	resp := do(http.MethodPost, "")
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden || body["detail"] != "CSRF token missing." {
		t.Errorf("POST without the header: %d %v, want 403 CSRF token missing.", resp.StatusCode, body)
	}
	if resp := do(http.MethodDelete, tokenB); resp.StatusCode != http.StatusForbidden {
		t.Errorf("DELETE with another valid token: status %d, want 403", resp.StatusCode)
	}
}

func TestCSRFConfigErrorsAreJoined(t *testing.T) {
	_, err := authhttp.NewCSRF(authhttp.CSRFConfig{CookieSameSite: http.SameSiteNoneMode, CookieInsecure: true})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Fatalf("error %v, want two joined problems", err)
	}
}

func ExampleNewCSRF() {
	csrf, err := authhttp.NewCSRF(authhttp.CSRFConfig{
		Secret:         []byte("a secret of at least thirty-two bytes!"),
		TrustedOrigins: []string{"https://app.example.com"},
	})
	if err != nil {
		panic(err)
	}
	app := csrf.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))

	// A page load hands out the token cookie.
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(cookie.Name, rec.Code)

	// An unsafe request must echo it in the header.
	post := httptest.NewRequest("POST", "/api/v1/auth/logout", nil)
	post.Header.Set("Origin", "https://app.example.com")
	post.AddCookie(cookie)
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, post)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))

	post.Header.Set("X-CSRF-Token", cookie.Value)
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, post)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	// Output:
	// fullauth_csrf 200
	// 403 {"detail":"CSRF token missing."}
	// 200 ok
}
