package fullauth

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth/password"
)

const resolveTestSecret = "0123456789abcdef0123456789abcdef-resolve"

// The exact texts of CONTRACT §7.4 and §21.
const (
	msgSecretGenerated = "FULLAUTH_SECRET_KEY is not set. A random key has been generated. Tokens will be invalidated on restart. Set FULLAUTH_SECRET_KEY for production."
	msgSecretShort     = "SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret"
	msgRPIDRequired    = "PASSKEY_RP_ID is required when PASSKEY_ENABLED=True"
	msgOriginsRequired = "PASSKEY_ORIGINS is required when PASSKEY_ENABLED=True"
)

func msgRedis(names string) string { return "REDIS_URL must be set when " + names + " use 'redis'." }

func msgBareDomain(v string) string {
	return "PASSKEY_RP_ID must be a bare domain, got '" + v + "'. No scheme, no path (e.g. 'example.com', not 'https://example.com')."
}

func msgOrigin(v string) string {
	return "PASSKEY_ORIGINS entry '" + v + "' must be a full origin (scheme://host[:port], no path)."
}

func msgInMemory(names string) string {
	return "In-memory backends in use: " + names + ". State is per-process; logout/revocation, lockouts, rate limits, and passkey flows will behave inconsistently under multi-worker deployments. Set these to 'redis' (and configure REDIS_URL) in production."
}

// mustResolve resolves c and fails the test on error.
func mustResolve(t *testing.T, c Config) (Config, []string) {
	t.Helper()
	r, warnings, err := c.Resolve()
	if err != nil {
		t.Fatalf("Resolve() err = %v, want nil", err)
	}
	return r, warnings
}

func TestResolveDefaults(t *testing.T) {
	r, _ := mustResolve(t, Config{SecretKey: []byte(resolveTestSecret)})
	want := Config{
		SecretKey:             []byte(resolveTestSecret),
		Algorithm:             "HS256",
		AccessTokenTTL:        30 * time.Minute,
		RefreshTokenTTL:       30 * 24 * time.Hour,
		RefreshReuseGrace:     10 * time.Second,
		JWTLeeway:             30 * time.Second,
		PasswordResetTTL:      15 * time.Minute,
		EmailVerifyTTL:        24 * time.Hour,
		PasswordHashAlgorithm: "argon2id",
		PasswordPolicy:        PasswordPolicy{MinLength: 8},
		HashWorkers:           0, // the password package sizes its pool
		LoginField:            "email",
		MaxLoginAttempts:      5,
		LockoutDuration:       15 * time.Minute,
		RateLimits:            RateLimits{Login: 5, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 5},
		RateLimitWindow:       60 * time.Second,
		TrustedProxyCount:     1,
		UserCacheTTL:          time.Second,
		OAuthStateTTL:         300 * time.Second,
		Passkeys:              PasskeyConfig{ChallengeTTL: 60 * time.Second},
		APIPrefix:             "/api/v1",
		AuthRouterPrefix:      "/auth",
		RouterTags:            []string{"Auth"},
		Backends:              Backends{Default: "memory", Blacklist: "memory", Lockout: "memory", RateLimit: "memory", PasskeyChallenge: "memory"},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Resolve() =\n%+v\nwant\n%+v", r, want)
	}
}

