package authhttp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// CSRFConfig configures [NewCSRF]. Only Secret is required; the rest
// defaults to the reference's settings (CONTRACT §16.1).
type CSRFConfig struct {
	// Secret signs the tokens; at least 32 bytes. Pass the Auth's secret
	// key (tokens are then interchangeable with a fastapi-fullauth
	// deployment using the same SECRET_KEY) or a dedicated key.
	Secret []byte
	// CookieName is the cookie carrying the token. Default "fullauth_csrf".
	CookieName string
	// HeaderName is the request header that must echo the cookie on unsafe
	// requests. Default "X-CSRF-Token".
	HeaderName string
	// ExemptPaths skip every check, for any method. An entry exempts the
	// path itself and everything under it on a "/" boundary: "/api/hooks"
	// exempts "/api/hooks" and "/api/hooks/stripe", not "/api/hooksx". A
	// trailing "/" in an entry is ignored. Paths are matched against
	// r.URL.Path as this middleware sees it (so before any StripPrefix
	// inside), and a path with "." or ".." segments or an empty segment is
	// never exempt, nor is one with escapes net/url would not write itself
	// ("%2F" for a slash inside a segment, "%61" for an "a").
	ExemptPaths []string
	// TrustedOrigins, when not empty, turns on the origin check for unsafe
	// requests: the Origin header, or failing that the scheme://host of
	// the Referer header, must be one of these origins. Entries are full
	// origins ("https://app.example.com"); a trailing "/" is ignored and
	// the comparison is case-insensitive. Browsers send Origin on
	// same-origin POSTs too, so list the site's own origin as well.
	TrustedOrigins []string
	// CookieDomain is the cookie's Domain attribute; empty = host-only. A
	// frontend served from another host (app.example.com calling
	// api.example.com) can read the cookie only when the domain covers
	// both ("example.com").
	CookieDomain string
	// CookieInsecure drops the Secure attribute, for plain-http development
	// on localhost only.
	CookieInsecure bool
	// CookieSameSite is the cookie's SameSite attribute. Default Lax;
	// http.SameSiteDefaultMode sends no attribute; None requires Secure.
	CookieSameSite http.SameSite
	// CookieHTTPOnly hides the cookie from page scripts. Off by default,
	// because the double-submit pattern needs the frontend to read the
	// cookie (document.cookie) and echo it in the header.
	CookieHTTPOnly bool
	// CrossOriginProtection additionally applies the standard library's
	// [http.CrossOriginProtection] (Sec-Fetch-Site / Origin against Host),
	// with TrustedOrigins as its trusted origins. Its rejections answer
	// like the origin check. Off by default: it refuses cross-site
	// requests that the reference accepts when they carry a valid token.
	CrossOriginProtection bool
	// Logger receives one WARN line per rejection, with the attribute
	// logger=fullauth.csrf. Default [slog.Default] (taken at construction).
	Logger *slog.Logger
}

// CSRF is the double-submit-cookie protection of CONTRACT §16.1, for
// applications whose browser clients authenticate with cookies. Build it
// with [NewCSRF] and wrap a handler with [CSRF.Middleware].
//
// Safe requests (GET, HEAD, OPTIONS) receive a cookie holding a random
// token signed with the secret. A frontend reads that cookie and sends its
// value back in the X-CSRF-Token header of every unsafe request; another
// site can make the browser send the cookie but cannot read it, so it
// cannot produce the header.
type CSRF struct {
	secret     []byte
	cookieName string
	headerName string
	exempt     []string
	trusted    map[string]bool // lower-cased, no trailing "/"
	cop        *http.CrossOriginProtection
	cookie     http.Cookie // template: every attribute but the value
	log        *slog.Logger
}

// Public answers of the CSRF middleware (CONTRACT §16.1).
const (
	msgCSRFOrigin    = "CSRF origin check failed."
	msgCSRFMissing   = "CSRF token missing."
	msgCSRFSignature = "CSRF cookie signature invalid."
	msgCSRFMismatch  = "CSRF token mismatch."
)

