package fullauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fullauth/fullauth/password"
	"github.com/fullauth/fullauth/token"
)

// Auth runs the account flows: registration, login, refresh, logout,
// email verification, password reset and profile changes. It is safe for
// concurrent use; build one with [New] and share it.
type Auth struct {
	cfg   Config
	store Store
	kv    KV

	// Optional store capabilities, discovered once in New.
	roles    RoleStore
	perms    PermissionStore
	sessions SessionStore
	swapHash PasswordHashSwapper

	hasher   *password.Hasher
	signer   *token.Signer
	verifier *token.Verifier
	leeway   time.Duration
	users    *userCache // nil when off

	logs     loggers
	warnings []string

	dummyOnce sync.Once
	dummyHash string
}

// ClientInfo describes the client of a request, for session metadata.
type ClientInfo struct {
	UserAgent string
	IP        string
}

// New validates cfg (reporting every problem at once, see [Config.Resolve]),
// discovers the optional capabilities of store and returns an Auth. It
// logs the warnings of CONTRACT §21 and one ready line.
func New(store Store, cfg Config) (*Auth, error) {
	if store == nil {
		return nil, &ConfigError{Problems: []string{"fullauth: a Store is required"}}
	}
	memoryKV := cfg.KV == nil
	resolved, warnings, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	a := &Auth{cfg: resolved, store: store, kv: resolved.KV, warnings: warnings}
	if a.kv == nil {
		a.kv = NewMemoryKV()
	}
	logger := resolved.Logger
	if logger == nil {
		logger = slog.Default()
	}
	a.logs = newLoggers(logger)
	a.roles, _ = store.(RoleStore)
	a.perms, _ = store.(PermissionStore)
	a.sessions, _ = store.(SessionStore)
	a.swapHash, _ = store.(PasswordHashSwapper)

	a.hasher, err = password.New(password.Options{
		Algorithm:  password.Algorithm(resolved.PasswordHashAlgorithm),
		Argon2:     resolved.Argon2,
		BcryptCost: resolved.BcryptCost,
		Workers:    resolved.HashWorkers,
		Busy:       resolved.HashBusy,
	})
	if err != nil {
		return nil, &ConfigError{Problems: []string{err.Error()}}
	}
	alg := token.Algorithm(resolved.Algorithm)
	if a.signer, err = token.NewSigner(alg, resolved.SecretKey); err != nil {
		return nil, &ConfigError{Problems: []string{err.Error()}}
	}
	a.leeway = max(resolved.JWTLeeway, 0)
	if a.verifier, err = token.NewVerifier(alg, resolved.SecretKey, a.leeway); err != nil {
		return nil, &ConfigError{Problems: []string{err.Error()}}
	}

	if resolved.UserCacheTTL > 0 && !resolved.DisableBlacklist {
		a.users = newUserCache(resolved.UserCacheTTL)
	}

	for _, w := range warnings {
		a.logs.root.Warn(w)
	}
	a.logs.root.Info(a.readyLine(memoryKV))
	return a, nil
}

// readyLine is the INFO line of CONTRACT §20: each feature's backend as
// resolved (or off), and the passkey challenges' when passkeys are on.
func (a *Auth) readyLine(memoryKV bool) string {
	backend := func(b string) string {
		switch {
		case memoryKV:
			return "memory"
		case b != "":
			return b
		}
		return "kv" // a KV of the caller's, with no backend named
	}
	state := func(off bool, b string) string {
		if off {
			return "off"
		}
		return backend(b)
	}
	b := a.cfg.Backends
	line := fmt.Sprintf("fullauth ready: blacklist=%s lockout=%s ratelimit=%s",
		state(a.cfg.DisableBlacklist, b.Blacklist), state(a.cfg.DisableLockout, b.Lockout), state(a.cfg.DisableRateLimit, b.RateLimit))
	passkeys := "off"
	if a.cfg.Passkeys.Enabled {
		line += " passkey=" + backend(b.PasskeyChallenge)
		passkeys = "on"
	}
	return line + " | passkeys=" + passkeys + " | oauth=none"
}

// Config returns the resolved configuration, defaults applied.
func (a *Auth) Config() Config { return a.cfg }

// Store returns the store the Auth was built with.
func (a *Auth) Store() Store { return a.store }

// KV returns the shared short-lived state, for features built on top
// (OAuth state, passkey challenges, rate limits).
func (a *Auth) KV() KV { return a.kv }

// Warnings returns the configuration warnings New logged.
func (a *Auth) Warnings() []string { return append([]string(nil), a.warnings...) }

// Hasher returns the password hasher, whose pool bounds concurrent hashing.
func (a *Auth) Hasher() *password.Hasher { return a.hasher }

// Logger returns the logger for the named component, carrying the
// attribute logger=fullauth.<name> (CONTRACT §20).
func (a *Auth) Logger(name string) *slog.Logger { return a.logs.named(name) }

// digest is the lowercase hex SHA-256 under which a token is stored.
func digest(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// keyedDigest is a hex HMAC of msg under the secret key, for values that
// must be reproducible by this deployment only.
func (a *Auth) keyedDigest(msg string) string {
	m := hmac.New(sha256.New, a.cfg.SecretKey)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// loggers holds one logger per component so the hot paths don't build them.
type loggers struct {
	root   *slog.Logger
	byName map[string]*slog.Logger
}

var componentNames = []string{
	"tokens", "blacklist", "login", "logout", "refresh", "register", "change_password",
	"email_verify", "password_reset", "lockout", "hooks", "account", "admin", "sessions", "http", "ratelimit",
}

func newLoggers(base *slog.Logger) loggers {
	l := loggers{root: base.With("logger", "fullauth"), byName: make(map[string]*slog.Logger)}
	for _, n := range componentNames {
		l.byName[n] = base.With("logger", "fullauth."+n)
	}
	return l
}

func (l loggers) named(name string) *slog.Logger {
	if lg, ok := l.byName[name]; ok {
		return lg
	}
	return l.root.With("logger", "fullauth."+strings.TrimPrefix(name, "fullauth."))
}

// unavailable wraps a KV failure so callers fail closed with ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
}

// remaining is how long a token that expires at exp stays acceptable,
// leeway included, never less than one second.
func (a *Auth) remaining(exp int64, now time.Time) time.Duration {
	return max(time.Unix(exp, 0).Add(a.leeway).Sub(now), time.Second)
}

// call runs an optional hook, logging and swallowing its error or panic so
// that a failing hook never changes the outcome of the request.
func (a *Auth) call(ctx context.Context, event string, fn func() error) {
	defer func() {
		if p := recover(); p != nil {
			a.logs.named("hooks").ErrorContext(ctx, fmt.Sprintf("hook for event '%s' raised", event), "panic", fmt.Sprint(p))
		}
	}()
	if err := fn(); err != nil {
		a.logs.named("hooks").ErrorContext(ctx, fmt.Sprintf("hook for event '%s' raised", event), "err", err)
	}
}
