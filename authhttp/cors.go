package authhttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CORSConfig configures [NewCORS]. The zero value allows no origin: the
// middleware then only adds "Vary: Origin" and answers preflights without
// CORS headers, so browsers keep blocking cross-origin reads.
type CORSConfig struct {
	// AllowedOrigins lists the exact origins ("https://app.example.com",
	// "http://localhost:3000") whose pages may call the API. They are
	// compared case-insensitively; one trailing "/" is tolerated and
	// dropped. "*" allows every origin, and is refused together with
	// AllowCredentials.
	AllowedOrigins []string
	// AllowCredentials sends "Access-Control-Allow-Credentials: true", which
	// browsers require before they attach cookies to a cross-origin fetch
	// or expose its answer. Off in the zero value; the server turns it on,
	// because its cookie transport needs it.
	AllowCredentials bool
	// AllowedMethods may appear in a preflight's
	// Access-Control-Request-Method. Default GET, POST, PATCH, DELETE,
	// OPTIONS: the methods of the API. Compared case-sensitively, as HTTP
	// methods are.
	AllowedMethods []string
	// AllowedHeaders may appear in a preflight's
	// Access-Control-Request-Headers, compared case-insensitively. Default
	// Content-Type, Authorization, X-CSRF-Token. "*" allows any header.
	AllowedHeaders []string
	// ExposedHeaders are the response headers cross-origin scripts may
	// read. Default X-RateLimit-Limit, X-RateLimit-Remaining,
	// X-RateLimit-Reset, Retry-After.
	ExposedHeaders []string
	// MaxAge is how long browsers may cache a preflight answer. Default 10
	// minutes; negative omits Access-Control-Max-Age (browsers then use 5
	// seconds). Sent in whole seconds, rounded up.
	MaxAge time.Duration
}

// CORS is a validated cross-origin resource sharing policy. Build it with
// [NewCORS] and wrap a handler with [CORS.Middleware].
type CORS struct {
	origins     map[string]bool // lower-cased
	anyOrigin   bool
	credentials bool
	methods     map[string]bool
	allowMethod string          // the Access-Control-Allow-Methods value
	headers     map[string]bool // lower-cased
	anyHeader   bool
	expose      string
	maxAge      string // "" = omit
}

// NewCORS validates c and fills in its defaults. Every problem is reported
// at once, joined with [errors.Join].
func NewCORS(c CORSConfig) (*CORS, error) {
	var problems []error
	p := &CORS{
		origins:     map[string]bool{},
		credentials: c.AllowCredentials,
		methods:     map[string]bool{},
		headers:     map[string]bool{},
	}
	for _, o := range c.AllowedOrigins {
		if strings.TrimSpace(o) == "*" {
			p.anyOrigin = true
			if c.AllowCredentials {
				problems = append(problems, errors.New(`CORS allowed origin "*" cannot be combined with AllowCredentials; list the exact origins instead`))
			}
			continue
		}
		norm, err := parseOriginSetting(o)
		if err != nil {
			problems = append(problems, fmt.Errorf("CORS allowed origin %w", err))
			continue
		}
		p.origins[norm] = true
	}

	methods := c.AllowedMethods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodOptions}
	}
	var list []string
	for _, m := range methods {
		if !isHTTPToken(m) {
			problems = append(problems, fmt.Errorf("CORS allowed method %q is not a valid HTTP method", m))
			continue
		}
		if !p.methods[m] {
			p.methods[m] = true
			list = append(list, m)
		}
	}
	p.allowMethod = strings.Join(list, ", ")

	headers := c.AllowedHeaders
	if len(headers) == 0 {
		headers = []string{"Content-Type", "Authorization", "X-CSRF-Token"}
	}
	for _, h := range headers {
		switch {
		case h == "*":
			p.anyHeader = true
		case isHTTPToken(h):
			p.headers[strings.ToLower(h)] = true
		default:
			problems = append(problems, fmt.Errorf("CORS allowed header %q is not a valid header name", h))
		}
	}

	exposed := c.ExposedHeaders
	if len(exposed) == 0 {
		exposed = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"}
	}
	for _, h := range exposed {
		if !isHTTPToken(h) {
			problems = append(problems, fmt.Errorf("CORS exposed header %q is not a valid header name", h))
		}
	}
	p.expose = strings.Join(exposed, ", ")

	switch {
	case c.MaxAge == 0:
		p.maxAge = "600"
	case c.MaxAge > 0:
		p.maxAge = strconv.FormatInt(int64((c.MaxAge+time.Second-1)/time.Second), 10)
	}

	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return p, nil
}

