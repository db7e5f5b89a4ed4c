package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
)

// Defaults of the server-only settings (CONTRACT §25).
const (
	defaultAddr        = "127.0.0.1:8000"
	defaultDatabaseURL = "sqlite:fullauth.db"
	dotenvPath         = ".env"
)

// settings are everything the commands read from FULLAUTH_* variables and
// .env: the library's Config, and the server's own settings, which produce
// dependencies rather than settings of the library (DESIGN §4.8).
type settings struct {
	cfg fullauth.Config
	// lookup reads a variable from the environment, then from .env.
	lookup func(string) (string, bool)

	addr        string   // FULLAUTH_ADDR
	database    database // FULLAUTH_DATABASE_URL
	autoMigrate bool     // FULLAUTH_AUTO_MIGRATE
	notify      notifySettings
	browser     browserSettings
	logFormat   string     // FULLAUTH_LOG_FORMAT: json or text
	logLevel    slog.Level // FULLAUTH_LOG_LEVEL

	// libProblems are the library's configuration problems, the one
	// CONTRACT §7.4 reports first; dbProblems and serverProblems are the
	// server's own.
	libProblems    []string
	dbProblems     []string
	serverProblems []string
}

// notifySettings say where verification and reset emails and hook events go.
type notifySettings struct {
	webhookURL    string // FULLAUTH_WEBHOOK_URL
	webhookSecret string // FULLAUTH_WEBHOOK_SECRET
	smtpURL       string // FULLAUTH_SMTP_URL
	mailFrom      string // FULLAUTH_MAIL_FROM
	publicURL     string // FULLAUTH_PUBLIC_URL
}

// browserSettings switch on what a frontend in a browser needs (CONTRACT
// §25): cookie sessions with CSRF protection, CORS, a global rate limit.
type browserSettings struct {
	cookies        bool          // FULLAUTH_COOKIE_TRANSPORT
	cookieInsecure bool          // FULLAUTH_COOKIE_SECURE=false
	sameSite       http.SameSite // FULLAUTH_COOKIE_SAMESITE: lax, strict or none
	cookieDomain   string        // FULLAUTH_COOKIE_DOMAIN
	csrfOrigins    []string      // FULLAUTH_CSRF_TRUSTED_ORIGINS, else FULLAUTH_ORIGINS
	corsOrigins    []string      // FULLAUTH_CORS_ORIGINS
	globalMax      int           // FULLAUTH_GLOBAL_RATE_LIMIT "MAX/SECONDS"; 0 = off
	globalWindow   time.Duration
}

// configError is an invalid configuration: its problems are printed one per
// line, and the program exits with code 1.
type configError struct {
	problems []string
}

func (e *configError) Error() string { return strings.Join(e.problems, "\n") }

// problems returns every problem with s, the §7.4 one first.
func (s *settings) problems() []string {
	var p []string
	p = append(p, s.libProblems...)
	p = append(p, s.dbProblems...)
	p = append(p, s.serverProblems...)
	return p
}

// err returns the problems as a *configError, or nil.
func (s *settings) err() error {
	if p := s.problems(); len(p) > 0 {
		return &configError{problems: p}
	}
	return nil
}

