package authhttp_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth/authhttp"
)

func TestObserveSeesEveryAnswer(t *testing.T) {
	a := mustAuth(t)
	type seen struct {
		pattern string
		status  int
	}
	var mu sync.Mutex
	var got []seen
	h := authhttp.New(a, authhttp.Options{Observe: func(pattern string, status int, elapsed time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if elapsed < 0 {
			t.Errorf("elapsed = %v, want >= 0", elapsed)
		}
		got = append(got, seen{pattern, status})
	}})
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/me", ""},                           // 401 from the guard, before the route runs
		{"POST", "/login", `{"email":1}`},            // 422
		{"POST", "/refresh", `{"refresh_token":""}`}, // 401
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(req.method, req.path, strings.NewReader(req.body)))
	}
	want := []seen{{"GET /me", 401}, {"POST /login", 422}, {"POST /refresh", 401}}
	if len(got) != len(want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("observation %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestUnroutedRequestsGetJSON(t *testing.T) {
	a := mustAuth(t)
	h := authhttp.New(a, authhttp.Options{})
	tests := []struct {
		method, path string
		status       int
		detail       string
		allow        string
	}{
		{"GET", "/nope", 404, "Not Found", ""},
		{"GET", "", 404, "Not Found", ""},
		{"GET", "/login/../me", 404, "Not Found", ""},
		{"GET", "/login", 405, "Method Not Allowed", "POST"},
		{"PUT", "/me", 405, "Method Not Allowed", "DELETE, GET, HEAD, PATCH"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, "/", nil)
		req.URL.Path = tc.path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := `{"detail":"` + tc.detail + `"}`
		if rec.Code != tc.status || rec.Body.String() != want || rec.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %q = %d %s Allow=%q; want %d %s Allow=%q", tc.method, tc.path, rec.Code, rec.Body, rec.Header().Get("Allow"), tc.status, want, tc.allow)
		}
	}
}
