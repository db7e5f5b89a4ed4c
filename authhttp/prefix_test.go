package authhttp_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

// newPrefixAuth returns an Auth on a memory store with ada@example.com
// registered.
func newPrefixAuth(t *testing.T) *fullauth.Auth {
	t.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey:        []byte("prefix-test-secret-0123456789abcdef"),
		Argon2:           password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		DisableRateLimit: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Register(context.Background(), "ada@example.com", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	return a
}

// A Handler with Options.Prefix answers every request as the same Handler
// behind http.StripPrefix does, and reports the same routes to Observe.
func TestPrefixActsAsStripPrefix(t *testing.T) {
	a := newPrefixAuth(t)
	ctx := context.Background()
	_, pair, err := a.Login(ctx, "ada@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var observed []string
	observe := func(pattern string, status int, _ time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		observed = append(observed, pattern+" "+http.StatusText(status))
	}
	// The second prefix needs escaping, in paths and in mux patterns.
	for _, prefix := range []string{prefix, "/odd prefix/{x}%"} {
		stripped := http.StripPrefix(prefix, authhttp.New(a, authhttp.Options{Observe: observe}))
		prefixed := authhttp.New(a, authhttp.Options{Observe: observe, Prefix: prefix})
		escaped := (&url.URL{Path: prefix}).EscapedPath()
		tests := []struct {
			method, target, body string
			auth                 bool
		}{
			{"GET", escaped + "/me", "", true},
			{"GET", escaped + "/me", "", false},
			{"HEAD", escaped + "/me", "", true},
			{"GET", escaped + "/me/verified", "", true},
			{"PATCH", escaped + "/me", `{}`, true},
			{"PUT", escaped + "/me", "", true},
			{"OPTIONS", escaped + "/me", "", false},
			{"CONNECT", escaped + "/me", "", true},
			{"POST", escaped + "/login", `{"email":1}`, false},
			{"GET", escaped + "/login", "", false},
			{"POST", escaped + "/refresh", `{"refresh_token":""}`, false},
			{"DELETE", escaped + "/sessions/no-such-family", "", true},
			{"GET", escaped + "/sessions/no-such-family", "", true},
			{"GET", escaped + "/nope", "", false},
			{"GET", escaped, "", false},
			{"GET", escaped + "/", "", false},
			{"GET", escaped + "/me/", "", true},
			{"GET", escaped + "//me", "", true},
			{"GET", escaped + "/login/../me", "", true},
			{"GET", escaped + "/./me", "", true},
			{"GET", escaped + "/m%65", "", true},
			{"GET", escaped + "/me%2Fverified", "", true},
			{"GET", escaped + "/%6De/verified", "", true},
			{"GET", "/%61" + escaped[2:] + "/me", "", true},
			{"GET", "/elsewhere/me", "", true},
		}
		for _, tc := range tests {
			serve := func(h http.Handler) (*httptest.ResponseRecorder, []string) {
				req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
				if tc.auth {
					req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
				}
				mu.Lock()
				observed = nil
				mu.Unlock()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				mu.Lock()
				defer mu.Unlock()
				return rec, slices.Clone(observed)
			}
			want, wantObserved := serve(stripped)
			got, gotObserved := serve(prefixed)
			name := tc.method + " " + tc.target
			if want.Code == http.StatusNotFound && want.Body.String() == "404 page not found\n" {
				// A path outside the prefix: StripPrefix answers with
				// http.NotFound's text, Prefix with the JSON 404 that every
				// other refusal of the API has.
				want = httptest.NewRecorder()
				want.Header()["Content-Type"] = []string{"application/json"}
				want.WriteHeader(http.StatusNotFound)
				want.WriteString(`{"detail":"Not Found"}`)
			}
			if got.Code != want.Code || got.Body.String() != want.Body.String() {
				t.Errorf("%s = %d %s, want %d %s", name, got.Code, got.Body, want.Code, want.Body)
			}
			if g, w := got.Header(), want.Header(); !maps.EqualFunc(g, w, slices.Equal) {
				t.Errorf("%s headers = %v, want %v", name, g, w)
			}
			if !slices.Equal(gotObserved, wantObserved) {
				t.Errorf("%s observed %q, want %q", name, gotObserved, wantObserved)
			}
		}
	}
}

// "/authx" is not under "/auth"; http.StripPrefix would pass it on as "x".
func TestPrefixIsAPathPrefix(t *testing.T) {
	a := mustAuth(t)
	h := authhttp.New(a, authhttp.Options{Prefix: prefix})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", prefix+"login", strings.NewReader(`{}`)))
	if rec.Code != http.StatusNotFound || rec.Body.String() != `{"detail":"Not Found"}` {
		t.Errorf("POST %slogin = %d %q, want 404 {\"detail\":\"Not Found\"}", prefix, rec.Code, rec.Body)
	}
}

func TestPrefixMustBeAPath(t *testing.T) {
	a := mustAuth(t)
	for _, p := range []string{"api", "/api/", "/"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with Prefix %q did not panic", p)
				}
			}()
			authhttp.New(a, authhttp.Options{Prefix: p})
		}()
	}
}

// Escaped paths are matched segment by segment, as the mux does: an
// escaped slash does not separate segments.
func TestEscapedPaths(t *testing.T) {
	a := mustAuth(t)
	h := authhttp.New(a, authhttp.Options{})
	tests := []struct {
		method, target string
		status         int
	}{
		{"GET", "/me", http.StatusUnauthorized},
		{"HEAD", "/me", http.StatusUnauthorized},
		{"GET", "/m%65", http.StatusUnauthorized},
		{"GET", "/%6De/verified", http.StatusUnauthorized},
		{"GET", "/me%2Fverified", http.StatusNotFound},
		{"POST", "/change%2Dpassword", http.StatusUnauthorized},
		{"POST", "/verify-email%2Frequest", http.StatusNotFound},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.target, rec.Code, rec.Body, tc.status)
		}
	}
}

// With Prefix, wildcard routes still read their path values.
func TestPrefixPathValues(t *testing.T) {
	a := newPrefixAuth(t)
	ctx := context.Background()
	login := func() string {
		_, pair, err := a.Login(ctx, "ada@example.com", "correct-horse-battery", fullauth.ClientInfo{})
		if err != nil {
			t.Fatal(err)
		}
		return pair.AccessToken
	}
	access, other := login(), login()
	claims, err := a.AccessClaims(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{Prefix: prefix})
	for _, tc := range []struct {
		family string
		want   int
	}{{"no-such-family", http.StatusNotFound}, {claims.FamilyID, http.StatusNoContent}} {
		req := httptest.NewRequest("DELETE", prefix+"/sessions/"+tc.family, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("DELETE /sessions/%s = %d %s, want %d", tc.family, rec.Code, rec.Body, tc.want)
		}
	}
}
