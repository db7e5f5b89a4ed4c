package fullauth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fullauth/fullauth/password"
)

// Backend names, as FULLAUTH_BACKEND and the *_BACKEND settings spell them.
const (
	backendMemory = "memory"
	backendRedis  = "redis"
)

// The defaults of CONTRACT §7.2, and ours.
const (
	defaultAlgorithm         = "HS256"
	defaultAccessTokenTTL    = 30 * time.Minute
	defaultRefreshTokenTTL   = 30 * 24 * time.Hour
	defaultRefreshReuseGrace = 10 * time.Second
	defaultJWTLeeway         = 30 * time.Second
	defaultPasswordResetTTL  = 15 * time.Minute
	defaultEmailVerifyTTL    = 24 * time.Hour
	defaultHashAlgorithm     = "argon2id"
	defaultPasswordMinLength = 8
	defaultLoginField        = "email"
	defaultMaxLoginAttempts  = 5
	defaultLockoutDuration   = 15 * time.Minute
	defaultRateLimitWindow   = 60 * time.Second
	defaultTrustedProxyCount = 1
	defaultOAuthStateTTL     = 300 * time.Second
	defaultChallengeTTL      = 60 * time.Second
	defaultAPIPrefix         = "/api/v1"
	defaultAuthRouterPrefix  = "/auth"
	defaultRouterTag         = "Auth"

	defaultLoginLimit         = 5
	defaultRegisterLimit      = 3
	defaultPasswordResetLimit = 3
	defaultPasskeyAuthLimit   = 10
	defaultRefreshLimit       = 30
)

// generatedSecretWarning is the warning of CONTRACT §7.4 for a generated
// secret.
const generatedSecretWarning = "FULLAUTH_SECRET_KEY is not set. A random key has been generated. " +
	"Tokens will be invalidated on restart. Set FULLAUTH_SECRET_KEY for production."

// Resolve returns a copy of c with every default applied, the warnings
// worth showing to a person, and an error listing every problem with c.
//
// Defaults: those of CONTRACT §7.2, plus RefreshReuseGrace 10s, UserCacheTTL 1s, a
// RateLimits.OAuthCallback equal to RateLimits.Login (HashWorkers stays 0:
// the password package sizes its pool), Passkeys.RPName equal to Passkeys.RPID, a 60s
// Passkeys.ChallengeTTL, and Passkeys.Origins equal to Origins when empty.
// An empty Backends.Default is "redis" when Backends.RedisURL is set and
// "memory" otherwise, and an empty per-feature backend is Backends.Default.
// JWTLeeway, RefreshReuseGrace and UserCacheTTL stay negative when negative (none), so
// resolving twice gives the same Config. Slices are copied.
//
// A nil SecretKey is replaced by a random one (86 URL-safe characters) and
// warned about: tokens then die with the process. The other warning names
// the enabled features whose state is per-process: all of them when KV is
// a [*MemoryKV]; with a nil KV, those whose backend resolves to memory; with
// another KV, those whose backend says memory explicitly.
//
// The error is a [*ConfigError] whose first problem is the one
// fastapi-fullauth reports (CONTRACT §7.4), with its exact text: Redis
// required but REDIS_URL unset (only for enabled features, and only when
// KV is nil, since a given KV needs no URL), a secret shorter than 32
// characters, then the passkey checks. The checks Go adds follow. On error the
// Config and warnings are returned as far as they were resolved.
func (c Config) Resolve() (Config, []string, error) {
	r := c.withDefaults()
	var problems, warnings []string

	// CONTRACT §7.4.1: a feature that is enabled and keeps its state in
	// Redis needs REDIS_URL. A disabled feature never does (§24.16).
	if c.KV == nil && r.Backends.RedisURL == "" {
		var names []string
		for _, f := range r.kvFeatures() {
			if f.enabled && f.backend == backendRedis {
				names = append(names, f.name)
			}
		}
		if len(names) > 0 {
			problems = append(problems, "REDIS_URL must be set when "+strings.Join(names, ", ")+" use 'redis'.")
		}
	}

	// CONTRACT §7.4.2.
	if r.SecretKey == nil {
		r.SecretKey = []byte(generateSecretKey())
		warnings = append(warnings, generatedSecretWarning)
	} else if utf8.RuneCount(r.SecretKey) < 32 { // characters, as Python's len() counts them
		problems = append(problems, "SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret")
	}

	// CONTRACT §7.4.3, with the Go checks of RP ID and origins folded into
	// the same messages.
	if r.Passkeys.Enabled {
		switch id := r.Passkeys.RPID; {
		case id == "":
			problems = append(problems, "PASSKEY_RP_ID is required when PASSKEY_ENABLED=True")
		case !bareDomain(id):
			problems = append(problems, "PASSKEY_RP_ID must be a bare domain, got '"+id+
				"'. No scheme, no path (e.g. 'example.com', not 'https://example.com').")
		}
		if len(r.Passkeys.Origins) == 0 {
			problems = append(problems, "PASSKEY_ORIGINS is required when PASSKEY_ENABLED=True")
		}
		for _, o := range r.Passkeys.Origins {
			if !fullOrigin(o) {
				problems = append(problems, "PASSKEY_ORIGINS entry '"+o+
					"' must be a full origin (scheme://host[:port], no path).")
			}
		}
	}

	problems = append(problems, c.goProblems()...)

	if names := c.memoryFeatures(r); len(names) > 0 {
		warnings = append(warnings, "In-memory backends in use: "+strings.Join(names, ", ")+
			". State is per-process; logout/revocation, lockouts, rate limits, and passkey flows "+
			"will behave inconsistently under multi-worker deployments. Set these to 'redis' "+
			"(and configure REDIS_URL) in production.")
	}

	if len(problems) > 0 {
		return r, warnings, &ConfigError{Problems: problems}
	}
	return r, warnings, nil
}

