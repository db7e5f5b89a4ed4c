package fullauth

import (
	"context"
	"log/slog"
	"time"

	"github.com/fullauth/fullauth/password"
)

// Config holds the settings of an [Auth]. The zero value is usable and
// secure: every zero field means its documented default, and every boolean
// is phrased so that false is the safe default. Where zero is a meaningful
// setting of its own (the JWT leeway, the refresh grace window) a negative
// value means "none".
//
// [ConfigFromEnv] fills a Config from FULLAUTH_* variables; the comment on
// each field names its variable.
type Config struct {
	// SecretKey signs every token. At least 32 bytes. Nil makes New generate
	// a random key and warn: tokens then die with the process.
	SecretKey []byte // SECRET_KEY
	// Algorithm is HS256 (default), HS384 or HS512.
	Algorithm string // ALGORITHM

	AccessTokenTTL  time.Duration // ACCESS_TOKEN_EXPIRE_MINUTES, default 30m
	RefreshTokenTTL time.Duration // REFRESH_TOKEN_EXPIRE_DAYS, default 30 days
	// DisableRefreshRotation keeps one refresh token for the whole session
	// instead of replacing it on every refresh.
	DisableRefreshRotation bool // REFRESH_TOKEN_ROTATION=false
	// RefreshReuseGrace is how long after a rotation the replaced refresh
	// token still yields the same successor (CONTRACT §24.3). Default 10s;
	// negative disables the window.
	RefreshReuseGrace time.Duration // REFRESH_REUSE_GRACE_SECONDS
	// JWTLeeway is the clock skew tolerated on exp and iat. Default 30s;
	// negative means none.
	JWTLeeway        time.Duration // JWT_LEEWAY_SECONDS
	PasswordResetTTL time.Duration // PASSWORD_RESET_EXPIRE_MINUTES, default 15m
	EmailVerifyTTL   time.Duration // EMAIL_VERIFY_EXPIRE_MINUTES, default 24h

	// PasswordHashAlgorithm is "argon2id" (default) or "bcrypt".
	PasswordHashAlgorithm string // PASSWORD_HASH_ALGORITHM
	// PasswordPolicy applies to new passwords. MinLength defaults to 8.
	PasswordPolicy PasswordPolicy // PASSWORD_MIN_LENGTH
	// Argon2 and BcryptCost tune the hash of new passwords; zero values
	// mean argon2-cffi's defaults (t=3, m=64 MiB, p=4) and cost 12. A stored
	// hash made with other values is replaced at the next login.
	Argon2     password.Argon2Params
	BcryptCost int
	// HashWorkers is the size of the hashing pool in CPUs (see
	// password.Options.Workers): a bcrypt hash takes one slot, an argon2id
	// hash one per lane. Default: the number of CPUs.
	HashWorkers int
	// HashBusy, when set, is told when the hashing pool turns busy and idle
	// (password.Options.Busy). The server uses it to run with a spare P
	// only while hashing.
	HashBusy func(busy bool)

	// LoginField is the JSON key of the login identifier. Only "email" is
	// served by the bundled stores.
	LoginField string // LOGIN_FIELD, default "email"
	// AllowLoginTimingLeak skips the dummy hash for unknown users, which
	// makes it possible to tell registered emails by response time.
	AllowLoginTimingLeak bool // PREVENT_LOGIN_TIMING_ATTACKS=false
	// RevealRegisteredEmails makes registration answer 409 for a taken email
	// instead of the same 202 as a fresh one.
	RevealRegisteredEmails bool // PREVENT_REGISTRATION_ENUMERATION=false

	DisableLockout   bool          // LOCKOUT_ENABLED=false
	MaxLoginAttempts int           // MAX_LOGIN_ATTEMPTS, default 5
	LockoutDuration  time.Duration // LOCKOUT_DURATION_MINUTES, default 15m; also the counting window

	DisableRateLimit    bool          // AUTH_RATE_LIMIT_ENABLED=false
	RateLimits          RateLimits    // AUTH_RATE_LIMITS
	RateLimitWindow     time.Duration // AUTH_RATE_LIMIT_WINDOW_SECONDS, default 60s
	TrustedProxyHeaders []string      // TRUSTED_PROXY_HEADERS
	TrustedProxyCount   int           // TRUSTED_PROXY_COUNT, default 1

	// DisableBlacklist stops checking revoked access tokens on requests.
	DisableBlacklist bool // BLACKLIST_ENABLED=false
	// UserCacheTTL is the longest Authenticate answers a repeated access
	// token from what it verified and loaded earlier (claims, user, roles)
	// instead of verifying it and reading the store; revocation is still
	// checked on every request. A change made through any Auth sharing the
	// KV shows on the next request regardless; the limit is for changes
	// made around it. Default 1s; negative turns the cache off. It is off
	// with DisableBlacklist, which skips the KV read that validates entries.
	UserCacheTTL time.Duration // USER_CACHE_SECONDS (0 = off)

	OAuthStateTTL        time.Duration // OAUTH_STATE_EXPIRE_SECONDS, default 300s
	DisableOAuthAutoLink bool          // OAUTH_AUTO_LINK_BY_EMAIL=false
	DisableOAuthPKCE     bool          // OAUTH_PKCE_ENABLED=false

	Origins  []string      // ORIGINS; the default for Passkeys.Origins
	Passkeys PasskeyConfig // PASSKEY_*

	APIPrefix        string   // API_PREFIX, default "/api/v1"
	AuthRouterPrefix string   // AUTH_ROUTER_PREFIX, default "/auth"
	RouterTags       []string // ROUTER_TAGS, default ["Auth"]

	// Backends name where shared state lives: "memory" or "redis". They are
	// read by the server to build the KV; the library itself only uses the
	// KV it is given.
	Backends Backends

	// KV holds shared short-lived state. Nil means a fresh in-memory KV,
	// which is per-process (New warns).
	KV KV
	// Logger receives the package's logs, each with the attribute
	// logger=fullauth.<component>. Nil means slog.Default(), so warnings
	// such as a generated secret are never lost silently.
	Logger *slog.Logger
	// Hooks are fired by the flows.
	Hooks Hooks
	// TokenClaims, when set, adds custom claims to the "extra" object of
	// every access token issued for a session (CONTRACT §13, §24.4).
	TokenClaims func(ctx context.Context, u *User) (map[string]any, error)
}

