package main

import (
	"bufio"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
)

// routes() sends API requests to the handler without the server's mux (see
// apiFirst). It must answer them as the plain composition does: the API
// behind http.StripPrefix in the mux, with its redirects for unclean paths.
func TestAPIRoutingMatchesMux(t *testing.T) {
	c, got := memoryServer(t)
	prefix := c.auth.Config().AuthPath()
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, authhttp.New(c.auth, authhttp.Options{})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	})
	want := authhttp.SecureHeaders(authhttp.SecureHeadersConfig{})(mux)

	ctx := context.Background()
	if _, err := c.auth.Register(ctx, "ada@example.com", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	_, pair, err := c.auth.Login(ctx, "ada@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, target string }{
		{"GET", prefix + "/me"},
		{"HEAD", prefix + "/me"},
		{"PUT", prefix + "/me"},
		{"CONNECT", prefix + "/me"},
		{"GET", prefix + "/login"},
		{"POST", prefix + "/refresh"},
		{"GET", prefix + "/nope"},
		{"GET", prefix},
		{"GET", prefix + "/"},
		{"GET", prefix + "/me/"},
		{"GET", prefix + "//me"},
		{"GET", prefix + "/login/../me"},
		{"GET", prefix + "/login/../me?x=1"},
		{"GET", prefix + "/./me"},
		{"GET", prefix + "/m%65"},
		{"GET", prefix + "/me%2Fverified"},
		{"GET", "/api/v1/%61uth/me"},
		{"GET", "/api%2Fv1/auth/me"},
		{"GET", "/api/v1/../v1/auth/me"},
		{"GET", prefix + "x/me"},
		{"GET", "/nope"},
	} {
		serve := func(h http.Handler) *httptest.ResponseRecorder {
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(`{"refresh_token":""}`))
			req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		g, w := serve(got), serve(want)
		name := tc.method + " " + tc.target
		if w.Code == http.StatusNotFound && w.Body.String() == "404 page not found\n" {
			// StripPrefix's own 404 for an escaped prefix; the API answers
			// those with the JSON 404 of every other refusal.
			w = serve(authhttp.SecureHeaders(authhttp.SecureHeadersConfig{})(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Content-Type"] = []string{"application/json"}
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"detail":"Not Found"}`))
				})))
		}
		if g.Code != w.Code || g.Body.String() != w.Body.String() {
			t.Errorf("%s = %d %s, want %d %s", name, g.Code, g.Body, w.Code, w.Body)
		}
		if !maps.EqualFunc(g.Header(), w.Header(), slices.Equal) {
			t.Errorf("%s headers = %v, want %v", name, g.Header(), w.Header())
		}
	}
}

// Request targets that are not paths get a JSON 400 with the security
// headers, like every other refusal, not the mux's plain text.
func TestNonPathTargets(t *testing.T) {
	_, h := memoryServer(t)
	for _, raw := range []string{
		"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
		"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
	} {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		line, _, _ := strings.Cut(raw, "\r\n")
		if rec.Code != http.StatusBadRequest || rec.Body.String() != "{\"detail\":\"Bad Request\"}\n" ||
			rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s = %d %q %v, want 400 {\"detail\":\"Bad Request\"} as JSON with the security headers", line, rec.Code, rec.Body, rec.Header())
		}
	}
}
