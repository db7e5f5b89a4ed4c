package authhttp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/password"
	"github.com/fullauth/fullauth/token"
)

// adminAPI is newAPI with a signed-in superuser and a signed-in user.
func adminAPI(t *testing.T) (x *api, root, user string, userID string) {
	t.Helper()
	x = newAPI(t, nil)
	if _, err := x.auth.CreateSuperuser(t.Context(), "root@example.com", "root-password-1"); err != nil {
		t.Fatal(err)
	}
	r := x.do("POST", "/login", "", `{"email":"root@example.com","password":"root-password-1"}`)
	x.want(r, 200, nil)
	root = r.json(t)["access_token"].(string)
	login := x.signup("member@example.com")
	user = login["access_token"].(string)
	userID = login["user"].(map[string]any)["id"].(string)
	return x, root, user, userID
}

func TestAdminRoleRoutes(t *testing.T) {
	x, root, user, userID := adminAPI(t)
	body := `{"user_id":"` + userID + `","role":"editor"}`

	x.want(x.do("POST", "/admin/assign-role", "", body), 401, generic401)
	x.want(x.do("POST", "/admin/assign-role", user, body), 403, "Not enough permissions")
	x.want(x.do("POST", "/admin/assign-role", root, body), 200, "Role 'editor' assigned to user "+userID+".")
	x.want(x.do("POST", "/admin/assign-role", root, body), 200, "Role 'editor' assigned to user "+userID+".")
	const absent = "01a21c2c-e510-7000-8000-000000000001"
	x.want(x.do("POST", "/admin/assign-role", root, `{"user_id":"`+absent+`","role":"editor"}`), 404, "User not found")
	x.want(x.do("POST", "/admin/assign-role", root, `{"user_id":"`+userID+`"}`), 422, nil)
	// Other spellings of the id are the same user, named canonically.
	for _, spelling := range []string{strings.ToUpper(userID), strings.ReplaceAll(userID, "-", ""), "{" + userID + "}", "urn:uuid:" + userID} {
		x.want(x.do("POST", "/admin/assign-role", root, `{"user_id":"`+spelling+`","role":"editor"}`), 200, "Role 'editor' assigned to user "+userID+".")
	}
	// user_id is a UUID whatever the store's keys are (CONTRACT §3.4); the
	// messages are pydantic's, checked against pydantic 2 in session 3.
	for _, tc := range []struct{ raw, typ, msg string }{
		{`"42"`, "uuid_parsing", "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 2"},
		{`"nope"`, "uuid_parsing", "Input should be a valid UUID, invalid character: found `n` at 1"},
		{`"01a21c2c-e5107000-8000-000000000001"`, "uuid_parsing", "Input should be a valid UUID, invalid group count: expected 5, found 4"},
		{`"01a21c2c-e510-7000-8000-0000000000011"`, "uuid_parsing", "Input should be a valid UUID, invalid group length in group 4: expected 12, found 13"},
		{`"01a21c2c-e510-7000-8000-00000000000g"`, "uuid_parsing", "Input should be a valid UUID, invalid character: found `g` at 36"},
		{`"01a21c2ce510700080000000000000001"`, "uuid_parsing", "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 33"},
		{`42`, "uuid_type", "UUID input should be a string, bytes or UUID object"},
		{`null`, "uuid_type", "UUID input should be a string, bytes or UUID object"},
	} {
		for _, route := range []string{"/admin/assign-role", "/admin/remove-role"} {
			r := x.do("POST", route, root, `{"user_id":`+tc.raw+`,"role":"editor"}`)
			x.want(r, 422, nil)
			first := r.detail(t).([]any)[0].(map[string]any)
			if first["type"] != tc.typ || first["msg"] != tc.msg || !slices.Equal(first["loc"].([]any), []any{"body", "user_id"}) {
				t.Errorf("%s with user_id %s: first error %v, want type %q msg %q at body.user_id", route, tc.raw, first, tc.typ, tc.msg)
			}
		}
	}

	r := x.do("GET", "/me", user, "")
	x.want(r, 200, nil)
	if roles := r.json(t)["roles"].([]any); len(roles) != 1 || roles[0] != "editor" {
		t.Errorf("roles after assignment = %v, want [editor]", roles)
	}

	x.want(x.do("POST", "/admin/assign-permission", root, `{"role":"editor","permission":"posts:write"}`), 200, "Permission 'posts:write' assigned to role 'editor'.")
	x.want(x.do("POST", "/admin/assign-permission", user, `{"role":"editor","permission":"x"}`), 403, "Not enough permissions")
	r = x.do("GET", "/admin/role-permissions/editor", root, "")
	x.want(r, 200, nil)
	if strings.TrimSpace(r.body) != `["posts:write"]` {
		t.Errorf("role-permissions = %s, want [\"posts:write\"]", r.body)
	}
	r = x.do("GET", "/admin/role-permissions/nobody", root, "")
	if r.status != 200 || strings.TrimSpace(r.body) != `[]` {
		t.Errorf("role-permissions of an unknown role = %d %s, want 200 []", r.status, r.body)
	}
	x.want(x.do("POST", "/admin/remove-permission", root, `{"role":"editor","permission":"posts:write"}`), 200, "Permission 'posts:write' removed from role 'editor'.")
	x.want(x.do("POST", "/admin/remove-permission", root, `{"role":"ghost","permission":"none"}`), 200, "Permission 'none' removed from role 'ghost'.")
	x.want(x.do("POST", "/admin/remove-role", root, body), 200, "Role 'editor' removed from user "+userID+".")
	x.want(x.do("POST", "/admin/remove-role", root, `{"user_id":"01A21C2C-E510-7000-8000-000000000001","role":"x"}`), 200, "Role 'x' removed from user 01a21c2c-e510-7000-8000-000000000001.")
}