// goProblems are the checks this port adds to CONTRACT §7.4, made on the
// Config as given so that a bad value is reported once, under its own name.
func (c Config) goProblems() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	switch c.Algorithm {
	case "", "HS256", "HS384", "HS512":
	default:
		add("Algorithm (ALGORITHM) must be HS256, HS384 or HS512, got %q", c.Algorithm)
	}
	hashAlg := c.PasswordHashAlgorithm
	switch hashAlg {
	case "", "argon2id", "bcrypt":
	default:
		add("PasswordHashAlgorithm (PASSWORD_HASH_ALGORITHM) must be argon2id or bcrypt, got %q", hashAlg)
		hashAlg = ""
	}
	if c.LoginField != "" && c.LoginField != defaultLoginField {
		add("LoginField (LOGIN_FIELD) must be %q: the bundled stores serve only email, got %q",
			defaultLoginField, c.LoginField)
	}
	for _, b := range []struct{ field, env, v string }{
		{"Backends.Default", "BACKEND", c.Backends.Default},
		{"Backends.Blacklist", "BLACKLIST_BACKEND", c.Backends.Blacklist},
		{"Backends.Lockout", "LOCKOUT_BACKEND", c.Backends.Lockout},
		{"Backends.RateLimit", "RATE_LIMIT_BACKEND", c.Backends.RateLimit},
		{"Backends.PasskeyChallenge", "PASSKEY_CHALLENGE_BACKEND", c.Backends.PasskeyChallenge},
	} {
		if b.v != "" && b.v != backendMemory && b.v != backendRedis {
			add("%s (%s) must be memory or redis, got %q", b.field, b.env, b.v)
		}
	}
	for _, d := range []struct {
		field, env string
		v          time.Duration
	}{
		{"AccessTokenTTL", "ACCESS_TOKEN_EXPIRE_MINUTES", c.AccessTokenTTL},
		{"RefreshTokenTTL", "REFRESH_TOKEN_EXPIRE_DAYS", c.RefreshTokenTTL},
		{"PasswordResetTTL", "PASSWORD_RESET_EXPIRE_MINUTES", c.PasswordResetTTL},
		{"EmailVerifyTTL", "EMAIL_VERIFY_EXPIRE_MINUTES", c.EmailVerifyTTL},
		{"LockoutDuration", "LOCKOUT_DURATION_MINUTES", c.LockoutDuration},
		{"RateLimitWindow", "AUTH_RATE_LIMIT_WINDOW_SECONDS", c.RateLimitWindow},
		{"OAuthStateTTL", "OAUTH_STATE_EXPIRE_SECONDS", c.OAuthStateTTL},
		{"Passkeys.ChallengeTTL", "PASSKEY_CHALLENGE_TTL", c.Passkeys.ChallengeTTL},
	} {
		if d.v < 0 {
			add("%s (%s) must not be negative, got %v", d.field, d.env, d.v)
		}
	}
	for _, n := range []struct {
		field, env string
		v          int
	}{
		{"PasswordPolicy.MinLength", "PASSWORD_MIN_LENGTH", c.PasswordPolicy.MinLength},
		{"HashWorkers", "", c.HashWorkers},
		{"MaxLoginAttempts", "MAX_LOGIN_ATTEMPTS", c.MaxLoginAttempts},
		{"TrustedProxyCount", "TRUSTED_PROXY_COUNT", c.TrustedProxyCount},
		{"RateLimits.Login", "AUTH_RATE_LIMITS login", c.RateLimits.Login},
		{"RateLimits.Register", "AUTH_RATE_LIMITS register", c.RateLimits.Register},
		{"RateLimits.PasswordReset", "AUTH_RATE_LIMITS password_reset", c.RateLimits.PasswordReset},
		{"RateLimits.PasskeyAuth", "AUTH_RATE_LIMITS passkey_auth", c.RateLimits.PasskeyAuth},
		{"RateLimits.Refresh", "AUTH_RATE_LIMITS refresh", c.RateLimits.Refresh},
		{"RateLimits.OAuthCallback", "AUTH_RATE_LIMITS oauth_callback", c.RateLimits.OAuthCallback},
	} {
		if n.v < 0 {
			name := n.field
			if n.env != "" {
				name += " (" + n.env + ")"
			}
			add("%s must not be negative, got %d", name, n.v)
		}
	}
	// The hasher's own parameter checks, so that they are reported with the
	// rest rather than by New afterwards.
	if _, err := password.New(password.Options{
		Algorithm:  password.Algorithm(hashAlg),
		Argon2:     c.Argon2,
		BcryptCost: c.BcryptCost,
		Workers:    1,
	}); err != nil {
		add("%v", err)
	}
	if c.APIPrefix != "" && c.APIPrefix[0] != '/' {
		add("APIPrefix (API_PREFIX) must start with \"/\", got %q", c.APIPrefix)
	}
	if p := c.AuthRouterPrefix; p != "" && (p[0] != '/' || strings.HasSuffix(p, "/")) {
		add("AuthRouterPrefix (AUTH_ROUTER_PREFIX) must start with \"/\" and not end with \"/\", got %q", p)
	}
	return p
}

