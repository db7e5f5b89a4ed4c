package authhttp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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

const prefix = "/api/v1/auth"

type api struct {
	t     *testing.T
	srv   *httptest.Server
	auth  *fullauth.Auth
	store *memstore.Store

	mu     sync.Mutex
	verify []string
	reset  []string
}

// newAPI serves the handler under the default prefix on a test server.
func newAPI(t *testing.T, mod func(*fullauth.Config)) *api {
	t.Helper()
	x := &api{t: t, store: memstore.New()}
	cfg := fullauth.Config{
		SecretKey: []byte("authhttp-test-secret-0123456789abcdef"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		KV:        fullauth.NewMemoryKV(),
		// Each test sends many requests from one address; the rate-limit
		// tests switch limits back on.
		DisableRateLimit: true,
	}
	cfg.Hooks.SendVerificationEmail = func(_ context.Context, _, tok string) error {
		x.mu.Lock()
		defer x.mu.Unlock()
		x.verify = append(x.verify, tok)
		return nil
	}
	cfg.Hooks.SendPasswordResetEmail = func(_ context.Context, _, tok string) error {
		x.mu.Lock()
		defer x.mu.Unlock()
		x.reset = append(x.reset, tok)
		return nil
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := fullauth.New(x.store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	x.auth = a
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, authhttp.New(a, authhttp.Options{})))
	x.srv = httptest.NewServer(mux)
	t.Cleanup(x.srv.Close)
	return x
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func (r resp) detail(t *testing.T) any { t.Helper(); return r.json(t)["detail"] }

// do sends a request; body is sent as is with a JSON content type.
func (x *api) do(method, path, bearer, body string) resp {
	x.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, x.srv.URL+prefix+path, rd)
	if err != nil {
		x.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(data)}
}

func (x *api) want(r resp, status int, detail any) {
	x.t.Helper()
	if r.status != status {
		x.t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if detail != nil {
		if got := r.detail(x.t); got != detail {
			x.t.Fatalf("detail = %v, want %v", got, detail)
		}
	}
}

func (x *api) lastVerify() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.verify) == 0 {
		x.t.Fatal("no verification token sent")
	}
	return x.verify[len(x.verify)-1]
}

func (x *api) lastReset() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.reset) == 0 {
		x.t.Fatal("no reset token sent")
	}
	return x.reset[len(x.reset)-1]
}

