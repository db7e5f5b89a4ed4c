package authhttp

import (
	"errors"
	"net/http"
	"time"
)

// CookieConfig configures the cookie transport (CONTRACT §2.3): tokens
// travel in HttpOnly cookies that page scripts cannot read, instead of in
// JSON bodies. The zero value gives the reference's defaults.
type CookieConfig struct {
	AccessName  string // default "fullauth_access"
	RefreshName string // default "fullauth_refresh"
	// RefreshPath limits where the browser sends the refresh cookie.
	// Default "/"; "/api/v1/auth" keeps it off every other request.
	RefreshPath string
	Domain      string
	// Insecure drops the Secure attribute, for plain-http development on
	// localhost only.
	Insecure bool
	SameSite http.SameSite // default Lax
}

// Cookies is a validated cookie transport for [Options.Cookies].
type Cookies struct {
	c CookieConfig
}

// NewCookies validates c and fills in its defaults. SameSite=None requires
// Secure, because browsers reject such a cookie otherwise.
func NewCookies(c CookieConfig) (*Cookies, error) {
	if c.AccessName == "" {
		c.AccessName = "fullauth_access"
	}
	if c.RefreshName == "" {
		c.RefreshName = "fullauth_refresh"
	}
	if c.RefreshPath == "" {
		c.RefreshPath = "/"
	}
	if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
		c.SameSite = http.SameSiteLaxMode
	}
	if c.SameSite == http.SameSiteNoneMode && c.Insecure {
		return nil, errors.New("CookieBackend with samesite='none' requires secure=True; browsers reject a SameSite=None cookie that is not also Secure.")
	}
	if c.AccessName == c.RefreshName {
		return nil, errors.New("authhttp: the access and refresh cookies need different names")
	}
	return &Cookies{c: c}, nil
}

// cookie builds one of our cookies with the shared attributes. A negative
// maxAge deletes it.
func (k *Cookies) cookie(name, value, path string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		Domain:   k.c.Domain,
		Secure:   !k.c.Insecure,
		HttpOnly: true,
		SameSite: k.c.SameSite,
		MaxAge:   int(maxAge / time.Second),
	}
	if maxAge < 0 {
		c.MaxAge = -1 // written as Max-Age=0
		c.Expires = time.Unix(0, 0)
	}
	return c
}

// setTokens writes both token cookies.
func (k *Cookies) setTokens(w http.ResponseWriter, access, refresh string, accessTTL, refreshTTL time.Duration) {
	http.SetCookie(w, k.cookie(k.c.AccessName, access, "/", accessTTL))
	if refresh != "" {
		http.SetCookie(w, k.cookie(k.c.RefreshName, refresh, k.c.RefreshPath, refreshTTL))
	}
}

// clear deletes both token cookies, with the attributes they were set with
// so the browser matches them.
func (k *Cookies) clear(w http.ResponseWriter) {
	http.SetCookie(w, k.cookie(k.c.AccessName, "", "/", -1))
	http.SetCookie(w, k.cookie(k.c.RefreshName, "", k.c.RefreshPath, -1))
}

// value returns the named cookie's value, or "".
func value(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
