package authhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const docPrefix = "/api/v1/auth"

// docServer is a Handler on a test server, with the emails it sent.
type docServer struct {
	h   *Handler
	srv *httptest.Server

	mu            sync.Mutex
	verify, reset []string
}

// newDocServer serves a Handler built with opts over an Auth whose config
// mod adjusts. Rate limits are off unless mod turns them on: the flows
// send many requests from one address.
func newDocServer(t *testing.T, mod func(*fullauth.Config), opts Options) *docServer {
	t.Helper()
	d := &docServer{}
	cfg := fullauth.Config{
		SecretKey:        []byte("openapi-test-secret-0123456789abcdef"),
		Argon2:           password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		KV:               fullauth.NewMemoryKV(),
		DisableRateLimit: true,
	}
	cfg.Hooks.SendVerificationEmail = func(_ context.Context, _, tok string) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.verify = append(d.verify, tok)
		return nil
	}
	cfg.Hooks.SendPasswordResetEmail = func(_ context.Context, _, tok string) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.reset = append(d.reset, tok)
		return nil
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := fullauth.New(memstore.New(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.h = New(a, opts)
	mux := http.NewServeMux()
	mux.Handle(docPrefix+"/", http.StripPrefix(docPrefix, d.h))
	d.srv = httptest.NewServer(mux)
	t.Cleanup(d.srv.Close)
	return d
}

func (d *docServer) last(list *[]string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	return (*list)[len(*list)-1]
}

// loadSpec generates h's document and loads and validates it with
// kin-openapi.
func loadSpec(t *testing.T, h *Handler) *openapi3.T {
	t.Helper()
	data, err := h.OpenAPI(docPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(t.Context(), openapi3.EnableMultiError(), openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("document does not validate: %v", err)
	}
	return doc
}

// rateLimitedRoutes are the routes with a rate-limit bucket (CONTRACT
// §9.3, §24.1).
var rateLimitedRoutes = map[string]bool{
	"POST /register": true, "POST /login": true, "POST /refresh": true,
	"POST /verify-email/request": true, "POST /verify-email/confirm": true,
	"POST /password-reset/request": true, "POST /password-reset/confirm": true,
}

// withRateLimits turns the rate limits of the default config back on.
func withRateLimits(c *fullauth.Config) { c.DisableRateLimit = false }

func mustCookies(t *testing.T) *Cookies {
	t.Helper()
	k, err := NewCookies(CookieConfig{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOpenAPIValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*fullauth.Config)
		opts Options
	}{
		{"default", withRateLimits, Options{}},
		{"reveal registered emails, no rate limits", func(c *fullauth.Config) { c.RevealRegisteredEmails = true }, Options{}},
		{"cookies", withRateLimits, Options{Cookies: mustCookies(t), CSRF: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDocServer(t, tc.mod, tc.opts)
			doc := loadSpec(t, d.h)
			cfg := d.h.auth.Config()
			var ops int
			for _, rt := range d.h.Routes() {
				item := doc.Paths.Value(docPrefix + rt.Path)
				if item == nil {
					t.Errorf("path %s missing", docPrefix+rt.Path)
					continue
				}
				op := item.GetOperation(rt.Method)
				if op == nil {
					t.Errorf("%s %s missing", rt.Method, rt.Path)
					continue
				}
				ops++
				if !slices.Equal(op.Tags, []string{"Auth"}) {
					t.Errorf("%s %s tags = %v, want [Auth]", rt.Method, rt.Path, op.Tags)
				}
				var schemes []string
				if op.Security != nil {
					for _, req := range *op.Security {
						for name := range req {
							schemes = append(schemes, name)
						}
					}
				}
				wantSchemes := []string{bearerScheme}
				if tc.opts.Cookies != nil {
					wantSchemes = append(wantSchemes, cookieScheme)
				}
				if (rt.Auth || rt.Path == "/logout") && !slices.Equal(schemes, wantSchemes) {
					t.Errorf("%s %s needs a token; security schemes = %v, want %v", rt.Method, rt.Path, schemes, wantSchemes)
				}
				if ok := op.Responses.Status(200); ok != nil && ok.Value.Headers["Cache-Control"] != nil {
					if got := ok.Value.Headers["Set-Cookie"] != nil; got != (tc.opts.Cookies != nil) {
						t.Errorf("%s %s documents Set-Cookie: %v, want %v", rt.Method, rt.Path, got, tc.opts.Cookies != nil)
					}
				}
				if rt.Auth && op.Responses.Status(401) == nil {
					t.Errorf("%s %s needs a token but documents no 401", rt.Method, rt.Path)
				}
				if op.RequestBody != nil && op.Responses.Status(413) == nil {
					t.Errorf("%s %s takes a body but documents no 413", rt.Method, rt.Path)
				}
				if op.Responses.Status(503) == nil {
					t.Errorf("%s %s documents no 503", rt.Method, rt.Path)
				}
				limited := !cfg.DisableRateLimit && rateLimitedRoutes[rt.Method+" "+rt.Path]
				if got := op.Responses.Status(429) != nil; got != limited {
					t.Errorf("%s %s documents 429: %v, want %v", rt.Method, rt.Path, got, limited)
				}
			}
			distinct := map[string]bool{}
			for _, rt := range d.h.Routes() {
				distinct[rt.Path] = true
			}
			if n := len(doc.Paths.Map()); n != len(distinct) {
				t.Errorf("paths = %d, want %d", n, len(distinct))
			}
			if ops != len(d.h.Routes()) {
				t.Errorf("operations = %d, want %d", ops, len(d.h.Routes()))
			}
			reg := doc.Paths.Value(docPrefix + "/register").Post.Responses
			if got, want := reg.Status(202) == nil, cfg.RevealRegisteredEmails; got != want {
				t.Errorf("register documents 202: %v, want %v", !got, !want)
			}
			if got, want := reg.Status(409) != nil, cfg.RevealRegisteredEmails; got != want {
				t.Errorf("register documents 409: %v, want %v", got, want)
			}
		})
	}
}

func TestOpenAPIEveryRouteDocumented(t *testing.T) {
	d := newDocServer(t, nil, Options{})
	routes := map[string]bool{}
	for _, rt := range d.h.Routes() {
		key := rt.Method + " " + rt.Path
		routes[key] = true
		if _, ok := operations[key]; !ok {
			t.Errorf("route %s has no entry in operations (openapi.go)", key)
		}
	}
	ids := map[string]string{}
	for key, op := range operations {
		if !routes[key] {
			t.Errorf("operations has %s, which no route serves", key)
		}
		if op.id == "" || op.summary == "" || len(op.answers) == 0 {
			t.Errorf("%s: operationId, summary and responses are required", key)
		}
		if other, dup := ids[op.id]; dup {
			t.Errorf("operationId %q of %s is also that of %s", op.id, key, other)
		}
		ids[op.id] = key
	}

	// An undocumented route fails the document, not only this test.
	const victim = "GET /me"
	partial := maps.Clone(operations)
	delete(partial, victim)
	_, err := d.h.openAPI(docPrefix, nil, partial)
	if err == nil || !strings.Contains(err.Error(), "GET /me has no OpenAPI entry") {
		t.Errorf("OpenAPI without an entry for %s: err = %v, want one naming the route", victim, err)
	}
}

// TestOpenAPIGolden pins the document of the default configuration.
func TestOpenAPIGolden(t *testing.T) {
	d := newDocServer(t, withRateLimits, Options{})
	got, err := d.h.OpenAPI(docPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.h.OpenAPI(docPrefix+"/", nil)
	if !bytes.Equal(got, again) {
		t.Fatal("two documents of the same handler differ")
	}
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./authhttp -run OpenAPI -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("document differs from %s at line %d:\n got: %s\nwant: %s\n(run go test ./authhttp -run OpenAPI -update if the change is intended)", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("document differs from %s in length: %d lines, want %d (go test ./authhttp -run OpenAPI -update)", golden, len(gl), len(wl))
	}
}

func TestOpenAPIOptions(t *testing.T) {
	d := newDocServer(t, nil, Options{})
	if _, err := d.h.OpenAPI("api", nil); err == nil {
		t.Error("OpenAPI with a relative prefix: err = nil")
	}
	data, err := d.h.OpenAPI("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Value("/login").Post
	if op == nil || len(op.Tags) != 0 {
		t.Errorf("with no prefix and no tags, POST /login = %+v, want it untagged at /login", op)
	}
}

// liveCheck sends requests to a server and checks each request and
// response against the document.
type liveCheck struct {
	t      *testing.T
	base   string
	router routers.Router
	seen   map[string]bool // operationIds exercised

	cookies []*http.Cookie // sent with every request
	header  http.Header    // of the last response
	body    any            // of the last response, decoded
}

func newLiveCheck(t *testing.T, d *docServer) *liveCheck {
	doc := loadSpec(t, d.h)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &liveCheck{t: t, base: d.srv.URL, router: router, seen: map[string]bool{}}
}

var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
		req := in.RequestValidationInput.Request
		switch in.SecuritySchemeName {
		case bearerScheme:
			if BearerToken(req) != "" {
				return nil
			}
		case cookieScheme:
			if c, err := req.Cookie(in.SecurityScheme.Name); err == nil && c.Value != "" {
				return nil
			}
		}
		return in.NewError(errors.New("no credentials for " + in.SecuritySchemeName))
	},
}

// do sends a request. The document must accept the request if
// requestValid, and reject it otherwise; the answer must have status want
// and match the document in every case. It returns a JSON object answer;
// c.body holds any answer.
func (c *liveCheck) do(method, path, bearer, body string, want int, requestValid bool) map[string]any {
	c.t.Helper()
	newReq := func() *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, c.base+docPrefix+path, rd)
		if err != nil {
			c.t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		for _, ck := range c.cookies {
			req.AddCookie(ck)
		}
		return req
	}
	req := newReq()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s: no operation in the document: %v", method, path, err)
	}
	c.seen[route.Operation.OperationID] = true
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validationOptions}
	err = openapi3filter.ValidateRequest(c.t.Context(), in)
	switch {
	case requestValid && err != nil:
		c.t.Errorf("%s %s %s: the document rejects the request: %v", method, path, body, err)
	case !requestValid && err == nil:
		c.t.Errorf("%s %s %s: the document accepts a request the server rejects", method, path, body)
	}

	res, err := http.DefaultClient.Do(newReq())
	if err != nil {
		c.t.Fatal(err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	c.header = res.Header
	if res.StatusCode != want {
		c.t.Fatalf("%s %s %s = %d %s, want %d", method, path, body, res.StatusCode, data, want)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: validationOptions}
	out.SetBodyBytes(data)
	if err := openapi3filter.ValidateResponse(c.t.Context(), out); err != nil {
		c.t.Errorf("%s %s = %d %s: the response does not match the document: %v", method, path, res.StatusCode, data, err)
	}
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, &c.body); err != nil {
		c.t.Fatalf("%s %s: body %s: %v", method, path, data, err)
	}
	m, _ := c.body.(map[string]any)
	return m
}