func TestResolveKeepsGivenValues(t *testing.T) {
	claims := func(context.Context, *User) (map[string]any, error) { return nil, nil }
	kv := NewMemoryKV()
	c := Config{
		SecretKey:             []byte(resolveTestSecret),
		Algorithm:             "HS384",
		AccessTokenTTL:        time.Minute,
		RefreshTokenTTL:       time.Hour,
		RefreshReuseGrace:     -1,
		JWTLeeway:             -1,
		PasswordResetTTL:      time.Minute,
		EmailVerifyTTL:        time.Minute,
		PasswordHashAlgorithm: "bcrypt",
		PasswordPolicy:        PasswordPolicy{MinLength: 12, RequireDigit: true, Blocked: []string{"password"}},
		HashWorkers:           2,
		MaxLoginAttempts:      3,
		LockoutDuration:       time.Hour,
		RateLimits:            RateLimits{Login: 1, Register: 2, PasswordReset: 3, PasskeyAuth: 4, Refresh: 5, OAuthCallback: 6},
		RateLimitWindow:       time.Second,
		TrustedProxyHeaders:   []string{"X-Forwarded-For"},
		TrustedProxyCount:     2,
		OAuthStateTTL:         time.Second,
		Origins:               []string{"https://a.example"},
		Passkeys: PasskeyConfig{
			Enabled: true, RPID: "example.com", RPName: "Example",
			Origins: []string{"https://example.com"}, ChallengeTTL: time.Second,
		},
		APIPrefix:        "/",
		AuthRouterPrefix: "/users",
		RouterTags:       []string{},
		Backends:         Backends{Default: "redis", Lockout: "memory", RedisURL: "redis://x"},
		KV:               kv,
		TokenClaims:      claims,
	}
	r, _ := mustResolve(t, c)
	if r.RefreshReuseGrace != -1 || r.JWTLeeway != -1 {
		t.Errorf("negative durations changed: grace %v leeway %v", r.RefreshReuseGrace, r.JWTLeeway)
	}
	if r.RateLimits != c.RateLimits || r.Passkeys.RPName != "Example" || len(r.RouterTags) != 0 ||
		r.APIPrefix != "/" || r.HashWorkers != 2 || r.KV != kv || r.TokenClaims == nil {
		t.Errorf("given values changed: %+v", r)
	}
	want := Backends{Default: "redis", Blacklist: "redis", Lockout: "memory", RateLimit: "redis", PasskeyChallenge: "redis", RedisURL: "redis://x"}
	if r.Backends != want {
		t.Errorf("Backends = %+v, want %+v", r.Backends, want)
	}
	// Slices are copied.
	r.Origins[0], r.Passkeys.Origins[0], r.PasswordPolicy.Blocked[0], r.TrustedProxyHeaders[0], r.SecretKey[0] = "x", "x", "x", "x", 'x'
	if c.Origins[0] == "x" || c.Passkeys.Origins[0] == "x" || c.PasswordPolicy.Blocked[0] == "x" ||
		c.TrustedProxyHeaders[0] == "x" || c.SecretKey[0] == 'x' {
		t.Errorf("Resolve() shares slices with its receiver")
	}
}

func TestResolveInheritance(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want func(Config) any
		val  any
	}{
		{"OAuthCallback follows Login", Config{RateLimits: RateLimits{Login: 9}},
			func(c Config) any { return c.RateLimits.OAuthCallback }, 9},
		{"RPName follows RPID", Config{Passkeys: PasskeyConfig{RPID: "example.com"}},
			func(c Config) any { return c.Passkeys.RPName }, "example.com"},
		{"Passkeys.Origins follow Origins", Config{Origins: []string{"https://a.example"}},
			func(c Config) any { return c.Passkeys.Origins }, []string{"https://a.example"}},
		{"an empty Passkeys.Origins follows Origins", Config{Origins: []string{"https://a.example"}, Passkeys: PasskeyConfig{Origins: []string{}}},
			func(c Config) any { return c.Passkeys.Origins }, []string{"https://a.example"}},
		{"RedisURL makes the default backend redis", Config{Backends: Backends{RedisURL: "redis://x"}},
			func(c Config) any { return c.Backends }, Backends{"redis", "redis", "redis", "redis", "redis", "redis://x"}},
		{"explicit memory default despite RedisURL", Config{Backends: Backends{Default: "memory", RateLimit: "redis", RedisURL: "redis://x"}},
			func(c Config) any { return c.Backends }, Backends{"memory", "memory", "memory", "redis", "memory", "redis://x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.SecretKey = []byte(resolveTestSecret)
			r, _ := mustResolve(t, tc.c)
			if got := tc.want(r); !reflect.DeepEqual(got, tc.val) {
				t.Errorf("got %#v, want %#v", got, tc.val)
			}
		})
	}
}

func TestResolveIsIdempotent(t *testing.T) {
	c := Config{Origins: []string{"https://example.com"}, Passkeys: PasskeyConfig{Enabled: true, RPID: "example.com"}}
	once, w1 := mustResolve(t, c)
	twice, w2 := mustResolve(t, once)
	if !reflect.DeepEqual(once, twice) {
		t.Errorf("Resolve(Resolve(c)) =\n%+v\nwant\n%+v", twice, once)
	}
	if len(w1) != 2 || w1[0] != msgSecretGenerated {
		t.Errorf("first warnings = %q", w1)
	}
	if len(w2) != 1 || w2[0] == msgSecretGenerated {
		t.Errorf("second warnings = %q, want the in-memory one only", w2)
	}
}