// PasswordPolicy is the rule set for new passwords (CONTRACT §10.2).
type PasswordPolicy struct {
	MinLength        int // default 8
	RequireUppercase bool
	RequireLowercase bool
	RequireDigit     bool
	RequireSpecial   bool
	// Blocked passwords are refused, compared case-insensitively.
	Blocked []string
}

// RateLimits are the per-window caps of the auth routes (CONTRACT §9.3).
// Zero means the default.
type RateLimits struct {
	Login         int // default 5
	Register      int // default 3
	PasswordReset int // default 3
	PasskeyAuth   int // default 10
	Refresh       int // default 30
	OAuthCallback int // default: Login
}

// PasskeyConfig configures WebAuthn sign-in.
type PasskeyConfig struct {
	Enabled bool     // PASSKEY_ENABLED; inferred from RPID by ConfigFromEnv
	RPID    string   // PASSKEY_RP_ID: a bare domain
	RPName  string   // PASSKEY_RP_NAME; defaults to RPID
	Origins []string // PASSKEY_ORIGINS: full origins; defaults to Config.Origins
	// ChallengeTTL defaults to 60s.
	ChallengeTTL time.Duration // PASSKEY_CHALLENGE_TTL
	// AllowWithoutUserVerification accepts authenticators that did not
	// verify the user (PIN, biometrics).
	AllowWithoutUserVerification bool // PASSKEY_REQUIRE_USER_VERIFICATION=false
}

// Backends names the backend of each kind of shared state.
type Backends struct {
	Default          string // BACKEND
	Blacklist        string // BLACKLIST_BACKEND
	Lockout          string // LOCKOUT_BACKEND
	RateLimit        string // RATE_LIMIT_BACKEND
	PasskeyChallenge string // PASSKEY_CHALLENGE_BACKEND
	RedisURL         string // REDIS_URL
}
