package authhttp_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth/authhttp"
)

func mustCORS(t *testing.T, c authhttp.CORSConfig) *authhttp.CORS {
	t.Helper()
	p, err := authhttp.NewCORS(c)
	if err != nil {
		t.Fatalf("NewCORS: %v", err)
	}
	return p
}

// serveCORS runs r through p in front of a handler answering 200, and
// reports whether that handler ran.
func serveCORS(p *authhttp.CORS, r *http.Request) (*httptest.ResponseRecorder, bool) {
	called := false
	rec := httptest.NewRecorder()
	p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
	})).ServeHTTP(rec, r)
	return rec, called
}

// corsRequest builds a request; preflight headers are set when acrm != "".
func corsRequest(method, origin, acrm string, acrh ...string) *http.Request {
	r := httptest.NewRequest(method, "http://api.example.com/api/v1/auth/login", nil)
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	if acrm != "" {
		r.Header.Set("Access-Control-Request-Method", acrm)
	}
	for _, h := range acrh {
		r.Header.Add("Access-Control-Request-Headers", h)
	}
	return r
}

var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
}

// wantHeaders checks the CORS headers of h: those in want with their
// values, every other one absent.
func wantHeaders(t *testing.T, h http.Header, want map[string]string) {
	t.Helper()
	for _, name := range corsHeaders {
		got := h.Values(name)
		v, ok := want[name]
		switch {
		case !ok && len(got) != 0:
			t.Errorf("%s = %q, want absent", name, got)
		case ok && (len(got) != 1 || got[0] != v):
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}

func varies(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Vary") {
		for _, part := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

func TestNewCORSErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  authhttp.CORSConfig
		want []string
	}{
		{"zero value", authhttp.CORSConfig{}, nil},
		{"origins", authhttp.CORSConfig{AllowCredentials: true, AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000/", "capacitor://localhost"}}, nil},
		{"wildcard without credentials", authhttp.CORSConfig{AllowedOrigins: []string{"*"}}, nil},
		{"wildcard with credentials", authhttp.CORSConfig{AllowCredentials: true, AllowedOrigins: []string{"*"}}, []string{
			`CORS allowed origin "*" cannot be combined with AllowCredentials; list the exact origins instead`}},
		{"everything wrong", authhttp.CORSConfig{
			AllowedOrigins: []string{"https://app.example.com/path", "app.example.com", "https://app.example.com?x", "https://user@app.example.com", "https://app.example.com:port", ""},
			AllowedMethods: []string{"GET", "BAD METHOD"},
			AllowedHeaders: []string{"X-Ok", "Bad:Header"},
			ExposedHeaders: []string{"Bad Header"},
		}, []string{
			`CORS allowed origin "https://app.example.com/path" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed origin "app.example.com" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed origin "https://app.example.com?x" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed origin "https://user@app.example.com" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed origin "https://app.example.com:port" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed origin "" must be a full origin (scheme://host[:port], no path)`,
			`CORS allowed method "BAD METHOD" is not a valid HTTP method`,
			`CORS allowed header "Bad:Header" is not a valid header name`,
			`CORS exposed header "Bad Header" is not a valid header name`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := authhttp.NewCORS(tt.cfg)
			if tt.want == nil {
				if err != nil || p == nil {
					t.Fatalf("NewCORS = %v, %v; want a policy", p, err)
				}
				return
			}
			if err == nil || p != nil {
				t.Fatalf("NewCORS = %v, %v; want an error", p, err)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Fatalf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

const defaultExposed = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"

func TestCORSActualRequests(t *testing.T) {
	cred := mustCORS(t, authhttp.CORSConfig{AllowCredentials: true, AllowedOrigins: []string{"https://App.example.com/", "http://localhost:3000"}})
	noCred := mustCORS(t, authhttp.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}, ExposedHeaders: []string{"X-Request-Id"}})
	wildcard := mustCORS(t, authhttp.CORSConfig{AllowedOrigins: []string{"*"}})
	tests := []struct {
		name   string
		policy *authhttp.CORS
		req    *http.Request
		want   map[string]string
	}{
		{"allowed origin with credentials", cred, corsRequest("POST", "https://app.example.com", ""), map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    defaultExposed,
		}},
		{"second allowed origin", cred, corsRequest("GET", "http://localhost:3000", ""), map[string]string{
			"Access-Control-Allow-Origin":      "http://localhost:3000",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    defaultExposed,
		}},
		{"origin echoed as sent", cred, corsRequest("GET", "https://APP.example.com", ""), map[string]string{
			"Access-Control-Allow-Origin":      "https://APP.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    defaultExposed,
		}},
		{"disallowed origin", cred, corsRequest("POST", "https://evil.example.com", ""), nil},
		{"other port", cred, corsRequest("POST", "http://localhost:3001", ""), nil},
		{"other scheme", cred, corsRequest("POST", "http://app.example.com", ""), nil},
		{"null origin", cred, corsRequest("POST", "null", ""), nil},
		{"no origin", cred, corsRequest("GET", "", ""), nil},
		{"without credentials", noCred, corsRequest("GET", "https://app.example.com", ""), map[string]string{
			"Access-Control-Allow-Origin":   "https://app.example.com",
			"Access-Control-Expose-Headers": "X-Request-Id",
		}},
		{"wildcard", wildcard, corsRequest("GET", "https://anyone.example", ""), map[string]string{
			"Access-Control-Allow-Origin":   "*",
			"Access-Control-Expose-Headers": defaultExposed,
		}},
		{"OPTIONS without Access-Control-Request-Method is not a preflight", cred, corsRequest("OPTIONS", "https://app.example.com", ""), map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    defaultExposed,
		}},
		{"preflight headers without Origin are not a preflight", cred, corsRequest("OPTIONS", "", "POST"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, called := serveCORS(tt.policy, tt.req)
			if !called || rec.Code != http.StatusOK {
				t.Fatalf("status %d, handler ran: %v; want the request passed on", rec.Code, called)
			}
			wantHeaders(t, rec.Header(), tt.want)
			if got := varies(rec.Header()); !slices.Equal(got, []string{"Origin"}) {
				t.Errorf("Vary = %q, want [Origin]", got)
			}
		})
	}
}

func TestCORSPreflight(t *testing.T) {
	cred := mustCORS(t, authhttp.CORSConfig{AllowCredentials: true, AllowedOrigins: []string{"https://app.example.com"}})
	const methods = "GET, POST, PATCH, DELETE, OPTIONS"
	granted := func(headers string) map[string]string {
		m := map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     methods,
			"Access-Control-Max-Age":           "600",
		}
		if headers != "" {
			m["Access-Control-Allow-Headers"] = headers
		}
		return m
	}
	tests := []struct {
		name   string
		policy *authhttp.CORS
		req    *http.Request
		want   map[string]string // nil = refused: no CORS headers
	}{
		{"simple", cred, corsRequest("OPTIONS", "https://app.example.com", "POST"), granted("")},
		{"allowed headers, any case", cred, corsRequest("OPTIONS", "https://app.example.com", "PATCH", "content-type,x-csrf-token", "AUTHORIZATION"), granted("content-type, x-csrf-token, AUTHORIZATION")},
		{"blank entries skipped", cred, corsRequest("OPTIONS", "https://app.example.com", "DELETE", " content-type , ,"), granted("content-type")},
		{"disallowed header", cred, corsRequest("OPTIONS", "https://app.example.com", "POST", "content-type,x-evil"), nil},
		{"disallowed method", cred, corsRequest("OPTIONS", "https://app.example.com", "PUT"), nil},
		{"method case matters", cred, corsRequest("OPTIONS", "https://app.example.com", "post"), nil},
		{"disallowed origin", cred, corsRequest("OPTIONS", "https://evil.example.com", "POST", "content-type"), nil},
		{"custom methods, headers, max age", mustCORS(t, authhttp.CORSConfig{
			AllowCredentials: true, AllowedOrigins: []string{"https://app.example.com"},
			AllowedMethods: []string{"GET", "PUT", "PUT"}, AllowedHeaders: []string{"X-Custom"}, MaxAge: 90*time.Second + time.Millisecond,
		}), corsRequest("OPTIONS", "https://app.example.com", "PUT", "x-custom"), map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     "GET, PUT",
			"Access-Control-Allow-Headers":     "x-custom",
			"Access-Control-Max-Age":           "91",
		}},
		{"custom headers replace the defaults", mustCORS(t, authhttp.CORSConfig{
			AllowedOrigins: []string{"https://app.example.com"}, AllowedHeaders: []string{"X-Custom"},
		}), corsRequest("OPTIONS", "https://app.example.com", "POST", "content-type"), nil},
		{"any header, no max age", mustCORS(t, authhttp.CORSConfig{
			AllowedOrigins: []string{"https://app.example.com"}, AllowedHeaders: []string{"*"}, MaxAge: -1,
		}), corsRequest("OPTIONS", "https://app.example.com", "POST", "x-anything"), map[string]string{
			"Access-Control-Allow-Origin":  "https://app.example.com",
			"Access-Control-Allow-Methods": methods,
			"Access-Control-Allow-Headers": "x-anything",
		}},
		{"wildcard origin", mustCORS(t, authhttp.CORSConfig{AllowedOrigins: []string{"*"}}),
			corsRequest("OPTIONS", "https://anyone.example", "GET"), map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": methods,
				"Access-Control-Max-Age":       "600",
			}},
		{"no origins configured", mustCORS(t, authhttp.CORSConfig{}), corsRequest("OPTIONS", "https://app.example.com", "GET"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, called := serveCORS(tt.policy, tt.req)
			if called {
				t.Fatal("a preflight reached the handler")
			}
			if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
				t.Fatalf("status %d body %q, want an empty 204", rec.Code, rec.Body)
			}
			wantHeaders(t, rec.Header(), tt.want)
			want := []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}
			if got := varies(rec.Header()); !slices.Equal(got, want) {
				t.Errorf("Vary = %q, want %q", got, want)
			}
		})
	}
}

// TestCORSThroughBrowserRules checks a full credentialed exchange the way
// a browser evaluates it: the preflight grants the method and headers, and
// the actual response names the origin and allows credentials.
func TestCORSThroughBrowserRules(t *testing.T) {
	p := mustCORS(t, authhttp.CORSConfig{AllowCredentials: true, AllowedOrigins: []string{"https://app.example.com"}})
	pre, _ := serveCORS(p, corsRequest("OPTIONS", "https://app.example.com", "POST", "content-type,x-csrf-token"))
	h := pre.Header()
	if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || h.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.EqualFold(h.Get("Access-Control-Allow-Headers"), "content-type, x-csrf-token") {
		t.Fatalf("preflight headers %v would not let the browser send the request", h)
	}
	actual, called := serveCORS(p, corsRequest("POST", "https://app.example.com", ""))
	if !called || actual.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || actual.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("actual response %v would be withheld from the page", actual.Header())
	}
}
