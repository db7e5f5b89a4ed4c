package authhttp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/token"
)

// DefaultMaxBodyBytes caps request bodies (CONTRACT §24.17).
const DefaultMaxBodyBytes = 64 << 10

// Options adjusts a Handler. The zero value serves bearer tokens.
type Options struct {
	// MaxBodyBytes caps request bodies; larger ones get 413. Default 64 KiB.
	MaxBodyBytes int64
	// ClientIP resolves the client address of a request, for session
	// metadata. Default: [ClientIP] with the Auth's trusted proxy settings.
	ClientIP func(*http.Request) string
	// Cookies, when set, carries tokens in HttpOnly cookies (CONTRACT §2.3,
	// §2.4): token responses set them and answer "refresh_token": null,
	// refresh and logout read them, and a bearer header still wins. Pair it
	// with the CSRF middleware; New warns when Cookies is set without CSRF.
	Cookies *Cookies
	// CSRF tells New that the application protects this handler with CSRF
	// middleware, which silences the warning about cookies without it.
	CSRF bool
	// Observe, when set, is told about every answered request: the route
	// pattern ("POST /login"), the status and the time taken. Metrics hang
	// off it.
	Observe func(pattern string, status int, elapsed time.Duration)
	// Prefix is the path the Handler is mounted at when it is mounted
	// without http.StripPrefix, such as "/api/v1/auth" in
	//
	//	mux.Handle("/api/v1/auth/", h)
	//
	// It starts with a slash and does not end with one; New panics
	// otherwise. The Handler then serves Prefix+"/login" and so on itself,
	// as if behind http.StripPrefix(Prefix, …) but without the copy of the
	// request that StripPrefix makes, and answers a request outside Prefix
	// with http.NotFound as StripPrefix would. Observe and Routes still
	// name the routes without it.
	Prefix string
}

// Handler serves the JSON API of CONTRACT §3 on paths relative to where it
// is mounted ("/login", "/me", …) and provides the middleware that guards
// an application's own routes. Build it with [New].
type Handler struct {
	auth     *fullauth.Auth
	mux      *http.ServeMux // the routes and a catch-all for JSON 404/405
	routed   *http.ServeMux // the routes alone, to tell 404 from 405
	log      *slog.Logger
	maxBody  int64
	clientIP func(*http.Request) string
	observe  func(pattern string, status int, elapsed time.Duration)
	cookies  *Cookies
	prefix   string
	// exact holds the routes without wildcards by path (relative to the
	// prefix), so that most requests skip the mux's search and locking.
	exact map[string][]exactRoute
}

// exactRoute is a route of Handler.exact.
type exactRoute struct {
	method  string
	handler http.Handler
}

