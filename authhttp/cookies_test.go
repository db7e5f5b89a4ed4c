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

func TestNewCookiesRejectsSameSiteNoneWithoutSecure(t *testing.T) {
	_, err := authhttp.NewCookies(authhttp.CookieConfig{SameSite: http.SameSiteNoneMode, Insecure: true})
	want := "CookieBackend with samesite='none' requires secure=True; browsers reject a SameSite=None cookie that is not also Secure."
	if err == nil || err.Error() != want {
		t.Fatalf("NewCookies err = %v, want %q", err, want)
	}
	if _, err := authhttp.NewCookies(authhttp.CookieConfig{SameSite: http.SameSiteNoneMode}); err != nil {
		t.Errorf("SameSite=None with Secure: err = %v, want nil", err)
	}
}

// cookieAPI serves the handler with the cookie transport.
func cookieAPI(t *testing.T, cfg authhttp.CookieConfig) http.Handler {
	t.Helper()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("cookie-test-secret-0123456789abcdefgh"),
		Argon2:    password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	cookies, err := authhttp.NewCookies(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{Cookies: cookies, CSRF: true})
	serve(t, h, "POST", "/register", `{"email":"c@example.com","password":"correct-horse-battery"}`, nil)
	return h
}

func serve(t *testing.T, h http.Handler, method, path, body string, cookies []*http.Cookie, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func setCookies(rec *httptest.ResponseRecorder) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range rec.Result().Cookies() {
		out[c.Name] = c
	}
	return out
}

func TestCookieTransport(t *testing.T) {
	h := cookieAPI(t, authhttp.CookieConfig{RefreshPath: "/api/v1/auth", Domain: "example.com"})
	rec := serve(t, h, "POST", "/login", `{"email":"c@example.com","password":"correct-horse-battery"}`, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"refresh_token":null`) {
		t.Fatalf("login = %d %s, want 200 with refresh_token null", rec.Code, rec.Body)
	}
	got := setCookies(rec)
	access, refresh := got["fullauth_access"], got["fullauth_refresh"]
	if access == nil || refresh == nil {
		t.Fatalf("login set cookies %v, want fullauth_access and fullauth_refresh", rec.Header().Values("Set-Cookie"))
	}
	for _, c := range []struct {
		c      *http.Cookie
		path   string
		maxAge int
	}{{access, "/", 1800}, {refresh, "/api/v1/auth", 30 * 86400}} {
		if !c.c.HttpOnly || !c.c.Secure || c.c.SameSite != http.SameSiteLaxMode || c.c.Path != c.path || c.c.MaxAge != c.maxAge || c.c.Domain != "example.com" {
			t.Errorf("cookie %s = %+v, want HttpOnly Secure Lax path %s max-age %d domain example.com", c.c.Name, c.c, c.path, c.maxAge)
		}
	}

	if rec := serve(t, h, "GET", "/me", "", []*http.Cookie{access}); rec.Code != 200 {
		t.Errorf("GET /me with the access cookie = %d %s, want 200", rec.Code, rec.Body)
	}
	// The bearer header wins over the cookie, even when it is worse.
	if rec := serve(t, h, "GET", "/me", "", []*http.Cookie{access}, "Authorization", "Bearer not-a-token"); rec.Code != 401 {
		t.Errorf("GET /me with a bad bearer and a good cookie = %d, want 401", rec.Code)
	}

	rec = serve(t, h, "POST", "/refresh", "", []*http.Cookie{refresh})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"refresh_token":null`) {
		t.Fatalf("refresh with the cookie = %d %s", rec.Code, rec.Body)
	}
	rotated := setCookies(rec)
	if rotated["fullauth_refresh"] == nil || rotated["fullauth_refresh"].Value == refresh.Value || rotated["fullauth_access"] == nil {
		t.Fatalf("refresh did not re-set both cookies with a new refresh token: %v", rec.Header().Values("Set-Cookie"))
	}

	rec = serve(t, h, "POST", "/logout", "", []*http.Cookie{rotated["fullauth_access"], rotated["fullauth_refresh"]})
	if rec.Code != 204 {
		t.Fatalf("logout = %d %s", rec.Code, rec.Body)
	}
	cleared := setCookies(rec)
	for name, path := range map[string]string{"fullauth_access": "/", "fullauth_refresh": "/api/v1/auth"} {
		c := cleared[name]
		if c == nil || c.Value != "" || c.MaxAge != -1 || c.Path != path || c.Domain != "example.com" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("logout cookie %s = %+v, want an emptied cookie with Max-Age=0 and the same attributes", name, c)
		}
	}
	raw := strings.Join(rec.Header().Values("Set-Cookie"), "\n")
	if !strings.Contains(raw, "Max-Age=0") {
		t.Errorf("deletion cookies %q lack Max-Age=0", raw)
	}
	if rec := serve(t, h, "GET", "/me", "", []*http.Cookie{rotated["fullauth_access"]}); rec.Code != 401 {
		t.Errorf("GET /me after logout = %d, want 401", rec.Code)
	}
}

func TestCookieTransportFallsBackToBody(t *testing.T) {
	h := cookieAPI(t, authhttp.CookieConfig{Insecure: true, SameSite: http.SameSiteStrictMode})
	rec := serve(t, h, "POST", "/login", `{"email":"c@example.com","password":"correct-horse-battery"}`, nil)
	c := setCookies(rec)["fullauth_refresh"]
	if c.Secure || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("refresh cookie = %+v, want not Secure, SameSite=Strict", c)
	}
	rec = serve(t, h, "POST", "/refresh", `{"refresh_token":"`+c.Value+`"}`, nil)
	if rec.Code != 200 {
		t.Errorf("refresh with the token in the body = %d %s, want 200", rec.Code, rec.Body)
	}
}
