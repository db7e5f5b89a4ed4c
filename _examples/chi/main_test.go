package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

const (
	email    = "ada@example.com"
	pass     = "correct-horse-battery"
	unauthed = `{"detail":"Could not validate credentials"}`
)

// newTestAuth builds an Auth on the in-memory store with cheap argon2
// parameters, so the test hashes in microseconds.
func newTestAuth(t *testing.T) *fullauth.Auth {
	t.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("test-secret-key-at-least-32-bytes-long"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// do sends one request through h; body, when set, is sent as JSON.
func do(t *testing.T, h http.Handler, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// want checks the status of w and returns its JSON body.
func want(t *testing.T, w *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	var out map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("body %q: %v", w.Body, err)
		}
	}
	return out
}

func login(t *testing.T, h http.Handler, email, pass string) string {
	t.Helper()
	w := do(t, h, "POST", "/api/v1/auth/login", "", `{"email":"`+email+`","password":"`+pass+`"}`)
	tok, _ := want(t, w, http.StatusOK)["access_token"].(string)
	if tok == "" {
		t.Fatalf("login: no access_token in %s", w.Body)
	}
	return tok
}

// wantUnauthorized checks the 401 every guard answers without a valid token.
func wantUnauthorized(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	want(t, w, http.StatusUnauthorized)
	if got := strings.TrimSpace(w.Body.String()); got != unauthed {
		t.Errorf("body %s, want %s", got, unauthed)
	}
	if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("WWW-Authenticate %q, want Bearer", got)
	}
}

func TestRouter(t *testing.T) {
	a := newTestAuth(t)
	h := newRouter(a)

	w := do(t, h, "POST", "/api/v1/auth/register", "", `{"email":"`+email+`","password":"`+pass+`"}`)
	want(t, w, http.StatusAccepted)
	tok := login(t, h, email, pass)

	if _, err := a.CreateSuperuser(context.Background(), "root@example.com", pass); err != nil {
		t.Fatal(err)
	}
	rootTok := login(t, h, "root@example.com", pass)

	t.Run("auth API is mounted", func(t *testing.T) {
		if got := want(t, do(t, h, "GET", "/api/v1/auth/me", tok, ""), http.StatusOK)["email"]; got != email {
			t.Errorf("me: email %v, want %s", got, email)
		}
	})
	t.Run("hello with token", func(t *testing.T) {
		if got := want(t, do(t, h, "GET", "/api/hello", tok, ""), http.StatusOK)["message"]; got != "Hello, "+email+"!" {
			t.Errorf("message %q", got)
		}
	})
	t.Run("hello without token", func(t *testing.T) {
		wantUnauthorized(t, do(t, h, "GET", "/api/hello", "", ""))
	})
	t.Run("hello with bad token", func(t *testing.T) {
		wantUnauthorized(t, do(t, h, "GET", "/api/hello", "not-a-token", ""))
	})
	t.Run("admin as user", func(t *testing.T) {
		if got := want(t, do(t, h, "GET", "/api/admin", tok, ""), http.StatusForbidden)["detail"]; got != "Not enough permissions" {
			t.Errorf("detail %q", got)
		}
	})
	t.Run("admin without token", func(t *testing.T) {
		wantUnauthorized(t, do(t, h, "GET", "/api/admin", "", ""))
	})
	t.Run("admin as superuser", func(t *testing.T) {
		want(t, do(t, h, "GET", "/api/admin", rootTok, ""), http.StatusOK)
	})
	t.Run("public", func(t *testing.T) {
		if got := want(t, do(t, h, "GET", "/api/public", "", ""), http.StatusOK)["signed_in"]; got != false {
			t.Errorf("anonymous: signed_in %v", got)
		}
		out := want(t, do(t, h, "GET", "/api/public", tok, ""), http.StatusOK)
		if out["signed_in"] != true || out["email"] != email {
			t.Errorf("signed in: %v", out)
		}
	})
	t.Run("role and permission guards", func(t *testing.T) {
		userID, _ := want(t, do(t, h, "GET", "/api/v1/auth/me", tok, ""), http.StatusOK)["id"].(string)
		if userID == "" {
			t.Fatal("me: no id")
		}
		guarded := []string{"/api/editor", "/api/posts/write"}
		wantAll := func(t *testing.T, status int) {
			t.Helper()
			for _, path := range guarded {
				out := want(t, do(t, h, "GET", path, tok, ""), status)
				if status == http.StatusForbidden && out["detail"] != "Not enough permissions" {
					t.Errorf("%s: detail %q", path, out["detail"])
				}
			}
		}
		for _, path := range guarded {
			wantUnauthorized(t, do(t, h, "GET", path, "", ""))
			want(t, do(t, h, "GET", path, rootTok, ""), http.StatusOK) // superusers pass
		}

		// A plain user holds neither the role nor the permission.
		wantAll(t, http.StatusForbidden)

		// A superuser assigns the role and grants the permission to it; the
		// guards read the store, so the user's current token is enough.
		roleBody := `{"user_id":"` + userID + `","role":"editor"}`
		want(t, do(t, h, "POST", "/api/v1/auth/admin/assign-role", rootTok, roleBody), http.StatusOK)
		want(t, do(t, h, "POST", "/api/v1/auth/admin/assign-permission", rootTok, `{"role":"editor","permission":"posts:write"}`), http.StatusOK)
		wantAll(t, http.StatusOK)

		// Removing the role takes effect on the next request.
		want(t, do(t, h, "POST", "/api/v1/auth/admin/remove-role", rootTok, roleBody), http.StatusOK)
		wantAll(t, http.StatusForbidden)

		// Only superusers may assign roles.
		want(t, do(t, h, "POST", "/api/v1/auth/admin/assign-role", tok, roleBody), http.StatusForbidden)
	})
	t.Run("logout revokes the token", func(t *testing.T) {
		want(t, do(t, h, "POST", "/api/v1/auth/logout", tok, "{}"), http.StatusNoContent)
		wantUnauthorized(t, do(t, h, "GET", "/api/hello", tok, ""))
	})
}