func TestOpenAPIMatchesLiveResponses(t *testing.T) {
	d := newDocServer(t, nil, Options{})
	c := newLiveCheck(t, d)
	const pw = "correct-horse-battery"

	c.do("POST", "/register", "", `{"email":"live@example.com","password":"`+pw+`"}`, 202, true)
	c.do("POST", "/register", "", `{"email":"LIVE@example.com","password":"`+pw+`","extra":1}`, 202, true)
	if m := c.do("POST", "/register", "", `{"email":"short@example.com","password":"short"}`, 422, true); m["detail"] != "Password must be at least 8 characters" {
		t.Errorf("policy 422 = %v, want a string detail", m)
	}
	if m := c.do("POST", "/register", "", `{"email":"nope"}`, 422, false); len(m["detail"].([]any)) != 2 {
		t.Errorf("422 = %v, want a list of two problems", m)
	}
	c.do("POST", "/register", "", `{"email":`, 422, false) // loc carries an integer offset
	c.do("POST", "/register", "", `[1]`, 422, false)
	c.do("POST", "/register", "", "", 422, false)
	c.do("POST", "/register", "", `{"email":"big@example.com","password":"`+strings.Repeat("x", 70<<10)+`"}`, 413, true)

	c.do("POST", "/login", "", `{"email":"live@example.com","password":"wrong-password"}`, 401, true)
	c.do("POST", "/login", "", `{"email":"live@example.com","password":null}`, 422, false)
	login := c.do("POST", "/login", "", `{"email":"live@example.com","password":"`+pw+`"}`, 200, true)
	access, refresh := login["access_token"].(string), login["refresh_token"].(string)

	c.do("GET", "/me", access, "", 200, true)
	c.do("GET", "/me", "", "", 401, false)
	c.do("GET", "/me", "not-a-token", "", 401, true)
	c.do("GET", "/me/verified", access, "", 403, true)

	c.do("PATCH", "/me", access, `{"display_name":"Live"}`, 200, true)
	c.do("PATCH", "/me", access, `{"display_name":null,"email":"x@example.com"}`, 200, true)
	c.do("PATCH", "/me", access, `{}`, 400, true)
	c.do("PATCH", "/me", access, `{"zeta":1}`, 422, true)
	c.do("PATCH", "/me", access, `{"display_name":5}`, 422, false)
	c.do("PATCH", "/me", access, `{"display_name":"`+strings.Repeat("n", 101)+`"}`, 422, false)

	pair := c.do("POST", "/refresh", "", `{"refresh_token":"`+refresh+`"}`, 200, true)
	c.do("POST", "/refresh", "", "", 401, true)
	c.do("POST", "/refresh", "", `{"refresh_token":null}`, 401, true)
	c.do("POST", "/refresh", "", `{"refresh_token":7}`, 422, false)
	access = pair["access_token"].(string)

	c.do("POST", "/change-password", access, `{"current_password":"wrong-password","new_password":"new-password-1"}`, 400, true)
	c.do("POST", "/change-password", access, `{"current_password":"`+pw+`","new_password":"short"}`, 422, true)
	c.do("POST", "/change-password", access, `{"current_password":"`+pw+`"}`, 422, false)

	c.do("POST", "/verify-email/request", access, "", 202, true)
	c.do("POST", "/verify-email/request", "", "", 401, false)
	tok := d.last(&d.verify)
	c.do("POST", "/verify-email/confirm", "", `{"token":"`+tok+`"}`, 200, true)
	c.do("POST", "/verify-email/confirm", "", `{"token":"`+tok+`"}`, 401, true)
	c.do("POST", "/verify-email/confirm", "", `{}`, 422, false)
	c.do("GET", "/me/verified", access, "", 200, true)

	// Sessions: end one by id, then the others.
	userID := login["user"].(map[string]any)["id"].(string)
	for range 2 {
		c.do("POST", "/login", "", `{"email":"live@example.com","password":"`+pw+`"}`, 200, true)
	}
	c.do("GET", "/sessions", access, "", 200, true)
	sessions := c.body.([]any)
	if len(sessions) != 3 {
		t.Fatalf("sessions = %v, want 3", sessions)
	}
	for _, s := range sessions {
		if s := s.(map[string]any); s["current"] == false {
			c.do("DELETE", "/sessions/"+s["family_id"].(string), access, "", 204, true)
			break
		}
	}
	c.do("DELETE", "/sessions/no-such-family", access, "", 404, true)
	if m := c.do("POST", "/sessions/revoke-others", access, "", 200, true); m["detail"] != "Signed out 1 other session(s)." {
		t.Errorf("revoke-others = %v", m)
	}

	// Administration, first as a plain user, then as a superuser.
	role := `{"user_id":"` + userID + `","role":"editor"}`
	c.do("POST", "/admin/assign-role", access, role, 403, true)
	yes := true
	if _, err := d.h.auth.Store().UpdateUser(t.Context(), userID, fullauth.UserUpdate{Superuser: &yes}); err != nil {
		t.Fatal(err)
	}
	// A change made around the Auth; tell it, or its user cache answers
	// with the user as it was.
	if err := d.h.auth.UserChanged(t.Context(), userID); err != nil {
		t.Fatal(err)
	}
	c.do("POST", "/admin/assign-role", access, role, 200, true)
	c.do("POST", "/admin/assign-role", access, `{"user_id":"01a21c2c-e510-7000-8000-000000000001","role":"editor"}`, 404, true)
	c.do("POST", "/admin/assign-role", access, `{"user_id":"nobody","role":"editor"}`, 422, true)
	c.do("POST", "/admin/assign-role", access, `{"user_id":"`+userID+`","role":""}`, 422, true)
	c.do("POST", "/admin/assign-role", access, `{"user_id":"`+userID+`"}`, 422, false)
	c.do("POST", "/admin/remove-role", access, role, 200, true)
	perm := `{"role":"editor","permission":"posts:write"}`
	c.do("POST", "/admin/assign-permission", access, perm, 200, true)
	c.do("GET", "/admin/role-permissions/editor", access, "", 200, true)
	if got := c.body.([]any); len(got) != 1 || got[0] != "posts:write" {
		t.Errorf("role permissions = %v", got)
	}
	c.do("POST", "/admin/remove-permission", access, perm, 200, true)
	c.do("POST", "/admin/remove-permission", access, `{"role":"editor"}`, 422, false)
	if m := c.do("GET", "/admin/users?email=LIVE&limit=10", access, "", 200, true); m["total"] != float64(1) {
		t.Errorf("users = %v, want one", m)
	}
	c.do("GET", "/admin/users?limit=abc", access, "", 422, false)
	c.do("GET", "/admin/users?limit=0", access, "", 422, false)
	c.do("GET", "/admin/users/"+userID, access, "", 200, true)
	c.do("GET", "/admin/users/nobody", access, "", 404, true)
	c.do("POST", "/register", "", `{"email":"other@example.com","password":"`+pw+`"}`, 202, true)
	other := c.do("POST", "/login", "", `{"email":"other@example.com","password":"`+pw+`"}`, 200, true)["user"].(map[string]any)["id"].(string)
	c.do("POST", "/admin/users/"+other+"/deactivate", access, "", 200, true)
	c.do("POST", "/admin/users/"+other+"/activate", access, "", 200, true)
	c.do("POST", "/admin/users/nobody/activate", access, "", 404, true)
	c.do("DELETE", "/admin/users/"+other, access, "", 204, true)
	c.do("DELETE", "/admin/users/"+other, access, "", 404, true)

	c.do("POST", "/password-reset/request", "", `{"email":"nobody@example.com"}`, 202, true)
	c.do("POST", "/password-reset/request", "", `{"email":"live@example.com"}`, 202, true)
	c.do("POST", "/password-reset/request", "", `{}`, 422, false)
	reset := d.last(&d.reset)
	c.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"short"}`, 422, true)
	c.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"reset-password-1"}`, 200, true)
	c.do("POST", "/password-reset/confirm", "", `{"token":"`+reset+`","new_password":"reset-password-2"}`, 401, true)
	c.do("GET", "/me", access, "", 401, true)

	login = c.do("POST", "/login", "", `{"email":"live@example.com","password":"reset-password-1"}`, 200, true)
	access = login["access_token"].(string)
	c.do("POST", "/change-password", access, `{"current_password":"reset-password-1","new_password":"changed-password-1"}`, 200, true)
	login = c.do("POST", "/login", "", `{"email":"live@example.com","password":"changed-password-1"}`, 200, true)
	access = login["access_token"].(string)
	c.do("POST", "/logout", access, `{"refresh_token":"`+login["refresh_token"].(string)+`"}`, 204, true)
	c.do("POST", "/logout", "", "", 401, false)
	c.do("GET", "/me", access, "", 401, true)

	access = c.do("POST", "/login", "", `{"email":"live@example.com","password":"changed-password-1"}`, 200, true)["access_token"].(string)
	c.do("POST", "/logout", access, "", 204, true)
	access = c.do("POST", "/login", "", `{"email":"live@example.com","password":"changed-password-1"}`, 200, true)["access_token"].(string)
	c.do("DELETE", "/me", access, "", 204, true)
	c.do("DELETE", "/me", access, "", 401, true)

	for id := range operationIDs() {
		if !c.seen[id] {
			t.Errorf("operation %s was not exercised", id)
		}
	}
}