func TestAdminUserRoutes(t *testing.T) {
	x, root, user, userID := adminAPI(t)
	x.want(x.do("GET", "/admin/users", user, ""), 403, "Not enough permissions")
	x.want(x.do("GET", "/admin/users", "", ""), 401, generic401)

	r := x.do("GET", "/admin/users?limit=1&offset=0", root, "")
	x.want(r, 200, nil)
	page := r.json(t)
	if page["total"] != float64(2) || len(page["items"].([]any)) != 1 || page["limit"] != float64(1) {
		t.Errorf("page = %s, want total 2 with 1 item", r.body)
	}
	r = x.do("GET", "/admin/users?email=MEMBER", root, "")
	x.want(r, 200, nil)
	items := r.json(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["email"] != "member@example.com" {
		t.Errorf("search by email = %s, want the member only", r.body)
	}
	for _, bad := range []string{"limit=abc", "limit=0", "limit=1000", "offset=-1"} {
		x.want(x.do("GET", "/admin/users?"+bad, root, ""), 422, nil)
	}

	x.want(x.do("GET", "/admin/users/"+userID, root, ""), 200, nil)
	x.want(x.do("GET", "/admin/users/no-such-user", root, ""), 404, "User not found")

	r = x.do("POST", "/admin/users/"+userID+"/deactivate", root, "")
	x.want(r, 200, nil)
	if r.json(t)["is_active"] != false {
		t.Errorf("deactivate = %s, want is_active false", r.body)
	}
	x.want(x.do("GET", "/me", user, ""), 401, generic401) // every session ended at once
	x.want(x.do("POST", "/login", "", `{"email":"member@example.com","password":"correct-horse-battery"}`), 401, generic401)
	r = x.do("POST", "/admin/users/"+userID+"/activate", root, "")
	x.want(r, 200, nil)
	x.want(x.do("POST", "/login", "", `{"email":"member@example.com","password":"correct-horse-battery"}`), 200, nil)

	if r := x.do("DELETE", "/admin/users/"+userID, root, ""); r.status != 204 {
		t.Fatalf("delete = %d %s, want 204", r.status, r.body)
	}
	x.want(x.do("DELETE", "/admin/users/"+userID, root, ""), 404, "User not found")
	x.want(x.do("POST", "/admin/users/"+userID+"/activate", root, ""), 404, "User not found")
}

func TestSessionRoutes(t *testing.T) {
	x := newAPI(t, nil)
	first := x.signup("s@example.com")
	second := x.do("POST", "/login", "", `{"email":"s@example.com","password":"correct-horse-battery"}`).json(t)
	access := second["access_token"].(string)

	r := x.do("GET", "/sessions", access, "")
	x.want(r, 200, nil)
	var list []map[string]any
	if err := jsonUnmarshal(r.body, &list); err != nil || len(list) != 2 {
		t.Fatalf("GET /sessions = %s, want two sessions", r.body)
	}
	var other string
	for _, s := range list {
		for _, k := range []string{"family_id", "ip_address", "user_agent", "created_at", "last_used_at", "expires_at", "current"} {
			if _, ok := s[k]; !ok {
				t.Errorf("session %v lacks %s", s, k)
			}
		}
		if !strings.HasSuffix(s["created_at"].(string), "Z") {
			t.Errorf("created_at = %v, want UTC with Z", s["created_at"])
		}
		if s["current"] == false {
			other = s["family_id"].(string)
		}
	}
	// Both sessions began in the same second, so their order is a tie;
	// the store suites check the ordering itself.
	current := 0
	for _, s := range list {
		if s["current"] == true {
			current++
		}
	}
	if current != 1 {
		t.Errorf("%d sessions marked current, want exactly 1: %s", current, r.body)
	}

	x.want(x.do("DELETE", "/sessions/no-such-family", access, ""), 404, "Session not found")
	if r := x.do("DELETE", "/sessions/"+other, access, ""); r.status != 204 {
		t.Fatalf("DELETE /sessions/{other} = %d %s", r.status, r.body)
	}
	x.want(x.do("GET", "/me", first["access_token"].(string), ""), 401, generic401)
	if r := x.do("DELETE", "/sessions/"+other, access, ""); r.status != 204 {
		t.Errorf("ending an ended session again = %d, want 204", r.status)
	}

	third := x.do("POST", "/login", "", `{"email":"s@example.com","password":"correct-horse-battery"}`).json(t)
	x.want(x.do("POST", "/sessions/revoke-others", access, ""), 200, "Signed out 1 other session(s).")
	x.want(x.do("GET", "/me", third["access_token"].(string), ""), 401, generic401)
	x.want(x.do("GET", "/me", access, ""), 200, nil)

	// Someone else's session is not found, whatever its id.
	stranger := x.signup("stranger@example.com")["access_token"].(string)
	x.want(x.do("DELETE", "/sessions/"+list[0]["family_id"].(string), stranger, ""), 404, "Session not found")
}

// minimalStore has no optional capability at all.
type minimalStore struct{ fullauth.Store }

func TestOptionalRoutesFollowTheStore(t *testing.T) {
	a, err := fullauth.New(minimalStore{memstore.New()}, fullauth.Config{
		SecretKey: []byte("authhttp-test-secret-0123456789abcdef"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{})
	for _, rt := range h.Routes() {
		if strings.HasPrefix(rt.Path, "/admin") || strings.HasPrefix(rt.Path, "/sessions") {
			t.Errorf("route %s %s mounted on a store without the capability", rt.Method, rt.Path)
		}
	}
	for _, path := range []string{"/sessions", "/admin/users"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s on a minimal store = %d, want 404", path, rec.Code)
		}
	}
	full := authhttp.New(mustAuth(t), authhttp.Options{})
	var paths []string
	for _, rt := range full.Routes() {
		paths = append(paths, rt.Method+" "+rt.Path)
	}
	for _, want := range []string{"GET /sessions", "POST /admin/assign-role", "GET /admin/role-permissions/{role_name}", "GET /admin/users"} {
		if !slices.Contains(paths, want) {
			t.Errorf("routes on the memory store lack %s", want)
		}
	}
}

func TestRequireRoleAndPermission(t *testing.T) {
	x, root, user, userID := adminAPI(t)
	h := authhttp.New(x.auth, authhttp.Options{})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	guards := map[string]http.Handler{
		"role":       h.RequireRole("editor", "owner")(ok),
		"permission": h.RequirePermission("posts:write")(ok),
	}
	call := func(guard, bearer string) int {
		req := httptest.NewRequest("GET", "/", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		guards[guard].ServeHTTP(rec, req)
		return rec.Code
	}
	for guard := range guards {
		if got := call(guard, ""); got != 401 {
			t.Errorf("%s guard without a token = %d, want 401", guard, got)
		}
		if got := call(guard, user); got != 403 {
			t.Errorf("%s guard for a plain user = %d, want 403", guard, got)
		}
		if got := call(guard, root); got != 204 {
			t.Errorf("%s guard for a superuser = %d, want 204", guard, got)
		}
	}
	x.want(x.do("POST", "/admin/assign-role", root, `{"user_id":"`+userID+`","role":"owner"}`), 200, nil)
	if got := call("role", user); got != 204 {
		t.Errorf("role guard after assigning owner = %d, want 204", got)
	}
	x.want(x.do("POST", "/admin/assign-permission", root, `{"role":"owner","permission":"posts:write"}`), 200, nil)
	if got := call("permission", user); got != 204 {
		t.Errorf("permission guard after granting = %d, want 204", got)
	}
	x.want(x.do("POST", "/admin/remove-role", root, `{"user_id":"`+userID+`","role":"owner"}`), 200, nil)
	if got := call("role", user); got != 403 {
		t.Errorf("role guard right after removing the role = %d, want 403 (the store decides, not the token)", got)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestAdminAndSessionFailures covers every failure status of the admin and
// session routes not met elsewhere.
func TestAdminAndSessionFailures(t *testing.T) {
	x, root, user, userID := adminAPI(t)
	signer, err := token.NewSigner(token.HS256, []byte("authhttp-test-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	sessionless, _ := signer.Sign(&token.Claims{Subject: userID, IssuedAt: now, ExpiresAt: now + 600, ID: "sessionless", Type: "access"})

	tests := []struct {
		method, path, bearer, body string
		status                     int
		detail                     any
	}{
		{"GET", "/sessions", "", "", 401, generic401},
		{"DELETE", "/sessions/x", "", "", 401, generic401},
		{"POST", "/sessions/revoke-others", "", "", 401, generic401},
		{"POST", "/sessions/revoke-others", sessionless, "", 401, generic401},
		{"GET", "/admin/role-permissions/editor", "", "", 401, generic401},
		{"GET", "/admin/role-permissions/editor", user, "", 403, "Not enough permissions"},
		{"POST", "/admin/remove-role", user, `{"user_id":"` + userID + `","role":"x"}`, 403, "Not enough permissions"},
		{"POST", "/admin/remove-permission", "", `{"role":"a","permission":"b"}`, 401, generic401},
		{"POST", "/admin/assign-permission", root, `{"role":"a"}`, 422, nil},
		{"POST", "/admin/assign-permission", root, `{"role":"","permission":"b"}`, 422, nil},
		{"POST", "/admin/remove-role", root, `[]`, 422, nil},
		{"GET", "/admin/users/" + userID, user, "", 403, "Not enough permissions"},
		{"POST", "/admin/users/" + userID + "/deactivate", user, "", 403, "Not enough permissions"},
		{"DELETE", "/admin/users/" + userID, "", "", 401, generic401},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			x.want(x.do(tc.method, tc.path, tc.bearer, tc.body), tc.status, tc.detail)
		})
	}
}