// NewCSRF validates c and fills in its defaults. Every problem is reported
// at once, joined with [errors.Join].
func NewCSRF(c CSRFConfig) (*CSRF, error) {
	var problems []error
	if len(c.Secret) < 32 {
		problems = append(problems, errors.New("CSRFMiddleware requires a `secret` of at least 32 characters. Pass your FullAuthConfig SECRET_KEY (or a dedicated key)."))
	}
	if c.CookieName == "" {
		c.CookieName = "fullauth_csrf"
	}
	if !isHTTPToken(c.CookieName) {
		problems = append(problems, fmt.Errorf("CSRF cookie name %q is not a valid cookie name", c.CookieName))
	}
	if c.HeaderName == "" {
		c.HeaderName = "X-CSRF-Token"
	}
	if !isHTTPToken(c.HeaderName) {
		problems = append(problems, fmt.Errorf("CSRF header name %q is not a valid header name", c.HeaderName))
	}
	switch c.CookieSameSite {
	case 0:
		c.CookieSameSite = http.SameSiteLaxMode
	case http.SameSiteDefaultMode, http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode:
	default:
		problems = append(problems, fmt.Errorf("CSRF cookie SameSite value %d is not an http.SameSite mode", c.CookieSameSite))
	}
	if c.CookieSameSite == http.SameSiteNoneMode && c.CookieInsecure {
		problems = append(problems, errors.New("CSRFMiddleware with cookie_samesite='none' requires cookie_secure=True; browsers reject a SameSite=None cookie that is not also Secure."))
	}
	if c.CookieDomain != "" {
		if err := (&http.Cookie{Name: "x", Domain: c.CookieDomain}).Valid(); err != nil {
			problems = append(problems, fmt.Errorf("CSRF cookie domain %q is not a valid cookie domain", c.CookieDomain))
		}
	}

	m := &CSRF{
		secret:     append([]byte(nil), c.Secret...),
		cookieName: c.CookieName,
		headerName: c.HeaderName,
		trusted:    map[string]bool{},
		cookie: http.Cookie{
			Name:     c.CookieName,
			Path:     "/",
			Domain:   c.CookieDomain,
			Secure:   !c.CookieInsecure,
			HttpOnly: c.CookieHTTPOnly,
			SameSite: c.CookieSameSite,
		},
	}
	for _, p := range c.ExemptPaths {
		if !strings.HasPrefix(p, "/") {
			problems = append(problems, fmt.Errorf("CSRF exempt path %q must start with \"/\"", p))
			continue
		}
		m.exempt = append(m.exempt, strings.TrimRight(p, "/"))
	}
	if c.CrossOriginProtection {
		m.cop = http.NewCrossOriginProtection()
	}
	for _, o := range c.TrustedOrigins {
		norm, err := parseOriginSetting(o)
		if err != nil {
			problems = append(problems, fmt.Errorf("CSRF trusted origin %w", err))
			continue
		}
		m.trusted[norm] = true
		if m.cop != nil {
			if err := m.cop.AddTrustedOrigin(norm); err != nil {
				problems = append(problems, fmt.Errorf("CSRF trusted origin: %w", err))
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	m.log = log.With("logger", "fullauth.csrf")
	return m, nil
}

// Middleware protects next. Per request (CONTRACT §16.1):
//
//  1. An exempt path passes untouched.
//  2. GET, HEAD and OPTIONS pass. When the request carries no CSRF cookie,
//     or an empty one, or one whose signature does not verify (say, issued
//     under a previous secret), the response gets a Set-Cookie with a new
//     token: Path=/, the configured attributes, no Max-Age (a session
//     cookie). A valid cookie is never rotated, so tabs sharing it keep
//     working.
//  3. Any other method is refused with 403 and a JSON detail, checked in
//     this order: the origin check when TrustedOrigins is set ("CSRF
//     origin check failed."), then [http.CrossOriginProtection] when
//     enabled (same answer), then a missing or empty cookie or header
//     ("CSRF token missing."), a cookie whose signature does not verify
//     ("CSRF cookie signature invalid."), and a header that differs from
//     the cookie, compared in constant time ("CSRF token mismatch.").
//
// The origin check reads Origin, else the scheme://host of Referer; a
// Referer that is present but does not parse as an absolute URL, or that
// carries user info, fails; a request with neither header skips the check
// (non-browser clients send neither, and the token check still applies).
//
// Each rejection is logged at WARN with the method and path.
func (m *CSRF) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RawPath is set when the path has escapes net/url would not
		// write itself (%2F, say). Routers match such a path segment by
		// segment, so its decoded form says nothing about the route.
		if r.URL.RawPath == "" && m.isExempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if c, err := r.Cookie(m.cookieName); err != nil || !m.validSignature(c.Value) {
				cookie := m.cookie
				cookie.Value = m.newToken()
				http.SetCookie(w, &cookie)
			}
			next.ServeHTTP(w, r)
			return
		}
		if msg, reason, attrs := m.check(r); msg != "" {
			args := append([]any{"method", r.Method, "path", r.URL.Path}, attrs...)
			m.log.WarnContext(r.Context(), reason, args...)
			writeDetail(w, http.StatusForbidden, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// check applies the rules for unsafe methods. It returns "" when r passes,
// else the public message, the log message and extra log attributes.
func (m *CSRF) check(r *http.Request) (msg, reason string, attrs []any) {
	if len(m.trusted) > 0 {
		if origin, present := requestOrigin(r); present && !m.trusted[origin] {
			if origin == "" {
				// Not the Referer itself: its query may hold a secret.
				origin = "(Referer without scheme://host)"
			}
			return msgCSRFOrigin, "CSRF origin not allowed", []any{"origin", origin}
		}
	}
	if m.cop != nil {
		if err := m.cop.Check(r); err != nil {
			return msgCSRFOrigin, "CSRF cross-origin request refused", []any{"origin", r.Header.Get("Origin"), "err", err}
		}
	}
	var cookie string
	if c, err := r.Cookie(m.cookieName); err == nil {
		cookie = c.Value
	}
	header := r.Header.Get(m.headerName)
	if cookie == "" || header == "" {
		return msgCSRFMissing, "CSRF token missing", nil
	}
	if !m.validSignature(cookie) {
		return msgCSRFSignature, "CSRF cookie signature invalid", nil
	}
	if subtle.ConstantTimeCompare([]byte(header), []byte(cookie)) != 1 {
		return msgCSRFMismatch, "CSRF token mismatch", nil
	}
	return "", "", nil
}

// requestOrigin is the origin an unsafe request claims: the Origin header,
// else the scheme://host of the Referer, lower-cased without a trailing
// "/". present is false when neither header is sent. A Referer that is
// not an absolute URL with a host (or that carries user info) gives "",
// which no trusted origin equals.
func requestOrigin(r *http.Request) (origin string, present bool) {
	if o := r.Header.Get("Origin"); o != "" {
		return strings.ToLower(strings.TrimRight(o, "/")), true
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil {
		return "", true
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// isExempt reports whether p is one of the exempt paths or under one.
func (m *CSRF) isExempt(p string) bool {
	if len(m.exempt) == 0 || !cleanPath(p) {
		return false
	}
	for _, e := range m.exempt {
		if p == e || strings.HasPrefix(p, e+"/") {
			return true
		}
	}
	return false
}

// cleanPath reports whether p has no ".", ".." or empty segment (a single
// trailing "/" is allowed), so that a prefix match on it cannot be steered
// into a different route by a router that cleans paths.
func cleanPath(p string) bool {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		if s == "." || s == ".." || (s == "" && i != len(segs)-1) {
			return false
		}
	}
	return true
}

// newToken returns a fresh token: 64 hex characters of randomness, ".",
// and the hex HMAC-SHA256 of those characters under the secret.
func (m *CSRF) newToken() string {
	var b [32]byte
	rand.Read(b[:])
	raw := hex.EncodeToString(b[:])
	return raw + "." + m.sign(raw)
}

func (m *CSRF) sign(raw string) string {
	mac := hmac.New(sha256.New, m.secret)
	mac.Write([]byte(raw))
	return hex.EncodeToString(mac.Sum(nil))
}

// validSignature checks a token's signature, splitting it at the first
// ".". Tokens minted by the reference with the same secret verify.
func (m *CSRF) validSignature(token string) bool {
	raw, sig, ok := strings.Cut(token, ".")
	if !ok || raw == "" {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(m.sign(raw)))
}
