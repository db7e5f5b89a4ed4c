package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/internal/metrics"
	"github.com/fullauth/fullauth/internal/notify"
)

// HTTP server limits. The write timeout leaves room for password hashing
// queued behind a burst of logins.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 10 * time.Second
	readyTimeout      = 2 * time.Second
)

// newLogger returns the server's logger: JSON or text lines on w at the
// configured level.
func newLogger(s *settings, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: s.logLevel}
	if s.logFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// components are the parts built from the settings that do not depend on
// the database: the notifier, the metrics and the Auth.
type components struct {
	state    *sharedState
	notifier *notify.Notifier
	metrics  *metrics.Registry
	auth     *fullauth.Auth
	// warnings are the notifier's and the server's; the Auth's are in
	// auth.Warnings and were logged by fullauth.New.
	warnings []string
}

// build assembles the Auth on store the way serve runs it, so that check
// and serve can never disagree. log receives the library's logs.
func build(s *settings, store fullauth.Store, log *slog.Logger) (*components, error) {
	n, err := notify.New(notify.Config{
		WebhookURL:    s.notify.webhookURL,
		WebhookSecret: s.notify.webhookSecret,
		SMTPURL:       s.notify.smtpURL,
		MailFrom:      s.notify.mailFrom,
		PublicURL:     s.notify.publicURL,
	}, log)
	if err != nil {
		// A joined error: one problem per line.
		return nil, &configError{problems: strings.Split(err.Error(), "\n")}
	}
	m := metrics.New(version())
	state, err := openSharedState(s.cfg)
	if err != nil {
		_ = n.Close(context.Background())
		return nil, configErrorOf(err)
	}

	cfg := s.cfg
	cfg.Logger = log
	cfg.KV = state.kv
	cfg.Hooks = n.Hooks(fullauth.Hooks{
		AfterLockout: func(context.Context, string) error {
			m.Lockout()
			return nil
		},
	})
	a, err := fullauth.New(store, cfg)
	if err != nil {
		_ = n.Close(context.Background())
		_ = state.Close()
		return nil, configErrorOf(err)
	}
	c := &components{state: state, notifier: n, metrics: m, auth: a}
	c.warnings = append(c.warnings, n.Warnings()...)
	c.warnings = append(c.warnings, s.serverWarnings()...)
	return c, nil
}

// configErrorOf turns a *fullauth.ConfigError into the command's own, so
// it is printed one problem per line and exits 1.
func configErrorOf(err error) error {
	var ce *fullauth.ConfigError
	if errors.As(err, &ce) {
		return &configError{problems: ce.Problems}
	}
	return err
}

// routes returns the server's handler: the auth API under its prefix, and
// the operational endpoints, behind the browser-facing middleware.
func routes(c *components, b browserSettings, db pinger, log *slog.Logger) (http.Handler, error) {
	cfg := c.auth.Config()
	prefix := cfg.AuthPath()
	opts := authhttp.Options{Observe: c.metrics.Observe, Prefix: prefix}
	var csrf *authhttp.CSRF
	if b.cookies {
		var err error
		if opts.Cookies, err = authhttp.NewCookies(authhttp.CookieConfig{
			Domain: b.cookieDomain, Insecure: b.cookieInsecure, SameSite: b.sameSite,
		}); err != nil {
			return nil, &configError{problems: []string{err.Error()}}
		}
		if csrf, err = authhttp.NewCSRF(authhttp.CSRFConfig{
			Secret:         cfg.SecretKey,
			TrustedOrigins: b.csrfOrigins,
			CookieDomain:   b.cookieDomain,
			CookieInsecure: b.cookieInsecure,
			CookieSameSite: b.sameSite,
			Logger:         log,
		}); err != nil {
			return nil, &configError{problems: strings.Split(err.Error(), "\n")}
		}
		opts.CSRF = true
	}
	api := authhttp.New(c.auth, opts)
	spec, err := api.OpenAPI(prefix, cfg.RouterTags)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle(prefix+"/", api)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		checks := map[string]string{}
		var down []string
		for _, dep := range []struct {
			name string
			ping func(context.Context) error
		}{{"database", db.PingContext}, {"redis", c.state.Ping}} {
			if err := dep.ping(ctx); err != nil {
				log.WarnContext(r.Context(), "readiness check failed", "check", dep.name, "err", err)
				checks[dep.name] = err.Error()
				down = append(down, dep.name)
			}
		}
		if len(down) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{
				"detail": strings.Join(down, " and ") + " unavailable",
				"checks": checks,
			})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(spec)
	})
	mux.Handle("GET /docs", authhttp.DocsPage("/openapi.json"))
	mux.Handle("GET /metrics", c.metrics.Handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	})

	// Outermost first: security headers on every answer; CORS, so that
	// the browser lets a frontend read even the refusals; the global rate
	// limit; CSRF.
	var h http.Handler = apiFirst(prefix, api, mux)
	if csrf != nil {
		h = csrf.Middleware(h)
	}
	if b.globalMax > 0 {
		h = authhttp.NewRateLimit(c.auth.KV(), authhttp.RateLimitConfig{
			Max: b.globalMax, Window: b.globalWindow,
			ExemptPaths: []string{"/healthz", "/readyz", "/metrics"},
			ClientIP: func(r *http.Request) string {
				return authhttp.ClientIP(r, cfg.TrustedProxyHeaders, cfg.TrustedProxyCount)
			},
			Logger: log,
		}).Middleware(h)
	}
	if len(b.corsOrigins) > 0 {
		cors, err := authhttp.NewCORS(authhttp.CORSConfig{AllowedOrigins: b.corsOrigins, AllowCredentials: true})
		if err != nil {
			return nil, &configError{problems: strings.Split(err.Error(), "\n")}
		}
		h = cors.Middleware(h)
	}
	return authhttp.SecureHeaders(authhttp.SecureHeadersConfig{})(h), nil
}

// apiFirst sends requests that mux would route to api under prefix
// straight to api, sparing them the mux's search and locking; the others
// go to mux, but for a request target that is not a path, which it answers
// with a JSON 400 itself. The requests it takes have a clean path, which mux would not
// redirect, and no escaped form, which mux would match segment by segment.
func apiFirst(prefix string, api, mux http.Handler) http.Handler {
	root := prefix + "/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/") {
			// "*" (OPTIONS *) or CONNECT's host:port: no route takes such a
			// target, and the mux would refuse it in plain text.
			writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "Bad Request"})
			return
		}
		if p := r.URL.Path; strings.HasPrefix(p, root) && r.URL.RawPath == "" && path.Clean(p) == p {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// pinger is what /readyz checks.
type pinger interface {
	PingContext(ctx context.Context) error
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// newHTTPServer returns an http.Server with explicit limits.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