// withDefaults returns a copy of c with every default applied, except the
// generated secret. It does not validate.
func (c Config) withDefaults() Config {
	r := c
	r.SecretKey = slices.Clone(c.SecretKey)
	setDefault(&r.Algorithm, defaultAlgorithm)
	setDefault(&r.AccessTokenTTL, defaultAccessTokenTTL)
	setDefault(&r.RefreshTokenTTL, defaultRefreshTokenTTL)
	setDefault(&r.RefreshReuseGrace, defaultRefreshReuseGrace)
	setDefault(&r.JWTLeeway, defaultJWTLeeway)
	setDefault(&r.UserCacheTTL, defaultUserCacheTTL)
	setDefault(&r.PasswordResetTTL, defaultPasswordResetTTL)
	setDefault(&r.EmailVerifyTTL, defaultEmailVerifyTTL)

	setDefault(&r.PasswordHashAlgorithm, defaultHashAlgorithm)
	setDefault(&r.PasswordPolicy.MinLength, defaultPasswordMinLength)
	r.PasswordPolicy.Blocked = slices.Clone(c.PasswordPolicy.Blocked)
	setDefault(&r.LoginField, defaultLoginField)

	setDefault(&r.MaxLoginAttempts, defaultMaxLoginAttempts)
	setDefault(&r.LockoutDuration, defaultLockoutDuration)

	setDefault(&r.RateLimits.Login, defaultLoginLimit)
	setDefault(&r.RateLimits.Register, defaultRegisterLimit)
	setDefault(&r.RateLimits.PasswordReset, defaultPasswordResetLimit)
	setDefault(&r.RateLimits.PasskeyAuth, defaultPasskeyAuthLimit)
	setDefault(&r.RateLimits.Refresh, defaultRefreshLimit)
	setDefault(&r.RateLimits.OAuthCallback, r.RateLimits.Login)
	setDefault(&r.RateLimitWindow, defaultRateLimitWindow)
	r.TrustedProxyHeaders = slices.Clone(c.TrustedProxyHeaders)
	setDefault(&r.TrustedProxyCount, defaultTrustedProxyCount)

	setDefault(&r.OAuthStateTTL, defaultOAuthStateTTL)

	r.Origins = slices.Clone(c.Origins)
	if len(c.Passkeys.Origins) > 0 {
		r.Passkeys.Origins = slices.Clone(c.Passkeys.Origins)
	} else {
		r.Passkeys.Origins = slices.Clone(c.Origins)
	}
	setDefault(&r.Passkeys.RPName, r.Passkeys.RPID)
	setDefault(&r.Passkeys.ChallengeTTL, defaultChallengeTTL)

	setDefault(&r.APIPrefix, defaultAPIPrefix)
	setDefault(&r.AuthRouterPrefix, defaultAuthRouterPrefix)
	if c.RouterTags == nil {
		r.RouterTags = []string{defaultRouterTag}
	} else {
		r.RouterTags = slices.Clone(c.RouterTags)
	}

	if r.Backends.Default == "" {
		r.Backends.Default = backendMemory
		if r.Backends.RedisURL != "" {
			r.Backends.Default = backendRedis
		}
	}
	setDefault(&r.Backends.Blacklist, r.Backends.Default)
	setDefault(&r.Backends.Lockout, r.Backends.Default)
	setDefault(&r.Backends.RateLimit, r.Backends.Default)
	setDefault(&r.Backends.PasskeyChallenge, r.Backends.Default)
	return r
}