// Middleware applies the policy in front of next.
//
// Every response gets "Vary: Origin", since the answer depends on it.
// A request from an allowed origin gets Access-Control-Allow-Origin set to
// that origin (or "*" when every origin is allowed without credentials),
// Access-Control-Allow-Credentials when configured, and
// Access-Control-Expose-Headers; other requests get no CORS headers and
// still reach next: CORS is enforced by the browser, which then withholds
// the answer from the calling page. It is not an access control, and it
// does not replace CSRF protection.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered here with 204 and never reaches next. When the origin, the
// requested method and every requested header are allowed, the answer
// carries Access-Control-Allow-Origin, -Credentials, -Methods (the
// configured list), -Headers (the requested headers) and -Max-Age;
// otherwise it carries no CORS headers, so the browser refuses the actual
// request with a CORS error rather than the application seeing it.
// Preflights also vary on Access-Control-Request-Method and
// Access-Control-Request-Headers.
//
// Put it outside the CSRF middleware, so that CSRF refusals carry the
// CORS headers and the calling page can read their detail:
// SecureHeaders(cors.Middleware(csrf.Middleware(app))).
func (p *CORS) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if requested, ok := p.preflightAllowed(r, origin); ok {
				p.allowOrigin(h, origin)
				h.Set("Access-Control-Allow-Methods", p.allowMethod)
				if len(requested) > 0 {
					h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
				}
				if p.maxAge != "" {
					h.Set("Access-Control-Max-Age", p.maxAge)
				}
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if origin != "" && p.originAllowed(origin) {
			p.allowOrigin(h, origin)
			if p.expose != "" {
				h.Set("Access-Control-Expose-Headers", p.expose)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// preflightAllowed reports whether the preflight r may be granted, and the
// headers it asks for.
func (p *CORS) preflightAllowed(r *http.Request, origin string) ([]string, bool) {
	if !p.originAllowed(origin) || !p.methods[r.Header.Get("Access-Control-Request-Method")] {
		return nil, false
	}
	var requested []string
	for _, part := range strings.Split(strings.Join(r.Header.Values("Access-Control-Request-Headers"), ","), ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			continue
		}
		if !p.anyHeader && !p.headers[strings.ToLower(name)] {
			return nil, false
		}
		requested = append(requested, name)
	}
	return requested, true
}

func (p *CORS) originAllowed(origin string) bool {
	return p.anyOrigin || p.origins[strings.ToLower(origin)]
}

// allowOrigin writes Access-Control-Allow-Origin (and -Credentials) for an
// allowed origin.
func (p *CORS) allowOrigin(h http.Header, origin string) {
	if p.anyOrigin && !p.credentials {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// parseOriginSetting checks that a configured origin is a full origin,
// scheme://host[:port] with nothing after it but an optional trailing "/",
// and returns it lower-cased without the slash: the form browsers send in
// the Origin header. The error reads after a noun ("CORS allowed origin").
func parseOriginSetting(s string) (string, error) {
	o := strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" || u.User != nil ||
		u.Path != "" || strings.ContainsAny(o, "?#") {
		return "", fmt.Errorf("%q must be a full origin (scheme://host[:port], no path)", s)
	}
	return strings.ToLower(o), nil
}

// isHTTPToken reports whether s is an RFC 9110 token, the syntax of header
// names and methods.
func isHTTPToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