func TestOpenAPIMatchesLiveRevealMode(t *testing.T) {
	d := newDocServer(t, func(c *fullauth.Config) { c.RevealRegisteredEmails = true }, Options{})
	c := newLiveCheck(t, d)
	if m := c.do("POST", "/register", "", `{"email":"open@example.com","password":"correct-horse-battery"}`, 201, true); m["email"] != "open@example.com" {
		t.Errorf("201 body = %v, want the user", m)
	}
	c.do("POST", "/register", "", `{"email":"Open@example.com","password":"correct-horse-battery"}`, 409, true)
}

// kvDown fails every read, like an unreachable Redis.
type kvDown struct{ fullauth.KV }

func (kvDown) Get(context.Context, ...string) ([][]byte, error) { return nil, context.DeadlineExceeded }

func TestOpenAPIMatchesUnavailable(t *testing.T) {
	d := newDocServer(t, nil, Options{})
	c := newLiveCheck(t, d)
	c.do("POST", "/register", "", `{"email":"down@example.com","password":"correct-horse-battery"}`, 202, true)
	access := c.do("POST", "/login", "", `{"email":"down@example.com","password":"correct-horse-battery"}`, 200, true)["access_token"].(string)

	// The same store behind an Auth whose KV is down.
	a, err := fullauth.New(d.h.auth.Store(), fullauth.Config{SecretKey: []byte("openapi-test-secret-0123456789abcdef"), KV: kvDown{fullauth.NewMemoryKV()}})
	if err != nil {
		t.Fatal(err)
	}
	down := New(a, Options{})
	mux := http.NewServeMux()
	mux.Handle(docPrefix+"/", http.StripPrefix(docPrefix, down))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c.base = srv.URL
	c.do("GET", "/me", access, "", 503, true)
}

