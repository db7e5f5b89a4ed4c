package authhttp_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
)

func TestObserveSeesEveryAnswer(t *testing.T) {
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("observe-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
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