func TestResolveGeneratedSecret(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{86}$`)
	seen := map[string]bool{}
	for range 3 {
		r, warnings := mustResolve(t, Config{KV: fakeKV{}})
		if !urlSafe.Match(r.SecretKey) {
			t.Errorf("generated secret %q: want 86 URL-safe base64 characters", r.SecretKey)
		}
		if seen[string(r.SecretKey)] {
			t.Errorf("generated secret repeated")
		}
		seen[string(r.SecretKey)] = true
		if want := []string{msgSecretGenerated}; !reflect.DeepEqual(warnings, want) {
			t.Errorf("warnings = %q, want %q", warnings, want)
		}
	}
	// A given secret is used as is and not warned about.
	r, warnings := mustResolve(t, Config{SecretKey: []byte(resolveTestSecret), KV: fakeKV{}})
	if string(r.SecretKey) != resolveTestSecret || len(warnings) != 0 {
		t.Errorf("SecretKey = %q, warnings = %q", r.SecretKey, warnings)
	}
	// 32 bytes is enough.
	if _, _, err := (Config{SecretKey: []byte(strings.Repeat("k", 32))}).Resolve(); err != nil {
		t.Errorf("32-byte secret: err = %v", err)
	}
}

// fakeKV stands for a shared KV, such as Redis, given by the application.
type fakeKV struct{ KV }

func TestResolveMessages(t *testing.T) {
	passkeys := func(rpID string, origins ...string) PasskeyConfig {
		return PasskeyConfig{Enabled: true, RPID: rpID, Origins: origins}
	}
	secret := []byte(resolveTestSecret)
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{"redis for every enabled feature",
			Config{SecretKey: secret, Backends: Backends{Default: "redis"}, Passkeys: passkeys("example.com", "https://example.com")},
			[]string{msgRedis("BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND, PASSKEY_CHALLENGE_BACKEND")}},
		{"redis for one feature",
			Config{SecretKey: secret, Backends: Backends{Lockout: "redis"}},
			[]string{msgRedis("LOCKOUT_BACKEND")}},
		{"disabled features never demand redis (CONTRACT §24.16)",
			Config{SecretKey: secret, Backends: Backends{Default: "redis", RateLimit: "memory"}, DisableBlacklist: true, DisableLockout: true},
			nil},
		{"a disabled blacklist does not, the enabled lockout does",
			Config{SecretKey: secret, Backends: Backends{Blacklist: "redis", Lockout: "redis"}, DisableBlacklist: true},
			[]string{msgRedis("LOCKOUT_BACKEND")}},
		{"passkeys off: their challenge backend is not checked",
			Config{SecretKey: secret, Backends: Backends{PasskeyChallenge: "redis"}},
			nil},
		{"a given KV needs no REDIS_URL",
			Config{SecretKey: secret, Backends: Backends{Default: "redis"}, KV: fakeKV{}},
			nil},
		{"short secret", Config{SecretKey: []byte(strings.Repeat("k", 31))}, []string{msgSecretShort}},
		{"empty secret", Config{SecretKey: []byte{}}, []string{msgSecretShort}},
		{"no RP ID", Config{SecretKey: secret, Passkeys: passkeys("", "https://example.com")}, []string{msgRPIDRequired}},
		{"RP ID with scheme", Config{SecretKey: secret, Passkeys: passkeys("https://example.com", "https://example.com")},
			[]string{msgBareDomain("https://example.com")}},
		{"RP ID with path", Config{SecretKey: secret, Passkeys: passkeys("example.com/login", "https://example.com")},
			[]string{msgBareDomain("example.com/login")}},
		{"RP ID with port", Config{SecretKey: secret, Passkeys: passkeys("example.com:443", "https://example.com")},
			[]string{msgBareDomain("example.com:443")}},
		{"no origins", Config{SecretKey: secret, Passkeys: passkeys("example.com")}, []string{msgOriginsRequired}},
		{"origin without scheme", Config{SecretKey: secret, Passkeys: passkeys("example.com", "example.com")},
			[]string{msgOrigin("example.com")}},
		{"origin with trailing slash", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com/")},
			[]string{msgOrigin("https://example.com/")}},
		{"origin with path", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com/app")},
			[]string{msgOrigin("https://example.com/app")}},
		{"origin without host", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://")},
			[]string{msgOrigin("https://")}},
		{"origin with query", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com?x=1")},
			[]string{msgOrigin("https://example.com?x=1")}},
		{"origin with fragment", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com#")},
			[]string{msgOrigin("https://example.com#")}},
		{"origin with user info", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://u@example.com")},
			[]string{msgOrigin("https://u@example.com")}},
		{"origin with bad port", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com:99999")},
			[]string{msgOrigin("https://example.com:99999")}},
		{"every bad origin", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://a.example/", "https://ok.example", "b.example")},
			[]string{msgOrigin("https://a.example/"), msgOrigin("b.example")}},
		{"good origins", Config{SecretKey: secret, Passkeys: passkeys("example.com", "https://example.com", "http://localhost:3000", "https://[::1]:8443")},
			nil},
		{"passkeys off: nothing checked", Config{SecretKey: secret, Passkeys: PasskeyConfig{RPID: "https://x/", Origins: []string{"bad"}}},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.c.Resolve()
			if got := configProblems(t, err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestResolveGoChecks(t *testing.T) {
	secret := []byte(resolveTestSecret)
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"algorithm", func(c *Config) { c.Algorithm = "RS256" }, `Algorithm (ALGORITHM) must be HS256, HS384 or HS512, got "RS256"`},
		{"algorithm case", func(c *Config) { c.Algorithm = "hs256" }, `Algorithm (ALGORITHM) must be HS256, HS384 or HS512, got "hs256"`},
		{"hash algorithm", func(c *Config) { c.PasswordHashAlgorithm = "scrypt" }, `PasswordHashAlgorithm (PASSWORD_HASH_ALGORITHM) must be argon2id or bcrypt, got "scrypt"`},
		{"login field", func(c *Config) { c.LoginField = "username" }, `LoginField (LOGIN_FIELD) must be "email": the bundled stores serve only email, got "username"`},
		{"backend", func(c *Config) { c.Backends.Default = "Redis" }, `Backends.Default (BACKEND) must be memory or redis, got "Redis"`},
		{"feature backend", func(c *Config) { c.Backends.PasskeyChallenge = "sql" }, `Backends.PasskeyChallenge (PASSKEY_CHALLENGE_BACKEND) must be memory or redis, got "sql"`},
		{"access TTL", func(c *Config) { c.AccessTokenTTL = -time.Minute }, "AccessTokenTTL (ACCESS_TOKEN_EXPIRE_MINUTES) must not be negative, got -1m0s"},
		{"refresh TTL", func(c *Config) { c.RefreshTokenTTL = -time.Hour }, "RefreshTokenTTL (REFRESH_TOKEN_EXPIRE_DAYS) must not be negative, got -1h0m0s"},
		{"reset TTL", func(c *Config) { c.PasswordResetTTL = -1 }, "PasswordResetTTL (PASSWORD_RESET_EXPIRE_MINUTES) must not be negative, got -1ns"},
		{"verify TTL", func(c *Config) { c.EmailVerifyTTL = -time.Second }, "EmailVerifyTTL (EMAIL_VERIFY_EXPIRE_MINUTES) must not be negative, got -1s"},
		{"lockout duration", func(c *Config) { c.LockoutDuration = -time.Second }, "LockoutDuration (LOCKOUT_DURATION_MINUTES) must not be negative, got -1s"},
		{"rate window", func(c *Config) { c.RateLimitWindow = -time.Second }, "RateLimitWindow (AUTH_RATE_LIMIT_WINDOW_SECONDS) must not be negative, got -1s"},
		{"OAuth state TTL", func(c *Config) { c.OAuthStateTTL = -time.Second }, "OAuthStateTTL (OAUTH_STATE_EXPIRE_SECONDS) must not be negative, got -1s"},
		{"challenge TTL", func(c *Config) { c.Passkeys.ChallengeTTL = -time.Second }, "Passkeys.ChallengeTTL (PASSKEY_CHALLENGE_TTL) must not be negative, got -1s"},
		{"min length", func(c *Config) { c.PasswordPolicy.MinLength = -1 }, "PasswordPolicy.MinLength (PASSWORD_MIN_LENGTH) must not be negative, got -1"},
		{"hash workers", func(c *Config) { c.HashWorkers = -1 }, "HashWorkers must not be negative, got -1"},
		{"attempts", func(c *Config) { c.MaxLoginAttempts = -1 }, "MaxLoginAttempts (MAX_LOGIN_ATTEMPTS) must not be negative, got -1"},
		{"proxy count", func(c *Config) { c.TrustedProxyCount = -1 }, "TrustedProxyCount (TRUSTED_PROXY_COUNT) must not be negative, got -1"},
		{"login limit", func(c *Config) { c.RateLimits.Login = -1 }, "RateLimits.Login (AUTH_RATE_LIMITS login) must not be negative, got -1"},
		{"oauth limit", func(c *Config) { c.RateLimits.OAuthCallback = -2 }, "RateLimits.OAuthCallback (AUTH_RATE_LIMITS oauth_callback) must not be negative, got -2"},
		{"bcrypt cost", func(c *Config) { c.BcryptCost = 3 }, "password: bcrypt cost 3 outside 4..31"},
		{"API prefix", func(c *Config) { c.APIPrefix = "api" }, `APIPrefix (API_PREFIX) must start with "/", got "api"`},
		{"router prefix", func(c *Config) { c.AuthRouterPrefix = "auth" }, `AuthRouterPrefix (AUTH_ROUTER_PREFIX) must start with "/" and not end with "/", got "auth"`},
		{"router prefix slash", func(c *Config) { c.AuthRouterPrefix = "/auth/" }, `AuthRouterPrefix (AUTH_ROUTER_PREFIX) must start with "/" and not end with "/", got "/auth/"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{SecretKey: secret}
			tc.edit(&c)
			_, _, err := c.Resolve()
			if got := configProblems(t, err); len(got) != 1 || got[0] != tc.want {
				t.Errorf("problems = %q, want [%q]", got, tc.want)
			}
		})
	}
	// A negative Login limit is reported once, not again through the
	// OAuthCallback limit that follows it.
	_, _, err := Config{SecretKey: secret, RateLimits: RateLimits{Login: -1}}.Resolve()
	if got := configProblems(t, err); len(got) != 1 {
		t.Errorf("problems = %q, want one", got)
	}
	// The hasher's parameters are checked with the rest.
	_, _, err = Config{SecretKey: secret, Argon2: password.Argon2Params{Threads: 0, Time: 1, MemoryKiB: 1}}.Resolve()
	if configProblems(t, err) == nil {
		t.Errorf("tiny argon2 memory: err = nil, want a problem")
	}
}