// operationIDs lists the operationIds of the table.
func operationIDs() map[string]bool {
	ids := map[string]bool{}
	for _, op := range operations {
		ids[op.id] = true
	}
	return ids
}

func TestOpenAPIMatchesLiveRateLimit(t *testing.T) {
	d := newDocServer(t, func(c *fullauth.Config) {
		c.DisableRateLimit = false
		c.RateLimits.Login = 1
	}, Options{})
	c := newLiveCheck(t, d)
	const body = `{"email":"limited@example.com","password":"wrong-password"}`
	c.do("POST", "/login", "", body, 401, true)
	c.do("POST", "/login", "", body, 429, true)
	if c.header.Get("Retry-After") == "" {
		t.Errorf("429 headers = %v, want Retry-After", c.header)
	}
}

func TestOpenAPIMatchesLiveCookies(t *testing.T) {
	d := newDocServer(t, nil, Options{Cookies: mustCookies(t), CSRF: true})
	c := newLiveCheck(t, d)
	c.do("POST", "/register", "", `{"email":"jar@example.com","password":"correct-horse-battery"}`, 202, true)
	login := c.do("POST", "/login", "", `{"email":"jar@example.com","password":"correct-horse-battery"}`, 200, true)
	if login["refresh_token"] != nil {
		t.Errorf("refresh_token = %v, want null with cookies", login["refresh_token"])
	}
	res := http.Response{Header: c.header}
	c.cookies = res.Cookies()
	if len(c.cookies) != 2 {
		t.Fatalf("cookies = %v, want access and refresh", c.cookies)
	}
	c.do("GET", "/me", "", "", 200, true)
	c.do("POST", "/refresh", "", "", 200, true)
	c.cookies = (&http.Response{Header: c.header}).Cookies()
	c.do("POST", "/logout", "", "", 204, true)
	c.cookies = nil
	c.do("GET", "/me", "", "", 401, false)
}