// loadSettings reads the settings through lookup, with ./.env beneath it.
// Problems with the values are collected in the settings, for each command
// to judge what it needs; only an unreadable or malformed .env file is an
// error of its own.
func loadSettings(lookup func(string) (string, bool)) (*settings, error) {
	lookup, err := fullauth.WithDotenv(dotenvPath, lookup)
	if err != nil {
		var ce *fullauth.ConfigError
		if errors.As(err, &ce) {
			return nil, &configError{problems: ce.Problems}
		}
		return nil, &configError{problems: []string{err.Error()}}
	}
	s := &settings{lookup: lookup}

	cfg, err := fullauth.ConfigFromEnv(lookup)
	var parseProblems []string
	if err != nil {
		var ce *fullauth.ConfigError
		if !errors.As(err, &ce) {
			return nil, err
		}
		parseProblems = ce.Problems
	}
	// Resolve as the library will, but with no KV, so that Redis settings
	// are checked as fastapi-fullauth checks them (CONTRACT §7.4.1) even
	// though this server keeps its state in memory for now.
	check := cfg
	check.KV = nil
	if _, _, err := check.Resolve(); err != nil {
		var ce *fullauth.ConfigError
		if !errors.As(err, &ce) {
			return nil, err
		}
		s.libProblems = append(s.libProblems, ce.Problems...)
	}
	s.libProblems = append(s.libProblems, parseProblems...)
	s.cfg = cfg

	get := func(name, def string) string {
		if v, ok := lookup("FULLAUTH_" + name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	fail := func(name, format string, args ...any) {
		s.serverProblems = append(s.serverProblems, name+": "+fmt.Sprintf(format, args...))
	}

	s.addr = get("ADDR", defaultAddr)

	rawDB := get("DATABASE_URL", defaultDatabaseURL)
	if s.database, err = parseDatabaseURL(rawDB); err != nil {
		s.dbProblems = append(s.dbProblems, "DATABASE_URL: "+err.Error())
	}

	s.autoMigrate = true
	if v := get("AUTO_MIGRATE", ""); v != "" {
		if b, ok := parseBool(v); ok {
			s.autoMigrate = b
		} else {
			fail("AUTO_MIGRATE", "Input should be a valid boolean, unable to interpret input, got %q", v)
		}
	}

	s.notify = notifySettings{
		webhookURL:    get("WEBHOOK_URL", ""),
		webhookSecret: get("WEBHOOK_SECRET", ""),
		smtpURL:       get("SMTP_URL", ""),
		mailFrom:      get("MAIL_FROM", ""),
		publicURL:     get("PUBLIC_URL", ""),
	}

	s.browser = loadBrowserSettings(cfg, get, fail)

	switch s.logFormat = get("LOG_FORMAT", "json"); s.logFormat {
	case "json", "text":
	default:
		fail("LOG_FORMAT", "Input should be 'json' or 'text', got %q", s.logFormat)
		s.logFormat = "json"
	}
	switch v := get("LOG_LEVEL", "info"); strings.ToLower(v) {
	case "debug":
		s.logLevel = slog.LevelDebug
	case "info":
		s.logLevel = slog.LevelInfo
	case "warn", "warning":
		s.logLevel = slog.LevelWarn
	case "error":
		s.logLevel = slog.LevelError
	default:
		fail("LOG_LEVEL", "Input should be 'debug', 'info', 'warn' or 'error', got %q", v)
	}
	return s, nil
}

// loadBrowserSettings reads the cookie, CSRF, CORS and global rate-limit
// settings of CONTRACT §25.
func loadBrowserSettings(cfg fullauth.Config, get func(name, def string) string, fail func(name, format string, args ...any)) browserSettings {
	b := browserSettings{sameSite: http.SameSiteLaxMode}
	flag := func(name string, def bool) bool {
		v := get(name, "")
		if v == "" {
			return def
		}
		on, ok := parseBool(v)
		if !ok {
			fail(name, "Input should be a valid boolean, unable to interpret input, got %q", v)
		}
		return on
	}
	b.cookies = flag("COOKIE_TRANSPORT", false)
	b.cookieInsecure = !flag("COOKIE_SECURE", true)
	switch v := get("COOKIE_SAMESITE", "lax"); strings.ToLower(v) {
	case "lax":
	case "strict":
		b.sameSite = http.SameSiteStrictMode
	case "none":
		b.sameSite = http.SameSiteNoneMode
	default:
		fail("COOKIE_SAMESITE", "Input should be 'lax', 'strict' or 'none', got %q", v)
	}
	b.cookieDomain = get("COOKIE_DOMAIN", "")
	list := func(name string) []string {
		items, err := fullauth.ParseList(get(name, ""))
		if err != nil {
			fail(name, "%v", err)
		}
		return items
	}
	b.csrfOrigins = list("CSRF_TRUSTED_ORIGINS")
	if len(b.csrfOrigins) == 0 {
		b.csrfOrigins = cfg.Origins
	}
	b.corsOrigins = list("CORS_ORIGINS")
	// Build the middleware once here so that check reports what serve would
	// refuse; serve builds them again with the real secret.
	if b.cookies {
		if _, err := authhttp.NewCookies(authhttp.CookieConfig{Insecure: b.cookieInsecure, SameSite: b.sameSite}); err != nil {
			fail("COOKIE_SAMESITE", "%v", err)
		}
		placeholder := []byte(strings.Repeat("x", 32))
		if _, err := authhttp.NewCSRF(authhttp.CSRFConfig{Secret: placeholder, TrustedOrigins: b.csrfOrigins,
			CookieDomain: b.cookieDomain, CookieInsecure: b.cookieInsecure, CookieSameSite: b.sameSite}); err != nil {
			for _, p := range strings.Split(err.Error(), "\n") {
				fail("CSRF_TRUSTED_ORIGINS", "%s", p)
			}
		}
	}
	if len(b.corsOrigins) > 0 {
		if _, err := authhttp.NewCORS(authhttp.CORSConfig{AllowedOrigins: b.corsOrigins, AllowCredentials: true}); err != nil {
			for _, p := range strings.Split(err.Error(), "\n") {
				fail("CORS_ORIGINS", "%s", p)
			}
		}
	}
	if v := get("GLOBAL_RATE_LIMIT", ""); v != "" {
		maxS, secs, ok := strings.Cut(v, "/")
		n, err1 := strconv.Atoi(strings.TrimSpace(maxS))
		w, err2 := strconv.Atoi(strings.TrimSpace(secs))
		if !ok || err1 != nil || err2 != nil || n < 1 || w < 1 {
			fail("GLOBAL_RATE_LIMIT", "Input should be MAX/SECONDS with positive integers, such as 60/60, got %q", v)
		} else {
			b.globalMax, b.globalWindow = n, time.Duration(w)*time.Second
		}
	}
	return b
}

// parseBool reads a boolean as ConfigFromEnv does.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "0", "false", "f", "no", "n", "off":
		return false, true
	}
	return false, false
}

// serverWarnings are the warnings the server adds to the library's: the
// ones CONTRACT §21 gives for passkey and OAuth settings that cannot be
// served, which is so for every such setting until this server has the
// passkey and OAuth routes.
func (s *settings) serverWarnings() []string {
	var w []string
	if s.cfg.Passkeys.Enabled {
		w = append(w, "PASSKEY_ENABLED is set but this server cannot serve passkeys yet; passkey routes will not be registered.")
	}
	for _, provider := range []string{"GOOGLE", "GITHUB", "DISCORD", "GITLAB", "OIDC"} {
		if v, ok := s.lookup("FULLAUTH_OAUTH_" + provider + "_CLIENT_ID"); ok && strings.TrimSpace(v) != "" {
			w = append(w, "OAuth providers are configured but this server cannot serve OAuth yet; OAuth routes will not be registered.")
			break
		}
	}
	return w
}
