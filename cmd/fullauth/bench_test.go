package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fullauth/fullauth"
)

// The benchmarks below measure the server's handler stack per request,
// without the network: BenchmarkServeMe runs GET /api/v1/auth/me through
// routes() as `fullauth serve` builds it on the memory store, and
// BenchmarkServeBare runs the handler of scripts/bare in the same way, as
// the floor to compare with (scripts/load.sh compares them over HTTP).

// benchWriter is a ResponseWriter that keeps the status and discards the
// body. Its header map is emptied, not replaced, between requests, so
// that the benchmark counts only the handler's allocations.
type benchWriter struct {
	header http.Header
	status int
	n      int
}

func (w *benchWriter) Header() http.Header { return w.header }
func (w *benchWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

// benchServe runs req through h b.N times and fails unless every answer
// has status 200.
func benchServe(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	w := &benchWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("%s %s = %d, want 200", req.Method, req.URL.Path, w.status)
		}
	}
}

func BenchmarkServeMe(b *testing.B) {
	c, h := memoryServer(b)
	ctx := context.Background()
	const email, pw = "bench@example.com", "correct-horse-battery"
	if _, err := c.auth.Register(ctx, email, pw); err != nil {
		b.Fatal(err)
	}
	_, pair, err := c.auth.Login(ctx, email, pw, fullauth.ClientInfo{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+pair.AccessToken)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got struct{ Email string }
	if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != http.StatusOK || err != nil || got.Email != email {
		b.Fatalf("GET /me = %d %s, want 200 with the user", rec.Code, rec.Body)
	}
	benchServe(b, h, req)
}

func BenchmarkServeBare(b *testing.B) {
	// The body and handler of scripts/bare/main.go.
	type user struct {
		ID          string   `json:"id"`
		Email       string   `json:"email"`
		IsActive    bool     `json:"is_active"`
		IsVerified  bool     `json:"is_verified"`
		IsSuperuser bool     `json:"is_superuser"`
		DisplayName *string  `json:"display_name"`
		Roles       []string `json:"roles"`
	}
	me := user{ID: "01a21b34-cd58-778a-9b4b-2b55ae744ec6", Email: "bench@example.com", IsActive: true, Roles: []string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bare", func(w http.ResponseWriter, r *http.Request) {
		body, err := json.Marshal(me)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	benchServe(b, mux, httptest.NewRequest("GET", "/bare", nil))
}