// signup registers and logs in, returning the login body.
func (x *api) signup(email string) map[string]any {
	x.t.Helper()
	x.want(x.do("POST", "/register", "", `{"email":"`+email+`","password":"correct-horse-battery"}`), 202, nil)
	r := x.do("POST", "/login", "", `{"email":"`+email+`","password":"correct-horse-battery"}`)
	x.want(r, 200, nil)
	return r.json(x.t)
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

const generic401 = "Could not validate credentials"

func TestAPIWalkthrough(t *testing.T) {
	x := newAPI(t, nil)
	r := x.do("POST", "/register", "", `{"email":"Walk@Example.com","password":"correct-horse-battery","extra":"ignored"}`)
	x.want(r, 202, "If this email isn't already registered, a verification email has been sent.")
	x.want(x.do("POST", "/register", "", `{"email":"walk@example.com","password":"other-password-1"}`), 202,
		"If this email isn't already registered, a verification email has been sent.")

	x.want(x.do("POST", "/verify-email/confirm", "", `{"token":"`+x.lastVerify()+`"}`), 200, "Email verified.")

	r = x.do("POST", "/login", "", `{"email":"walk@example.com","password":"correct-horse-battery"}`)
	x.want(r, 200, nil)
	login := r.json(t)
	if got, want := keys(login), []string{"access_token", "expires_in", "refresh_token", "token_type", "user"}; !slices.Equal(got, want) {
		t.Errorf("login keys = %v, want %v", got, want)
	}
	if login["token_type"] != "bearer" || login["expires_in"] != float64(1800) {
		t.Errorf("login body = %v", login)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	user := login["user"].(map[string]any)
	if got, want := keys(user), []string{"display_name", "email", "id", "is_active", "is_superuser", "is_verified", "roles"}; !slices.Equal(got, want) {
		t.Errorf("user keys = %v, want %v", got, want)
	}
	if user["email"] != "walk@example.com" || user["is_verified"] != true || user["is_active"] != true || user["is_superuser"] != false {
		t.Errorf("user = %v", user)
	}
	access := login["access_token"].(string)

	r = x.do("GET", "/me", access, "")
	x.want(r, 200, nil)
	if r.json(t)["id"] != user["id"] {
		t.Errorf("/me = %s, want the same user", r.body)
	}
	x.want(x.do("GET", "/me/verified", access, ""), 200, nil)

	r = x.do("POST", "/refresh", "", `{"refresh_token":"`+login["refresh_token"].(string)+`"}`)
	x.want(r, 200, nil)
	pair := r.json(t)
	if got, want := keys(pair), []string{"access_token", "expires_in", "refresh_token", "token_type"}; !slices.Equal(got, want) {
		t.Errorf("refresh keys = %v, want %v", got, want)
	}
	newAccess := pair["access_token"].(string)

	r = x.do("POST", "/logout", newAccess, "")
	if r.status != 204 || r.body != "" {
		t.Fatalf("logout = %d %q, want 204 and no body", r.status, r.body)
	}
	for _, tok := range []string{newAccess, access} {
		r = x.do("GET", "/me", tok, "")
		x.want(r, 401, generic401)
		if got := r.header.Get("WWW-Authenticate"); got != "Bearer" {
			t.Errorf("WWW-Authenticate = %q, want Bearer", got)
		}
	}
	x.want(x.do("POST", "/refresh", "", `{"refresh_token":"`+pair["refresh_token"].(string)+`"}`), 401, generic401)
}

func TestAPIRevealRegisteredEmails(t *testing.T) {
	x := newAPI(t, func(c *fullauth.Config) { c.RevealRegisteredEmails = true })
	r := x.do("POST", "/register", "", `{"email":"open@example.com","password":"correct-horse-battery"}`)
	x.want(r, 201, nil)
	if r.json(t)["email"] != "open@example.com" {
		t.Errorf("201 body = %s, want the user", r.body)
	}
	x.want(x.do("POST", "/register", "", `{"email":"OPEN@example.com","password":"correct-horse-battery"}`), 409,
		"A user with this email already exists")
}

func TestAPIValidationErrors(t *testing.T) {
	x := newAPI(t, nil)
	tests := []struct {
		name, path, body string
		wantType         string
		wantLoc          []any
		wantMsg          string
	}{
		{"no body", "/register", "", "missing", []any{"body"}, "Field required"},
		{"invalid JSON", "/register", `{"email":`, "json_invalid", nil, "JSON decode error"},
		// Extra data is located as Python's json.loads locates it.
		{"a second value", "/login", `{} {}`, "json_invalid", []any{"body", 3.0}, "JSON decode error"},
		{"a stray brace", "/login", `{"email":"a@example.com","password":"correct-horse-battery"}}`, "json_invalid", []any{"body", 60.0}, "JSON decode error"},
		{"a stray bracket", "/login", `{}]`, "json_invalid", []any{"body", 2.0}, "JSON decode error"},
		{"non-JSON space after", "/login", "{} \u00a0", "json_invalid", []any{"body", 3.0}, "JSON decode error"},
		{"array body", "/register", `[1,2]`, "model_attributes_type", []any{"body"}, "Input should be a valid dictionary or object to extract fields from"},
		{"missing password", "/register", `{"email":"a@example.com"}`, "missing", []any{"body", "password"}, "Field required"},
		{"password not a string", "/register", `{"email":"a@example.com","password":12345678}`, "string_type", []any{"body", "password"}, "Input should be a valid string"},
		{"email without @", "/register", `{"email":"nope","password":"correct-horse-battery"}`, "value_error", []any{"body", "email"}, "value is not a valid email address: An email address must have an @-sign."},
		{"email without dot", "/password-reset/request", `{"email":"a@localhost"}`, "value_error", []any{"body", "email"}, "value is not a valid email address: The part after the @-sign is not valid. It should have a period."},
		{"login null password", "/login", `{"email":"a@example.com","password":null}`, "string_type", []any{"body", "password"}, "Input should be a valid string"},
		{"confirm without token", "/verify-email/confirm", `{}`, "missing", []any{"body", "token"}, "Field required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := x.do("POST", tc.path, "", tc.body)
			x.want(r, 422, nil)
			list, ok := r.detail(t).([]any)
			if !ok || len(list) == 0 {
				t.Fatalf("detail = %s, want a list", r.body)
			}
			first := list[0].(map[string]any)
			if first["type"] != tc.wantType || first["msg"] != tc.wantMsg {
				t.Errorf("first error = %v, want type %q msg %q", first, tc.wantType, tc.wantMsg)
			}
			if tc.wantLoc != nil && !slices.Equal(first["loc"].([]any), tc.wantLoc) {
				t.Errorf("loc = %v, want %v", first["loc"], tc.wantLoc)
			}
			if _, ok := first["input"]; !ok {
				t.Errorf("error %v lacks input", first)
			}
		})
	}
	t.Run("every problem at once", func(t *testing.T) {
		r := x.do("POST", "/register", "", `{"email":"bad"}`)
		x.want(r, 422, nil)
		if n := len(r.detail(t).([]any)); n != 2 {
			t.Errorf("errors = %d, want 2 (email and password): %s", n, r.body)
		}
	})
	t.Run("policy message is a string", func(t *testing.T) {
		x.want(x.do("POST", "/register", "", `{"email":"short@example.com","password":"short"}`), 422, "Password must be at least 8 characters")
	})
}

// A body that breaks off or is badly framed is the client's fault: 400 with
// a detail, not a 500 and an error log.
func TestAPIUnreadableBody(t *testing.T) {
	x := newAPI(t, nil)
	tests := []struct{ name, raw string }{
		{"bad chunk size", "POST " + prefix + "/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
		{"body shorter than its length", "POST " + prefix + "/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			"Content-Length: 50\r\n\r\n{\"email\":"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", x.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(conn, tc.raw); err != nil {
				t.Fatal(err)
			}
			conn.(*net.TCPConn).CloseWrite() // the body ends here, whatever it promised
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			defer res.Body.Close()
			var got struct{ Detail string }
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != 400 || got.Detail != "There was an error parsing the body" {
				t.Errorf("answer = %d %+v (%v), want 400 \"There was an error parsing the body\"", res.StatusCode, got, err)
			}
		})
	}
}

func TestAPIBodyLimit(t *testing.T) {
	x := newAPI(t, nil)
	big := `{"email":"a@example.com","password":"` + strings.Repeat("x", 70<<10) + `"}`
	x.want(x.do("POST", "/register", "", big), 413, "Request body too large")
	x.want(x.do("POST", "/register", "", `{"email":"a@example.com","password":"`+strings.Repeat("x", 2000)+`"}`), 422, "Password must be at most 1024 bytes")
}

func TestAPIProfile(t *testing.T) {
	x := newAPI(t, nil)
	access := x.signup("prof@example.com")["access_token"].(string)
	tests := []struct {
		name, body string
		status     int
		detail     any
	}{
		{"empty object", `{}`, 400, "No valid fields to update"},
		{"only protected", `{"email":"x@example.com","is_superuser":true,"roles":["admin"]}`, 400, "No valid fields to update"},
		{"unknown fields", `{"zeta":1,"alpha":2,"is_active":false}`, 422, "Unknown fields: alpha, zeta"},
		{"wrong type", `{"display_name":5}`, 422, nil},
		{"too long", `{"display_name":"` + strings.Repeat("n", 101) + `"}`, 422, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { x.want(x.do("PATCH", "/me", access, tc.body), tc.status, tc.detail) })
	}
	// The framework's type error on a known field wins over the handler's
	// unknown-fields check (CONTRACT §3.2): a list, not a string.
	for _, body := range []string{`{"display_name":5,"foo":1}`, `{"display_name":5}`} {
		r := x.do("PATCH", "/me", access, body)
		x.want(r, 422, nil)
		list, ok := r.detail(t).([]any)
		if !ok || len(list) != 1 || list[0].(map[string]any)["type"] != "string_type" {
			t.Errorf("PATCH /me %s detail = %s, want one string_type error", body, r.body)
		}
	}
	r := x.do("PATCH", "/me", access, `{"display_name":"Prof","is_superuser":true}`)
	x.want(r, 200, nil)
	if m := r.json(t); m["display_name"] != "Prof" || m["is_superuser"] != false {
		t.Errorf("PATCH /me = %s, want the name set and privileges untouched", r.body)
	}
	r = x.do("PATCH", "/me", access, `{"display_name":null}`)
	x.want(r, 200, nil)
	if m := r.json(t); m["display_name"] != nil {
		t.Errorf("display_name = %v, want null after clearing", m["display_name"])
	}
	x.want(x.do("GET", "/me/verified", access, ""), 403, "Not enough permissions")
}

func TestAPIChangePasswordAndDelete(t *testing.T) {
	x := newAPI(t, nil)
	access := x.signup("cp@example.com")["access_token"].(string)
	x.want(x.do("POST", "/change-password", access, `{"new_password":"new-password-123"}`), 400, "Current password is incorrect")
	x.want(x.do("POST", "/change-password", access, `{"current_password":"wrong","new_password":"new-password-123"}`), 400, "Current password is incorrect")
	x.want(x.do("POST", "/change-password", access, `{"current_password":"correct-horse-battery","new_password":"short"}`), 422, "Password must be at least 8 characters")
	x.want(x.do("POST", "/change-password", access, `{"current_password":"correct-horse-battery","new_password":"new-password-123"}`), 200, "Password changed successfully.")
	x.want(x.do("GET", "/me", access, ""), 401, generic401) // CONTRACT §24.14

	r := x.do("POST", "/login", "", `{"email":"cp@example.com","password":"new-password-123"}`)
	x.want(r, 200, nil)
	access = r.json(t)["access_token"].(string)
	r = x.do("DELETE", "/me", access, "")
	if r.status != 204 {
		t.Fatalf("DELETE /me = %d %s", r.status, r.body)
	}
	x.want(x.do("GET", "/me", access, ""), 401, generic401)
	x.want(x.do("POST", "/login", "", `{"email":"cp@example.com","password":"new-password-123"}`), 401, generic401)
}

func TestAPIVerifyAndReset(t *testing.T) {
	x := newAPI(t, nil)
	access := x.signup("vr@example.com")["access_token"].(string)
	x.want(x.do("POST", "/verify-email/request", access, ""), 202, "If eligible, a verification email has been sent.")
	x.want(x.do("POST", "/verify-email/request", "", ""), 401, generic401)
	tok := x.lastVerify()
	x.want(x.do("POST", "/verify-email/confirm", "", `{"token":"`+tok+`"}`), 200, "Email verified.")
	x.want(x.do("POST", "/verify-email/confirm", "", `{"token":"`+tok+`"}`), 401, generic401)

	x.want(x.do("POST", "/password-reset/request", "", `{"email":"nobody@example.com"}`), 202, "If the email exists, a reset link has been sent.")
	x.want(x.do("POST", "/password-reset/request", "", `{"email":"VR@example.com"}`), 202, "If the email exists, a reset link has been sent.")
	reset := x.lastReset()
	x.want(x.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"short"}`), 422, "Password must be at least 8 characters")
	x.want(x.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"reset-password-1"}`), 200, "Password has been reset.")
	x.want(x.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"reset-password-2"}`), 401, generic401)
	x.want(x.do("GET", "/me", access, ""), 401, generic401)
	x.want(x.do("POST", "/password-reset/confirm", "", `{"token":"`+tok+`","new_password":"reset-password-3"}`), 401, generic401)
}

// kvDown fails every call, like an unreachable Redis.
type kvDown struct{ fullauth.KV }

func (kvDown) Get(context.Context, ...string) ([][]byte, error) { return nil, context.DeadlineExceeded }

func TestAPIRevocationStateDownIs503(t *testing.T) {
	x := newAPI(t, nil)
	access := x.signup("down@example.com")["access_token"].(string)
	a, err := fullauth.New(x.store, fullauth.Config{SecretKey: []byte("authhttp-test-secret-0123456789abcdef"), KV: kvDown{fullauth.NewMemoryKV()}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	authhttp.New(a, authhttp.Options{}).ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "temporarily unavailable") {
		t.Errorf("GET /me with the KV down = %d %s, want 503 with a detail", rec.Code, rec.Body)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct{ header, want string }{
		{"Bearer abc", "abc"},
		{"bearer abc", "abc"},
		{"BEARER abc", "abc"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"", ""},
		{"Bearerabc", ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if got := authhttp.BearerToken(r); got != tc.want {
			t.Errorf("BearerToken(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		trusted []string
		count   int
		peer    string
		want    string
	}{
		{"no trusted headers", map[string]string{"X-Forwarded-For": "1.1.1.1"}, nil, 1, "10.0.0.2:5000", "10.0.0.2"},
		{"count 1 takes the rightmost", map[string]string{"X-Forwarded-For": "1.1.1.1, 10.0.0.1, 203.0.113.9"}, []string{"X-Forwarded-For"}, 1, "10.0.0.2:1", "203.0.113.9"},
		{"count 2", map[string]string{"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.0.0.1"}, []string{"X-Forwarded-For"}, 2, "10.0.0.2:1", "203.0.113.9"},
		{"chain shorter than count", map[string]string{"X-Forwarded-For": "6.6.6.6"}, []string{"X-Forwarded-For"}, 2, "10.0.0.2:1", "10.0.0.2"},
		{"case-insensitive header, empty pieces dropped", map[string]string{"x-real-ip": " , 198.51.100.4 ,"}, []string{"X-Real-IP"}, 1, "10.0.0.2:1", "198.51.100.4"},
		{"first present header decides", map[string]string{"X-Real-IP": "198.51.100.4", "X-Forwarded-For": "203.0.113.9"}, []string{"X-Forwarded-For", "X-Real-IP"}, 1, "10.0.0.2:1", "203.0.113.9"},
		{"empty header skipped", map[string]string{"X-Forwarded-For": " ", "X-Real-IP": "198.51.100.4"}, []string{"X-Forwarded-For", "X-Real-IP"}, 1, "10.0.0.2:1", "198.51.100.4"},
		{"IPv6 peer", nil, nil, 1, "[2001:db8::1]:443", "2001:db8::1"},
		{"IPv6 in chain", map[string]string{"X-Forwarded-For": "2001:db8::7"}, []string{"X-Forwarded-For"}, 1, "[::1]:1", "2001:db8::7"},
		{"no peer", nil, nil, 1, "", "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := authhttp.ClientIP(r, tc.trusted, tc.count); got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSessionMetadataUsesClientIP(t *testing.T) {
	x := newAPI(t, func(c *fullauth.Config) { c.TrustedProxyHeaders = []string{"X-Forwarded-For"} })
	x.want(x.do("POST", "/register", "", `{"email":"ip@example.com","password":"correct-horse-battery"}`), 202, nil)
	req, _ := http.NewRequest("POST", x.srv.URL+prefix+"/login", strings.NewReader(`{"email":"ip@example.com","password":"correct-horse-battery"}`))
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.50")
	req.Header.Set("User-Agent", "agent/1.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	_, c, err := x.auth.Authenticate(t.Context(), body["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.store.RefreshTokenFamily(t.Context(), c.FamilyID)
	if len(rows) != 1 || rows[0].IPAddress != "203.0.113.50" || rows[0].UserAgent != "agent/1.0" {
		t.Errorf("session rows = %+v, want IP 203.0.113.50 and the user agent", rows)
	}
}

// A client that goes away mid-request is no server error: the answer
// nobody reads is recorded as 499, with no error log.
func TestClientGoneIs499(t *testing.T) {
	x := newAPI(t, nil)
	x.signup("gone@example.com")
	var logs strings.Builder
	a, err := fullauth.New(x.store, fullauth.Config{
		SecretKey: []byte("authhttp-test-secret-0123456789abcdef"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var observed []int
	h := authhttp.New(a, authhttp.Options{Observe: func(_ string, status int, _ time.Duration) { observed = append(observed, status) }})
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // the client is gone before the password is checked
	req := httptest.NewRequestWithContext(ctx, "POST", "/login", strings.NewReader(`{"email":"gone@example.com","password":"correct-horse-battery"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 499 || !slices.Equal(observed, []int{499}) {
		t.Errorf("login by a client that went away = %d (observed %v), want 499", rec.Code, observed)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logs hold an error:\n%s", logs.String())
	}
}

// After refusing an oversized body the server closes the connection rather
// than read the rest of it, also when the handler's answers are observed
// (the status-recording writer must not hide the limit from net/http).
func TestBodyLimitClosesTheConnection(t *testing.T) {
	for _, observed := range []bool{false, true} {
		a := mustAuth(t)
		var opts authhttp.Options
		if observed {
			opts.Observe = func(string, int, time.Duration) {}
		}
		srv := httptest.NewServer(authhttp.New(a, opts))
		// Just over the limit: net/http would read the rest and keep the
		// connection if nobody told it the limit was hit.
		big := `{"email":"a@example.com","password":"` + strings.Repeat("x", 70<<10) + `"}`
		res, err := http.Post(srv.URL+"/register", "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 413 || !res.Close {
			t.Errorf("observed=%v: oversized body = %d, Connection: close %v; want 413 and close", observed, res.StatusCode, res.Close)
		}
		srv.Close()
	}
}