// setDefault sets *p to def when *p is the zero value.
func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// kvFeature is a feature that keeps shared state in a backend.
type kvFeature struct {
	name    string // the setting naming its backend
	enabled bool
	backend string
}

// kvFeatures lists the features with a backend in the order of CONTRACT
// §7.4.1 and §21.
func (c Config) kvFeatures() []kvFeature {
	return []kvFeature{
		{"BLACKLIST_BACKEND", !c.DisableBlacklist, c.Backends.Blacklist},
		{"LOCKOUT_BACKEND", !c.DisableLockout, c.Backends.Lockout},
		{"RATE_LIMIT_BACKEND", !c.DisableRateLimit, c.Backends.RateLimit},
		{"PASSKEY_CHALLENGE_BACKEND", c.Passkeys.Enabled, c.Backends.PasskeyChallenge},
	}
}

// memoryFeatures names the enabled features whose state stays in this
// process (CONTRACT §21). c is the Config as given, r as resolved.
func (c Config) memoryFeatures(r Config) []string {
	_, memKV := c.KV.(*MemoryKV)
	given := c.kvFeatures()
	var names []string
	for i, f := range r.kvFeatures() {
		explicit := given[i].backend
		if explicit == "" {
			explicit = c.Backends.Default
		}
		var inMemory bool
		switch {
		case memKV:
			inMemory = true
		case c.KV == nil:
			inMemory = f.backend == backendMemory
		default:
			inMemory = explicit == backendMemory
		}
		if f.enabled && inMemory {
			names = append(names, f.name)
		}
	}
	return names
}