// New returns a Handler serving a's flows.
func New(a *fullauth.Auth, opts Options) *Handler {
	if p := opts.Prefix; p != "" && (p[0] != '/' || p[len(p)-1] == '/') {
		panic(fmt.Sprintf("authhttp: Options.Prefix %q must start with \"/\" and not end with \"/\"", p))
	}
	h := &Handler{auth: a, mux: http.NewServeMux(), routed: http.NewServeMux(), log: a.Logger("http"), maxBody: opts.MaxBodyBytes,
		clientIP: opts.ClientIP, observe: opts.Observe, cookies: opts.Cookies, prefix: opts.Prefix, exact: map[string][]exactRoute{}}
	if h.cookies != nil && !opts.CSRF {
		h.log.Warn("CookieBackend is in use but CSRFMiddleware is not wired on this app; cookie-based sessions are exposed to CSRF. " +
			"Wrap the handler with authhttp.NewCSRF(...).Middleware and set Options.CSRF.")
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.clientIP == nil {
		cfg := a.Config()
		headers, count := cfg.TrustedProxyHeaders, cfg.TrustedProxyCount
		h.clientIP = func(r *http.Request) string { return ClientIP(r, headers, count) }
	}
	for _, rt := range h.routes() {
		handler := h.handle(rt.fn)
		switch rt.guard {
		case guardUser:
			handler = h.RequireUser(handler)
		case guardVerified:
			handler = h.RequireVerified(handler)
		case guardSuperuser:
			handler = h.RequireSuperuser(handler)
		}
		handler = h.observed(rt.pattern, handler)
		method, p, _ := cutPattern(rt.pattern)
		if !strings.Contains(p, "{") {
			h.exact[p] = append(h.exact[p], exactRoute{method, handler})
		}
		// The mux sees the whole path; the prefix is escaped so that the
		// pattern parser reads it as literal text.
		pattern := method + " " + (&url.URL{Path: h.prefix}).EscapedPath() + p
		h.mux.Handle(pattern, handler)
		h.routed.Handle(pattern, handler)
	}
	h.mux.HandleFunc("/", h.notRouted)
	return h
}

// ServeHTTP serves the API. Paths and methods it doesn't serve get a JSON
// 404 or 405 like every other error.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if h.prefix != "" {
		// The test of http.StripPrefix, which Prefix stands in for, except
		// that "/authx" is not under "/auth" and the 404 is JSON.
		var ok bool
		p, ok = strings.CutPrefix(p, h.prefix)
		if !ok || p != "" && p[0] != '/' || r.URL.RawPath != "" && !strings.HasPrefix(r.URL.RawPath, h.prefix) {
			writeDetail(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	// An unclean path would get the mux's redirect, which points outside
	// the prefix the handler is mounted under; no route has one anyway.
	if p == "" || path.Clean(p) != p {
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	// The mux would pick the same route: nothing is more specific than a
	// literal path with its method, and a GET route answers HEAD unless
	// there is a HEAD route. An escaped path is left to the mux, which
	// matches it segment by segment.
	if r.URL.RawPath == "" {
		if routes := h.exact[p]; routes != nil {
			if next := findMethod(routes, r.Method); next != nil {
				next.ServeHTTP(w, r)
				return
			}
		}
	}
	h.mux.ServeHTTP(w, r)
}

// findMethod returns the handler of routes for method, or nil.
func findMethod(routes []exactRoute, method string) http.Handler {
	for _, rt := range routes {
		if rt.method == method {
			return rt.handler
		}
	}
	if method == http.MethodHead {
		return findMethod(routes, http.MethodGet)
	}
	return nil
}

// notRouted is the catch-all route: it answers a request no route matches
// with the status the routes alone would give (404, or 405 with their Allow
// header) and a JSON detail.
func (h *Handler) notRouted(w http.ResponseWriter, r *http.Request) {
	probe := &statusProbe{header: http.Header{}}
	h.routed.ServeHTTP(probe, r)
	status := probe.status
	if status != http.StatusMethodNotAllowed {
		status = http.StatusNotFound
	} else if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	writeDetail(w, status, http.StatusText(status))
}

// statusProbe is a ResponseWriter that keeps only the status and headers.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

type guard int

const (
	guardNone guard = iota
	guardUser
	guardVerified
	guardSuperuser
)

// route is one API operation.
type route struct {
	pattern string
	guard   guard
	fn      func(w http.ResponseWriter, r *http.Request) error
}

// Route describes one mounted operation, for documentation generators.
type Route struct {
	Method, Path string
	// Auth says whether the route needs an access token.
	Auth bool
}

// Routes lists the operations the Handler serves, in mounting order.
func (h *Handler) Routes() []Route {
	var out []Route
	for _, rt := range h.routes() {
		method, path, _ := cutPattern(rt.pattern)
		out = append(out, Route{Method: method, Path: path, Auth: rt.guard != guardNone})
	}
	return out
}

func cutPattern(p string) (method, path string, ok bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == ' ' {
			return p[:i], p[i+1:], true
		}
	}
	return "", p, false
}

// handle adapts a route function: its error becomes the response.
func (h *Handler) handle(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

// observed reports each answer of next to Options.Observe.
func (h *Handler) observed(pattern string, next http.Handler) http.Handler {
	if h.observe == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		h.observe(pattern, sw.status, time.Since(start))
	})
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// client is the session metadata of r.
func (h *Handler) client(r *http.Request) fullauth.ClientInfo {
	return fullauth.ClientInfo{UserAgent: r.UserAgent(), IP: h.clientIP(r)}
}

// ClaimsFrom returns the verified access-token claims of the request's
// user, set by the Authenticate middleware, or nil. It is
// [fullauth.ClaimsFrom].
func ClaimsFrom(ctx context.Context) *token.Claims {
	return fullauth.ClaimsFrom(ctx)
}
