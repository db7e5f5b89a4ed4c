package authhttp_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fullauth/fullauth/authhttp"
)

var defaultSecureHeaders = map[string]string{
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"X-XSS-Protection":       "0",
	"Referrer-Policy":        "strict-origin-when-cross-origin",
	"Permissions-Policy":     "geolocation=(), camera=(), microphone=()",
}

// serveSecure runs r through SecureHeaders(c) in front of next (a 200 when
// nil) and returns the response headers.
func serveSecure(c authhttp.SecureHeadersConfig, r *http.Request, next http.Handler) http.Header {
	if next == nil {
		next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	}
	rec := httptest.NewRecorder()
	authhttp.SecureHeaders(c)(next).ServeHTTP(rec, r)
	return rec.Result().Header
}

func TestSecureHeadersDefaults(t *testing.T) {
	h := serveSecure(authhttp.SecureHeadersConfig{}, httptest.NewRequest("GET", "http://example.com/", nil), nil)
	for name, want := range defaultSecureHeaders {
		if got := h.Values(name); len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := h.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain http: %q", got)
	}
}

func TestSecureHeadersHSTS(t *testing.T) {
	plain := func(proto ...string) *http.Request {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		for _, p := range proto {
			r.Header.Add("X-Forwarded-Proto", p)
		}
		return r
	}
	overTLS := httptest.NewRequest("GET", "https://example.com/", nil)
	if overTLS.TLS == nil {
		overTLS.TLS = &tls.ConnectionState{}
	}
	const def = "max-age=31536000; includeSubDomains"
	tests := []struct {
		name string
		cfg  authhttp.SecureHeadersConfig
		req  *http.Request
		want string
	}{
		{"tls", authhttp.SecureHeadersConfig{}, overTLS, def},
		{"plain", authhttp.SecureHeadersConfig{}, plain(), ""},
		{"forwarded https", authhttp.SecureHeadersConfig{}, plain("https"), def},
		{"forwarded HTTPS padded", authhttp.SecureHeadersConfig{}, plain(" HTTPS "), def},
		{"forwarded https, http", authhttp.SecureHeadersConfig{}, plain("https, http"), def},
		{"forwarded http, https", authhttp.SecureHeadersConfig{}, plain("http, https"), ""},
		{"forwarded http then a second https line", authhttp.SecureHeadersConfig{}, plain("http", "https"), ""},
		{"forwarded http", authhttp.SecureHeadersConfig{}, plain("http"), ""},
		{"forwarded empty", authhttp.SecureHeadersConfig{}, plain(""), ""},
		{"forwarded httpsx", authhttp.SecureHeadersConfig{}, plain("httpsx"), ""},
		{"forwarded ignored", authhttp.SecureHeadersConfig{IgnoreForwardedProto: true}, plain("https"), ""},
		{"forwarded ignored, tls", authhttp.SecureHeadersConfig{IgnoreForwardedProto: true}, overTLS, def},
		{"disabled", authhttp.SecureHeadersConfig{DisableHSTS: true}, overTLS, ""},
		{"disabled via forwarded", authhttp.SecureHeadersConfig{DisableHSTS: true}, plain("https"), ""},
		{"custom value", authhttp.SecureHeadersConfig{HSTS: "max-age=63072000; includeSubDomains; preload"}, overTLS, "max-age=63072000; includeSubDomains; preload"},
		{"custom value, plain", authhttp.SecureHeadersConfig{HSTS: "max-age=1"}, plain(), ""},
		{"Custom map overrides", authhttp.SecureHeadersConfig{HSTS: "max-age=1", Custom: map[string]string{"strict-transport-security": "max-age=2"}}, overTLS, "max-age=2"},
		{"Custom map override is still https-only", authhttp.SecureHeadersConfig{Custom: map[string]string{"Strict-Transport-Security": "max-age=2"}}, plain(), ""},
		{"Custom map removes", authhttp.SecureHeadersConfig{Custom: map[string]string{"Strict-Transport-Security": ""}}, overTLS, ""},
		{"DisableHSTS beats Custom", authhttp.SecureHeadersConfig{DisableHSTS: true, Custom: map[string]string{"Strict-Transport-Security": "max-age=2"}}, overTLS, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := serveSecure(tt.cfg, tt.req, nil)
			got := h.Values("Strict-Transport-Security")
			switch {
			case tt.want == "" && len(got) != 0:
				t.Fatalf("HSTS = %q, want none", got)
			case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
				t.Fatalf("HSTS = %q, want %q", got, tt.want)
			}
			if h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("the fixed headers are missing")
			}
		})
	}
}