// bareDomain reports whether id can be a WebAuthn RP ID: no scheme, path,
// port, query, user info or whitespace.
func bareDomain(id string) bool {
	return !strings.Contains(id, "://") && !strings.ContainsAny(id, "/:?#@ \t\r\n")
}

// fullOrigin reports whether o is scheme://host[:port] and nothing more. It
// rejects what CONTRACT §7.4 rejects (no "://", more than two "/") and also
// what the browser would never send as an origin: an empty host, a query,
// a fragment or user info.
func fullOrigin(o string) bool {
	if !strings.Contains(o, "://") || strings.Count(o, "/") > 2 {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Hostname() == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return strings.HasSuffix(o, u.Host) // nothing after the authority, not even "#"
}

// generateSecretKey returns 64 random bytes in URL-safe base64 without
// padding: 86 characters, as Python's secrets.token_urlsafe(64).
func generateSecretKey() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b) // never fails (crypto/rand.Read crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Summary returns the rows `fullauth check` prints (CONTRACT §22), as
// label/value pairs in order, for c with its defaults applied.
// secretGenerated says whether the secret was generated by Resolve; a nil
// SecretKey is also reported as generated, since Resolve would generate
// one. The secret itself is never shown.
func (c Config) Summary(secretGenerated bool) [][2]string {
	r := c.withDefaults()
	set := func(b bool) string {
		if b {
			return "set"
		}
		return "not set"
	}
	secret := "set"
	if secretGenerated || r.SecretKey == nil {
		secret = "generated (set FULLAUTH_SECRET_KEY)"
	}
	unlessOff := func(off bool, backend string) string {
		if off {
			return "off"
		}
		return backend
	}
	rows := [][2]string{
		{"backend (default)", r.Backends.Default},
		{"redis url", set(r.Backends.RedisURL != "")},
		{"secret key", secret},
		{"algorithm", r.Algorithm},
		{"access token expiry", formatUnits(r.AccessTokenTTL, time.Minute) + " min"},
		{"refresh token expiry", formatUnits(r.RefreshTokenTTL, 24*time.Hour) + " days"},
		{"blacklist", unlessOff(r.DisableBlacklist, r.Backends.Blacklist)},
		{"lockout", unlessOff(r.DisableLockout, r.Backends.Lockout)},
		{"rate limit", unlessOff(r.DisableRateLimit, r.Backends.RateLimit)},
		{"passkeys", unlessOff(!r.Passkeys.Enabled, r.Backends.PasskeyChallenge)},
		{"api prefix", r.AuthPath()},
	}
	if r.Passkeys.Enabled {
		rows = append(rows, [2]string{"passkey rp id", r.Passkeys.RPID})
	}
	return rows
}

// formatUnits writes d as a number of units: "30", or "1.5" when it is not
// a whole number.
func formatUnits(d, unit time.Duration) string {
	if d%unit == 0 {
		return strconv.FormatInt(int64(d/unit), 10)
	}
	return strconv.FormatFloat(float64(d)/float64(unit), 'f', -1, 64)
}

// AuthPath is where the auth routes are mounted: API_PREFIX without its
// trailing slash, then AUTH_ROUTER_PREFIX ("/api/v1/auth" by default).
func (c Config) AuthPath() string {
	r := c.withDefaults()
	return strings.TrimRight(r.APIPrefix, "/") + r.AuthRouterPrefix
}