func TestResolveAllProblemsAtOnce(t *testing.T) {
	c := Config{
		SecretKey:        []byte("short"),
		Algorithm:        "none",
		LoginField:       "phone",
		MaxLoginAttempts: -3,
		Backends:         Backends{Blacklist: "redis", RateLimit: "redis"},
		Passkeys:         PasskeyConfig{Enabled: true, RPID: "https://example.com", Origins: []string{"example.com"}},
	}
	_, _, err := c.Resolve()
	got := configProblems(t, err)
	want := []string{
		msgRedis("BLACKLIST_BACKEND, RATE_LIMIT_BACKEND"), // what fastapi-fullauth reports first
		msgSecretShort,
		msgBareDomain("https://example.com"),
		msgOrigin("example.com"),
		`Algorithm (ALGORITHM) must be HS256, HS384 or HS512, got "none"`,
		`LoginField (LOGIN_FIELD) must be "email": the bundled stores serve only email, got "phone"`,
		"MaxLoginAttempts (MAX_LOGIN_ATTEMPTS) must not be negative, got -3",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if first, _, _ := strings.Cut(err.Error(), "\n"); first != want[0] {
		t.Errorf("first line of Error() = %q, want %q", first, want[0])
	}

	// Without the Redis problem, the secret comes first; then the RP ID.
	c.Backends = Backends{}
	c.Passkeys.RPID = ""
	_, _, err = c.Resolve()
	got = configProblems(t, err)
	if len(got) < 3 || got[0] != msgSecretShort || got[1] != msgRPIDRequired || got[2] != msgOrigin("example.com") {
		t.Errorf("problems = %q", got)
	}
}

func TestResolveMemoryWarning(t *testing.T) {
	secret := []byte(resolveTestSecret)
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{"defaults: everything enabled in memory", Config{},
			[]string{msgInMemory("BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND")}},
		{"passkeys too", Config{Origins: []string{"https://example.com"}, Passkeys: PasskeyConfig{Enabled: true, RPID: "example.com"}},
			[]string{msgInMemory("BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND, PASSKEY_CHALLENGE_BACKEND")}},
		{"only enabled features", Config{DisableBlacklist: true, DisableRateLimit: true},
			[]string{msgInMemory("LOCKOUT_BACKEND")}},
		{"nothing enabled", Config{DisableBlacklist: true, DisableRateLimit: true, DisableLockout: true}, nil},
		{"redis backends", Config{Backends: Backends{RedisURL: "redis://x"}}, nil},
		{"one feature kept in memory", Config{Backends: Backends{Default: "redis", Lockout: "memory", RedisURL: "redis://x"}},
			[]string{msgInMemory("LOCKOUT_BACKEND")}},
		{"a given shared KV with no backends named", Config{KV: fakeKV{}}, nil},
		{"a given shared KV with memory named", Config{KV: fakeKV{}, Backends: Backends{RateLimit: "memory"}},
			[]string{msgInMemory("RATE_LIMIT_BACKEND")}},
		{"a given shared KV with memory as the default", Config{KV: fakeKV{}, Backends: Backends{Default: "memory", Lockout: "redis"}},
			[]string{msgInMemory("BLACKLIST_BACKEND, RATE_LIMIT_BACKEND")}},
		{"a MemoryKV is in memory whatever the backends say", Config{KV: NewMemoryKV(), Backends: Backends{Default: "redis", RedisURL: "redis://x"}},
			[]string{msgInMemory("BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.SecretKey = secret
			_, warnings := mustResolve(t, tc.c)
			if !reflect.DeepEqual(warnings, tc.want) {
				t.Errorf("warnings =\n%q\nwant\n%q", warnings, tc.want)
			}
		})
	}
	// The generated secret is warned about first.
	_, warnings := mustResolve(t, Config{})
	if len(warnings) != 2 || warnings[0] != msgSecretGenerated || !strings.HasPrefix(warnings[1], "In-memory backends in use: ") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestResolveFromEnv(t *testing.T) {
	// The path of `fullauth check` and `serve`: env, then Resolve.
	c := mustConfigFromEnv(t, map[string]string{
		"BACKEND":       "redis",
		"SECRET_KEY":    resolveTestSecret,
		"PASSKEY_RP_ID": "example.com",
		"ORIGINS":       "https://example.com/",
	})
	_, _, err := c.Resolve()
	want := []string{
		msgRedis("BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND, PASSKEY_CHALLENGE_BACKEND"),
		msgOrigin("https://example.com/"),
	}
	if got := configProblems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name      string
		c         Config
		generated bool
		want      [][2]string
	}{
		{"defaults, generated secret", Config{}, true, [][2]string{
			{"backend (default)", "memory"},
			{"redis url", "not set"},
			{"secret key", "generated (set FULLAUTH_SECRET_KEY)"},
			{"algorithm", "HS256"},
			{"access token expiry", "30 min"},
			{"refresh token expiry", "30 days"},
			{"blacklist", "memory"},
			{"lockout", "memory"},
			{"rate limit", "memory"},
			{"passkeys", "off"},
			{"api prefix", "/api/v1/auth"},
		}},
		{"everything set", Config{
			SecretKey:        []byte(resolveTestSecret),
			Algorithm:        "HS512",
			AccessTokenTTL:   90 * time.Second,
			RefreshTokenTTL:  24 * time.Hour,
			DisableLockout:   true,
			DisableRateLimit: true,
			Backends:         Backends{Blacklist: "memory", RedisURL: "redis://x"},
			Passkeys:         PasskeyConfig{Enabled: true, RPID: "example.com"},
			APIPrefix:        "/v2/",
			AuthRouterPrefix: "/users",
		}, false, [][2]string{
			{"backend (default)", "redis"},
			{"redis url", "set"},
			{"secret key", "set"},
			{"algorithm", "HS512"},
			{"access token expiry", "1.5 min"},
			{"refresh token expiry", "1 days"},
			{"blacklist", "memory"},
			{"lockout", "off"},
			{"rate limit", "off"},
			{"passkeys", "redis"},
			{"api prefix", "/v2/users"},
			{"passkey rp id", "example.com"},
		}},
		{"nil secret counts as generated", Config{APIPrefix: "/"}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.Summary(tc.generated)
			if tc.want == nil {
				if got[2] != [2]string{"secret key", "generated (set FULLAUTH_SECRET_KEY)"} || got[10] != [2]string{"api prefix", "/auth"} {
					t.Errorf("Summary = %q", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Summary =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	// From the environment, through Resolve, as `fullauth check` does.
	c := mustConfigFromEnv(t, map[string]string{"API_PREFIX": "", "REFRESH_TOKEN_EXPIRE_DAYS": "7", "BLACKLIST_ENABLED": "no"})
	generated := c.SecretKey == nil
	r, _ := mustResolve(t, c)
	rows := r.Summary(generated)
	if rows[2][1] != "generated (set FULLAUTH_SECRET_KEY)" || rows[5][1] != "7 days" || rows[6][1] != "off" || rows[10][1] != "/auth" {
		t.Errorf("Summary = %q", rows)
	}
}