func TestSecureHeadersCustom(t *testing.T) {
	cfg := authhttp.SecureHeadersConfig{Custom: map[string]string{
		"x-frame-options":         "SAMEORIGIN",                    // override, any case
		"X-XSS-Protection":        "",                              // remove a default
		"Content-Security-Policy": "default-src 'self'",            // add
		"X-Not-A-Default":         "",                              // removing a non-default is a no-op
		"Permissions-Policy":      "geolocation=(self), camera=()", // override
	}}
	h := serveSecure(cfg, httptest.NewRequest("GET", "/", nil), nil)
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "SAMEORIGIN",
		"X-XSS-Protection":        "",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"Permissions-Policy":      "geolocation=(self), camera=()",
		"Content-Security-Policy": "default-src 'self'",
		"X-Not-A-Default":         "",
	}
	for name, v := range want {
		got := h.Values(name)
		if v == "" {
			if len(got) != 0 {
				t.Errorf("%s = %q, want absent", name, got)
			}
			continue
		}
		if len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}

func TestSecureHeadersOnEveryResponse(t *testing.T) {
	tests := []struct {
		name string
		next http.Handler
		code int
	}{
		{"404 from next", http.NotFoundHandler(), http.StatusNotFound},
		{"http.Error", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}), http.StatusInternalServerError},
		{"403 from the CSRF middleware", mustCSRF(t, authhttp.CSRFConfig{}).Middleware(http.NotFoundHandler()), http.StatusForbidden},
		{"mux 405", func() http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /only", func(http.ResponseWriter, *http.Request) {})
			return mux
		}(), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			authhttp.SecureHeaders(authhttp.SecureHeadersConfig{})(tt.next).ServeHTTP(rec, httptest.NewRequest("POST", "/only", nil))
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d", rec.Code, tt.code)
			}
			for name, want := range defaultSecureHeaders {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestSecureHeadersOverwriteAndOverride(t *testing.T) {
	// An outer layer's value is overwritten...
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Frame-Options", "ALLOWALL")
			w.Header().Add("X-Content-Type-Options", "sniff")
			next.ServeHTTP(w, r)
		})
	}
	rec := httptest.NewRecorder()
	outer(authhttp.SecureHeaders(authhttp.SecureHeadersConfig{})(http.NotFoundHandler())).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Values("X-Frame-Options"); len(got) != 1 || got[0] != "DENY" {
		t.Errorf("X-Frame-Options = %q, want [DENY]", got)
	}
	if got := rec.Header().Values("X-Content-Type-Options"); len(got) != 1 || got[0] != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want [nosniff]", got)
	}

	// ...while the handler itself may still change one for its response.
	h := serveSecure(authhttp.SecureHeadersConfig{}, httptest.NewRequest("GET", "/embed", nil),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Frame-Options", "SAMEORIGIN") }))
	if got := h.Get("X-Frame-Options"); got != "SAMEORIGIN" {
		t.Errorf("handler override: X-Frame-Options = %q, want SAMEORIGIN", got)
	}
}

func TestSecureHeadersPanicsOnBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  authhttp.SecureHeadersConfig
		want string
	}{
		{"bad name", authhttp.SecureHeadersConfig{Custom: map[string]string{"Bad Name": "x"}}, `"Bad Name" is not a valid header name`},
		{"newline in value", authhttp.SecureHeadersConfig{Custom: map[string]string{"X-Frame-Options": "DENY\r\nSet-Cookie: a=b"}}, "X-Frame-Options holds a control character"},
		{"newline in HSTS", authhttp.SecureHeadersConfig{HSTS: "max-age=1\n"}, "Strict-Transport-Security holds a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if s, _ := p.(string); !strings.Contains(s, tt.want) {
					t.Fatalf("panic %v, want one mentioning %q", p, tt.want)
				}
			}()
			authhttp.SecureHeaders(tt.cfg)
		})
	}
}
