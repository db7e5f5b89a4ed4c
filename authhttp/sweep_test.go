package authhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

// hostileBodies are bodies no client should send; each must get a 4xx with
// a detail, never a 5xx. (The password-reset request ignores fields other
// than email, so bodies with a valid email are valid there; the sweep skips
// that pair.)
var hostileBodies = []string{
	``,
	`null`,
	`true`,
	`"string"`,
	`[]`,
	`[{"email":"a@example.com"}]`,
	`{`,
	`{"email":`,
	`{"email":"a@example.com","password":"x"} trailing`,
	`{"email":{"$ne":null},"password":{"$ne":null}}`,
	`{"email":["a@example.com"],"password":["x"]}`,
	`{"email":"a@example.com' OR '1'='1","password":"' OR 1=1 --"}`,
	`{"email":"\u0000@example.com","password":"\u0000"}`,
	`{"email":"a@example.com","password":12345678}`,
	`{"token":123,"new_password":false}`,
	`{"token":"` + strings.Repeat("A", 10000) + `","new_password":"correct-horse-battery"}`,
	`{"token":"a.b.c","new_password":"correct-horse-battery"}`,
	`{"token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.","new_password":"correct-horse-battery"}`,
	`{"refresh_token":123}`,
	`{"refresh_token":"` + strings.Repeat("x.", 3000) + `"}`,
	`{"display_name":{"nested":true}}`,
	`{"current_password":1,"new_password":2}`,
	`{"email":"` + strings.Repeat("a", 400) + `@example.com","password":"correct-horse-battery"}`,
	`{"email":"a@b@example.com","password":"correct-horse-battery"}`,
	`{"email":"a@example.com","password":"` + strings.Repeat("p", 5000) + `"}`,
	"\xff\xfe{\"email\":1}",
	`{"email":"a@example.com","password":"\ud800"}`,
	strings.Repeat("[", 100000),
}

var hostileHeaders = []map[string]string{
	{"Authorization": "Bearer "},
	{"Authorization": "Bearer a.b.c"},
	{"Authorization": "Bearer " + strings.Repeat("x", 5000)},
	{"Authorization": "Basic YWRtaW46YWRtaW4="},
	{"Authorization": "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwiZXhwIjo5OTk5OTk5OTk5LCJpYXQiOjF9."},
	{"Content-Type": "text/plain"},
	{"Content-Type": "application/x-www-form-urlencoded"},
	{"Content-Type": "application/json; charset=\"broken"},
}

// TestHostileRequestsGet4xx sends every hostile body and header set to every
// route: each answer must be a 4xx with a JSON detail.
func TestHostileRequestsGet4xx(t *testing.T) {
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("sweep-test-secret-0123456789abcdefgh"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{})
	sent := 0
	check := func(method, path, body string, headers map[string]string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		sent++
		if rec.Code < 400 || rec.Code > 499 {
			t.Errorf("%s %s body %.60q headers %v = %d, want 4xx; body %.200s", method, path, body, headers, rec.Code, rec.Body)
			return
		}
		if rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound && !strings.Contains(rec.Body.String(), `"detail"`) {
			t.Errorf("%s %s = %d without a detail: %.200s", method, path, rec.Code, rec.Body)
		}
	}
	for _, rt := range h.Routes() {
		for _, body := range hostileBodies {
			if rt.Path == "/password-reset/request" && strings.Contains(body, `"email":"a@example.com"`) {
				continue
			}
			check(rt.Method, rt.Path, body, nil)
		}
		// Bad credentials on the routes that need them, and bodies that
		// are not JSON on the routes that read one.
		for _, headers := range hostileHeaders {
			_, sendsJunk := headers["Content-Type"]
			if rt.Auth || rt.Path == "/logout" || (sendsJunk && rt.Method != "GET" && rt.Method != "DELETE") {
				check(rt.Method, rt.Path, `{"email":"a@example.com","password":"correct-horse-battery"}`, headers)
			}
		}
	}
	for _, path := range []string{"/%00", "/me?x=" + strings.Repeat("y", 4000), "/unknown", "/login/"} {
		check("GET", path, "", nil)
	}
	check("PUT", "/login", "{}", nil)
	check("TRACE", "/me", "", nil)
	if sent < 50 {
		t.Fatalf("sent %d hostile requests, want at least 50", sent)
	}
	t.Logf("%d hostile requests, all 4xx", sent)
}

// FuzzAPIBody sends arbitrary bodies to the body-reading routes: the answer
// is always below 500.
func FuzzAPIBody(f *testing.F) {
	for _, b := range hostileBodies[:len(hostileBodies)-1] {
		f.Add("/login", b)
	}
	f.Add("/register", `{"email":"a@example.com","password":"correct-horse-battery"}`)
	f.Add("/refresh", `{"refresh_token":null}`)
	f.Add("/password-reset/confirm", `{"token":"x","new_password":"y"}`)
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("sweep-test-secret-0123456789abcdefgh"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 8, Threads: 1},
	})
	if err != nil {
		f.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{})
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest("POST", path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %q body %q = %d: %s", path, body, rec.Code, rec.Body)
		}
	})
}
