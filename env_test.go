package fullauth

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// envMap returns a lookup over m, whose keys omit the FULLAUTH_ prefix.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		name, ok := strings.CutPrefix(key, envPrefix)
		if !ok {
			return "", false
		}
		v, ok := m[name]
		return v, ok
	}
}

// mustConfigFromEnv calls ConfigFromEnv and fails the test on error.
func mustConfigFromEnv(t *testing.T, env map[string]string) Config {
	t.Helper()
	c, err := ConfigFromEnv(envMap(env))
	if err != nil {
		t.Fatalf("ConfigFromEnv(%v) err = %v, want nil", env, err)
	}
	return c
}

// configProblems returns the problems of a *ConfigError, failing the test
// when err is anything else.
func configProblems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want *ConfigError", err, err)
	}
	if len(ce.Problems) == 0 {
		t.Fatalf("*ConfigError has no problems")
	}
	return ce.Problems
}

const envTestSecret = "0123456789abcdef0123456789abcdef-env-test"

func TestConfigFromEnvOptions(t *testing.T) {
	tests := []struct {
		name  string // the variable, without FULLAUTH_
		value string
		get   func(Config) any
		want  any
	}{
		{"BACKEND", "redis", func(c Config) any { return c.Backends.Default }, "redis"},
		{"ORIGINS", "https://a.example, https://b.example", func(c Config) any { return c.Origins }, []string{"https://a.example", "https://b.example"}},
		{"SECRET_KEY", envTestSecret, func(c Config) any { return c.SecretKey }, []byte(envTestSecret)},
		{"ALGORITHM", "HS512", func(c Config) any { return c.Algorithm }, "HS512"},
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "45", func(c Config) any { return c.AccessTokenTTL }, 45 * time.Minute},
		{"REFRESH_TOKEN_EXPIRE_DAYS", "7", func(c Config) any { return c.RefreshTokenTTL }, 7 * 24 * time.Hour},
		{"REFRESH_TOKEN_ROTATION", "false", func(c Config) any { return c.DisableRefreshRotation }, true},
		{"JWT_LEEWAY_SECONDS", "5", func(c Config) any { return c.JWTLeeway }, 5 * time.Second},
		{"PASSWORD_RESET_EXPIRE_MINUTES", "20", func(c Config) any { return c.PasswordResetTTL }, 20 * time.Minute},
		{"EMAIL_VERIFY_EXPIRE_MINUTES", "60", func(c Config) any { return c.EmailVerifyTTL }, time.Hour},
		{"PASSWORD_HASH_ALGORITHM", "bcrypt", func(c Config) any { return c.PasswordHashAlgorithm }, "bcrypt"},
		{"PASSWORD_MIN_LENGTH", "12", func(c Config) any { return c.PasswordPolicy.MinLength }, 12},
		{"LOGIN_FIELD", "username", func(c Config) any { return c.LoginField }, "username"},
		{"PREVENT_LOGIN_TIMING_ATTACKS", "false", func(c Config) any { return c.AllowLoginTimingLeak }, true},
		{"LOCKOUT_ENABLED", "false", func(c Config) any { return c.DisableLockout }, true},
		{"LOCKOUT_BACKEND", "redis", func(c Config) any { return c.Backends.Lockout }, "redis"},
		{"MAX_LOGIN_ATTEMPTS", "3", func(c Config) any { return c.MaxLoginAttempts }, 3},
		{"LOCKOUT_DURATION_MINUTES", "30", func(c Config) any { return c.LockoutDuration }, 30 * time.Minute},
		{"RATE_LIMIT_BACKEND", "redis", func(c Config) any { return c.Backends.RateLimit }, "redis"},
		{"TRUSTED_PROXY_HEADERS", "X-Forwarded-For", func(c Config) any { return c.TrustedProxyHeaders }, []string{"X-Forwarded-For"}},
		{"TRUSTED_PROXY_COUNT", "2", func(c Config) any { return c.TrustedProxyCount }, 2},
		{"AUTH_RATE_LIMIT_ENABLED", "false", func(c Config) any { return c.DisableRateLimit }, true},
		{
			"AUTH_RATE_LIMITS", `{"login": 10, "register": 4, "password_reset": 2, "passkey_auth": 9, "refresh": 20, "oauth_callback": 7}`,
			func(c Config) any { return c.RateLimits },
			RateLimits{Login: 10, Register: 4, PasswordReset: 2, PasskeyAuth: 9, Refresh: 20, OAuthCallback: 7},
		},
		{"AUTH_RATE_LIMIT_WINDOW_SECONDS", "120", func(c Config) any { return c.RateLimitWindow }, 2 * time.Minute},
		{"REDIS_URL", "redis://localhost:6379/0", func(c Config) any { return c.Backends.RedisURL }, "redis://localhost:6379/0"},
		{"BLACKLIST_ENABLED", "false", func(c Config) any { return c.DisableBlacklist }, true},
		{"BLACKLIST_BACKEND", "redis", func(c Config) any { return c.Backends.Blacklist }, "redis"},
		{"OAUTH_STATE_EXPIRE_SECONDS", "600", func(c Config) any { return c.OAuthStateTTL }, 10 * time.Minute},
		{"OAUTH_AUTO_LINK_BY_EMAIL", "false", func(c Config) any { return c.DisableOAuthAutoLink }, true},
		{"OAUTH_PKCE_ENABLED", "false", func(c Config) any { return c.DisableOAuthPKCE }, true},
		{"PREVENT_REGISTRATION_ENUMERATION", "false", func(c Config) any { return c.RevealRegisteredEmails }, true},
		{"PASSKEY_ENABLED", "true", func(c Config) any { return c.Passkeys.Enabled }, true},
		{"PASSKEY_RP_ID", "example.com", func(c Config) any { return c.Passkeys.RPID }, "example.com"},
		{"PASSKEY_RP_NAME", "Example", func(c Config) any { return c.Passkeys.RPName }, "Example"},
		{"PASSKEY_ORIGINS", `["https://example.com"]`, func(c Config) any { return c.Passkeys.Origins }, []string{"https://example.com"}},
		{"PASSKEY_CHALLENGE_BACKEND", "redis", func(c Config) any { return c.Backends.PasskeyChallenge }, "redis"},
		{"PASSKEY_CHALLENGE_TTL", "120", func(c Config) any { return c.Passkeys.ChallengeTTL }, 2 * time.Minute},
		{"PASSKEY_REQUIRE_USER_VERIFICATION", "false", func(c Config) any { return c.Passkeys.AllowWithoutUserVerification }, true},
		{"API_PREFIX", "/api/v2", func(c Config) any { return c.APIPrefix }, "/api/v2"},
		{"AUTH_ROUTER_PREFIX", "/users", func(c Config) any { return c.AuthRouterPrefix }, "/users"},
		{"ROUTER_TAGS", "Auth,Users", func(c Config) any { return c.RouterTags }, []string{"Auth", "Users"}},

		// Ours (CONTRACT §24.3), and the values that mean "none".
		{"REFRESH_REUSE_GRACE_SECONDS", "5", func(c Config) any { return c.RefreshReuseGrace }, 5 * time.Second},
		{"REFRESH_REUSE_GRACE_SECONDS", "0", func(c Config) any { return c.RefreshReuseGrace < 0 }, true},
		{"JWT_LEEWAY_SECONDS", "0", func(c Config) any { return c.JWTLeeway < 0 }, true},
		{"USER_CACHE_SECONDS", "3", func(c Config) any { return c.UserCacheTTL }, 3 * time.Second},
		{"USER_CACHE_SECONDS", "0", func(c Config) any { return c.UserCacheTTL < 0 }, true},
		// The negated booleans, the other way round.
		{"REFRESH_TOKEN_ROTATION", "true", func(c Config) any { return c.DisableRefreshRotation }, false},
		{"PASSKEY_REQUIRE_USER_VERIFICATION", "true", func(c Config) any { return c.Passkeys.AllowWithoutUserVerification }, false},
		// Integers are trimmed, as pydantic does.
		{"MAX_LOGIN_ATTEMPTS", " 7 ", func(c Config) any { return c.MaxLoginAttempts }, 7},
		// An empty API prefix mounts at the root: "/" composes the same.
		{"API_PREFIX", "", func(c Config) any { return c.APIPrefix }, "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			c := mustConfigFromEnv(t, map[string]string{tc.name: tc.value})
			if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FULLAUTH_%s=%q: got %#v, want %#v", tc.name, tc.value, got, tc.want)
			}
		})
	}
}

func TestConfigFromEnvEmpty(t *testing.T) {
	for name, lookup := range map[string]func(string) (string, bool){
		"empty map": envMap(nil),
		"nil":       nil,
		"unknown FULLAUTH_ keys and unprefixed names": envMap(map[string]string{
			"NOT_A_SETTING": "x", "secret_key": "lower case is another variable",
		}),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ConfigFromEnv(lookup)
			if err != nil {
				t.Fatalf("ConfigFromEnv err = %v, want nil", err)
			}
			if !reflect.DeepEqual(got, Config{}) {
				t.Errorf("ConfigFromEnv = %+v, want the zero Config", got)
			}
		})
	}
	// Only the FULLAUTH_ prefix is read.
	c, err := ConfigFromEnv(func(k string) (string, bool) {
		if k == "SECRET_KEY" {
			return envTestSecret, true
		}
		return "", false
	})
	if err != nil || c.SecretKey != nil {
		t.Errorf("unprefixed SECRET_KEY: SecretKey = %q, err = %v; want nil, nil", c.SecretKey, err)
	}
}

func TestConfigFromEnvInference(t *testing.T) {
	type backends struct{ def, blacklist, lockout, rateLimit, challenge string }
	get := func(c Config) backends {
		b := c.Backends
		return backends{b.Default, b.Blacklist, b.Lockout, b.RateLimit, b.PasskeyChallenge}
	}
	const url = "redis://localhost:6379/0"
	backendTests := []struct {
		name string
		env  map[string]string
		want backends
	}{
		{"nothing given", nil, backends{}},
		{"REDIS_URL makes BACKEND redis", map[string]string{"REDIS_URL": url},
			backends{"redis", "redis", "redis", "redis", "redis"}},
		{"empty BACKEND counts as absent", map[string]string{"REDIS_URL": url, "BACKEND": ""},
			backends{"redis", "redis", "redis", "redis", "redis"}},
		{"explicit BACKEND=memory wins over REDIS_URL", map[string]string{"REDIS_URL": url, "BACKEND": "memory"},
			backends{"memory", "memory", "memory", "memory", "memory"}},
		{"BACKEND without REDIS_URL", map[string]string{"BACKEND": "redis"},
			backends{"redis", "redis", "redis", "redis", "redis"}},
		{"explicit per-feature backend wins", map[string]string{"REDIS_URL": url, "LOCKOUT_BACKEND": "memory"},
			backends{"redis", "redis", "memory", "redis", "redis"}},
		{"per-feature backend without BACKEND", map[string]string{"BLACKLIST_BACKEND": "redis"},
			backends{"", "redis", "", "", ""}},
		{"empty REDIS_URL infers nothing", map[string]string{"REDIS_URL": ""}, backends{}},
	}
	for _, tc := range backendTests {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(mustConfigFromEnv(t, tc.env)); got != tc.want {
				t.Errorf("backends = %+v, want %+v", got, tc.want)
			}
		})
	}

	originTests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"ORIGINS copied", map[string]string{"ORIGINS": "https://a.example"}, []string{"https://a.example"}},
		{"PASSKEY_ORIGINS given wins", map[string]string{"ORIGINS": "https://a.example", "PASSKEY_ORIGINS": "https://b.example"},
			[]string{"https://b.example"}},
		{"PASSKEY_ORIGINS given empty stays empty", map[string]string{"ORIGINS": "https://a.example", "PASSKEY_ORIGINS": ""},
			[]string{}},
		{"neither", nil, nil},
		{"empty ORIGINS copies nothing", map[string]string{"ORIGINS": " "}, nil},
	}
	for _, tc := range originTests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfigFromEnv(t, tc.env)
			if !reflect.DeepEqual(c.Passkeys.Origins, tc.want) {
				t.Errorf("Passkeys.Origins = %#v, want %#v", c.Passkeys.Origins, tc.want)
			}
		})
	}
	// The copy is not shared with Origins.
	c := mustConfigFromEnv(t, map[string]string{"ORIGINS": "https://a.example"})
	c.Passkeys.Origins[0] = "changed"
	if c.Origins[0] != "https://a.example" {
		t.Errorf("Passkeys.Origins aliases Origins")
	}

	enabledTests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"RP ID enables passkeys", map[string]string{"PASSKEY_RP_ID": "example.com"}, true},
		{"explicit PASSKEY_ENABLED=false wins", map[string]string{"PASSKEY_RP_ID": "example.com", "PASSKEY_ENABLED": "false"}, false},
		{"explicit PASSKEY_ENABLED=true without RP ID", map[string]string{"PASSKEY_ENABLED": "true"}, true},
		{"empty RP ID enables nothing", map[string]string{"PASSKEY_RP_ID": ""}, false},
		{"nothing given", nil, false},
	}
	for _, tc := range enabledTests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustConfigFromEnv(t, tc.env).Passkeys.Enabled; got != tc.want {
				t.Errorf("Passkeys.Enabled = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConfigFromEnvLists(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{`["https://a.example", "https://b.example"]`, []string{"https://a.example", "https://b.example"}},
		{`  [" spaced ", ""]  `, []string{" spaced ", ""}}, // JSON items are kept as written
		{`[]`, []string{}},
		{"a, b ,,c,", []string{"a", "b", "c"}},
		{" , ,", []string{}},
		{"single", []string{"single"}},
		{"", []string{}},
		{"   ", []string{}},
		{"null", []string{"null"}}, // not "[" or "{": a comma list
	}
	for _, tc := range tests {
		for _, name := range []string{"ORIGINS", "TRUSTED_PROXY_HEADERS", "PASSKEY_ORIGINS", "ROUTER_TAGS"} {
			c := mustConfigFromEnv(t, map[string]string{name: tc.value})
			var got []string
			switch name {
			case "ORIGINS":
				got = c.Origins
			case "TRUSTED_PROXY_HEADERS":
				got = c.TrustedProxyHeaders
			case "PASSKEY_ORIGINS":
				got = c.Passkeys.Origins
			case "ROUTER_TAGS":
				got = c.RouterTags
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FULLAUTH_%s=%q: got %#v, want %#v", name, tc.value, got, tc.want)
			}
		}
	}

	// An explicitly empty ROUTER_TAGS means no tags, not the default.
	c, _, err := mustConfigFromEnv(t, map[string]string{"ROUTER_TAGS": ""}).Resolve()
	if err != nil || len(c.RouterTags) != 0 {
		t.Errorf("ROUTER_TAGS=\"\" resolved to %#v (err %v), want no tags", c.RouterTags, err)
	}

	bad := []struct{ value, want string }{
		{`["a",`, `ORIGINS: Input should be a valid JSON list of strings, got "[\"a\","`},
		{`{"a": 1}`, `ORIGINS: Input should be a valid JSON list of strings, got "{\"a\": 1}"`},
		{`["a", 1, null]`, "ORIGINS: item 1: Input should be a valid string"},
	}
	for _, tc := range bad {
		_, err := ConfigFromEnv(envMap(map[string]string{"ORIGINS": tc.value}))
		if got := configProblems(t, err); len(got) == 0 || got[0] != tc.want {
			t.Errorf("FULLAUTH_ORIGINS=%q: problems = %q, want first %q", tc.value, got, tc.want)
		}
	}
}

func TestConfigFromEnvRateLimits(t *testing.T) {
	tests := []struct {
		value string
		want  RateLimits // after Resolve
	}{
		{`{"login": 10}`, RateLimits{Login: 10, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 10}},
		{`{"register": 1, "refresh": 100}`, RateLimits{Login: 5, Register: 1, PasswordReset: 3, PasskeyAuth: 10, Refresh: 100, OAuthCallback: 5}},
		{`{"login": 10, "oauth_callback": 2}`, RateLimits{Login: 10, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 2}},
		{`{}`, RateLimits{Login: 5, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 5}},
		{``, RateLimits{Login: 5, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 5}},
		{`{"unknown": "ignored", "login": 7}`, RateLimits{Login: 7, Register: 3, PasswordReset: 3, PasskeyAuth: 10, Refresh: 30, OAuthCallback: 7}},
		{`{"login": 10.0, "register": "4", "refresh": 1e2}`, RateLimits{Login: 10, Register: 4, PasswordReset: 3, PasskeyAuth: 10, Refresh: 100, OAuthCallback: 10}},
	}
	for _, tc := range tests {
		c := mustConfigFromEnv(t, map[string]string{"AUTH_RATE_LIMITS": tc.value})
		r, _, err := c.Resolve()
		if err != nil {
			t.Fatalf("Resolve err = %v", err)
		}
		if r.RateLimits != tc.want {
			t.Errorf("AUTH_RATE_LIMITS=%s: resolved %+v, want %+v", tc.value, r.RateLimits, tc.want)
		}
	}

	bad := []struct{ value, want string }{
		{`not json`, `AUTH_RATE_LIMITS: Input should be a valid JSON object such as {"login": 10}, got "not json"`},
		{`[1]`, `AUTH_RATE_LIMITS: Input should be a valid JSON object such as {"login": 10}, got "[1]"`},
		{`null`, `AUTH_RATE_LIMITS: Input should be a valid JSON object such as {"login": 10}, got "null"`},
		{`{"login": 1.5}`, `AUTH_RATE_LIMITS.login: Input should be a valid integer, unable to parse string as an integer, got "1.5"`},
		{`{"login": "ten"}`, `AUTH_RATE_LIMITS.login: Input should be a valid integer, got "ten"`},
		{`{"login": null}`, `AUTH_RATE_LIMITS.login: Input should be a valid integer, got null`},
		{`{"login": true}`, `AUTH_RATE_LIMITS.login: Input should be a valid integer, got true`},
		{`{"refresh": 0}`, `AUTH_RATE_LIMITS.refresh: Input should be greater than or equal to 1`},
		{`{"passkey_auth": -3}`, `AUTH_RATE_LIMITS.passkey_auth: Input should be greater than or equal to 1`},
	}
	for _, tc := range bad {
		_, err := ConfigFromEnv(envMap(map[string]string{"AUTH_RATE_LIMITS": tc.value}))
		if got := configProblems(t, err); len(got) != 1 || got[0] != tc.want {
			t.Errorf("AUTH_RATE_LIMITS=%s: problems = %q, want [%q]", tc.value, got, tc.want)
		}
	}
}

func TestConfigFromEnvBooleans(t *testing.T) {
	for _, s := range []string{"true", "TRUE", "True", "1", "yes", "YES", "on", "On", "t", "Y", " true "} {
		c := mustConfigFromEnv(t, map[string]string{"BLACKLIST_ENABLED": s, "PASSKEY_ENABLED": s})
		if c.DisableBlacklist || !c.Passkeys.Enabled {
			t.Errorf("%q read as false", s)
		}
	}
	for _, s := range []string{"false", "FALSE", "False", "0", "no", "NO", "off", "Off", "f", "N"} {
		c := mustConfigFromEnv(t, map[string]string{"BLACKLIST_ENABLED": s, "PASSKEY_ENABLED": s})
		if !c.DisableBlacklist || c.Passkeys.Enabled {
			t.Errorf("%q read as true", s)
		}
	}
	for _, s := range []string{"", "maybe", "2", "enabled", "truee"} {
		_, err := ConfigFromEnv(envMap(map[string]string{"LOCKOUT_ENABLED": s}))
		want := `LOCKOUT_ENABLED: Input should be a valid boolean, unable to interpret input, got "` + s + `"`
		if got := configProblems(t, err); len(got) != 1 || got[0] != want {
			t.Errorf("LOCKOUT_ENABLED=%q: problems = %q, want [%q]", s, got, want)
		}
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "abc", `ACCESS_TOKEN_EXPIRE_MINUTES: Input should be a valid integer, unable to parse string as an integer, got "abc"`},
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "1.5", `ACCESS_TOKEN_EXPIRE_MINUTES: Input should be a valid integer, unable to parse string as an integer, got "1.5"`},
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "0", "ACCESS_TOKEN_EXPIRE_MINUTES: Input should be greater than or equal to 1"},
		{"REFRESH_TOKEN_EXPIRE_DAYS", "999999999", "REFRESH_TOKEN_EXPIRE_DAYS: Input should be less than or equal to 106751"},
		{"REFRESH_TOKEN_EXPIRE_DAYS", "99999999999999999999", "REFRESH_TOKEN_EXPIRE_DAYS: Input should be less than or equal to 106751"},
		{"PASSWORD_MIN_LENGTH", "-99999999999999999999", "PASSWORD_MIN_LENGTH: Input should be greater than or equal to 1"},
		{"JWT_LEEWAY_SECONDS", "-1", "JWT_LEEWAY_SECONDS: Input should be greater than or equal to 0"},
		{"USER_CACHE_SECONDS", "-1", "USER_CACHE_SECONDS: Input should be greater than or equal to 0"},
		{"REFRESH_REUSE_GRACE_SECONDS", "-5", "REFRESH_REUSE_GRACE_SECONDS: Input should be greater than or equal to 0"},
		{"TRUSTED_PROXY_COUNT", "0", "TRUSTED_PROXY_COUNT: Input should be greater than or equal to 1"},
		{"TRUSTED_PROXY_COUNT", "-2", "TRUSTED_PROXY_COUNT: Input should be greater than or equal to 1"},
		{"MAX_LOGIN_ATTEMPTS", "", `MAX_LOGIN_ATTEMPTS: Input should be a valid integer, unable to parse string as an integer, got ""`},
		{"ALGORITHM", "hs256", `ALGORITHM: Input should be 'HS256', 'HS384' or 'HS512', got "hs256"`},
		{"ALGORITHM", "RS256", `ALGORITHM: Input should be 'HS256', 'HS384' or 'HS512', got "RS256"`},
		{"PASSWORD_HASH_ALGORITHM", "scrypt", `PASSWORD_HASH_ALGORITHM: Input should be 'argon2id' or 'bcrypt', got "scrypt"`},
		{"BACKEND", "Redis", `BACKEND: Input should be 'memory' or 'redis', got "Redis"`},
		{"PASSKEY_CHALLENGE_BACKEND", "memcached", `PASSKEY_CHALLENGE_BACKEND: Input should be 'memory' or 'redis', got "memcached"`},
		{"PASSKEY_ENABLED", "sure", `PASSKEY_ENABLED: Input should be a valid boolean, unable to interpret input, got "sure"`},
		{"AUTH_ROUTER_PREFIX", "", `AUTH_ROUTER_PREFIX: an empty prefix is not supported; use a path such as "/auth"`},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := ConfigFromEnv(envMap(map[string]string{tc.name: tc.value}))
			if got := configProblems(t, err); len(got) != 1 || got[0] != tc.want {
				t.Errorf("problems = %q, want [%q]", got, tc.want)
			}
		})
	}
}

func TestConfigFromEnvAllProblemsAtOnce(t *testing.T) {
	env := map[string]string{
		"SECRET_KEY":                  envTestSecret,
		"ACCESS_TOKEN_EXPIRE_MINUTES": "soon",
		"BACKEND":                     "disk",
		"REDIS_URL":                   "redis://localhost",
		"ALGORITHM":                   "none",
		"TRUSTED_PROXY_COUNT":         "0",
		"LOCKOUT_ENABLED":             "perhaps",
		"MAX_LOGIN_ATTEMPTS":          "9",
		"PASSKEY_RP_ID":               "example.com",
	}
	c, err := ConfigFromEnv(envMap(env))
	got := configProblems(t, err)
	want := []string{
		`BACKEND: Input should be 'memory' or 'redis', got "disk"`,
		`ALGORITHM: Input should be 'HS256', 'HS384' or 'HS512', got "none"`,
		`ACCESS_TOKEN_EXPIRE_MINUTES: Input should be a valid integer, unable to parse string as an integer, got "soon"`,
		`LOCKOUT_ENABLED: Input should be a valid boolean, unable to interpret input, got "perhaps"`,
		"TRUSTED_PROXY_COUNT: Input should be greater than or equal to 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", err.Error())
	}
	// The rest of the Config is built. An invalid BACKEND is not inherited,
	// nor replaced by the REDIS_URL inference.
	if string(c.SecretKey) != envTestSecret || c.MaxLoginAttempts != 9 || !c.Passkeys.Enabled ||
		c.Backends.Default != "" || c.Backends.Blacklist != "" || c.Backends.RedisURL != "redis://localhost" {
		t.Errorf("Config built so far = %+v", c)
	}
}

func TestConfigFromEnvSecretKey(t *testing.T) {
	// An empty secret is given, and too short; it is not absent.
	c := mustConfigFromEnv(t, map[string]string{"SECRET_KEY": ""})
	if c.SecretKey == nil {
		t.Fatal("SECRET_KEY=\"\" gave a nil SecretKey, want empty")
	}
	_, _, err := c.Resolve()
	want := "SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret"
	if got := configProblems(t, err); len(got) != 1 || got[0] != want {
		t.Errorf("problems = %q, want [%q]", got, want)
	}
	// Values are taken as they are: no trimming.
	c = mustConfigFromEnv(t, map[string]string{"SECRET_KEY": " " + envTestSecret + " "})
	if string(c.SecretKey) != " "+envTestSecret+" " {
		t.Errorf("SecretKey = %q", c.SecretKey)
	}
}

func TestDotenvParse(t *testing.T) {
	tests := []struct {
		name, content string
		want          map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"blank lines and comments", "\n  \n# comment\n   # indented comment\nA=1\n", map[string]string{"A": "1"}},
		{"whitespace trimmed", "  A =  spaced value  \n", map[string]string{"A": "spaced value"}},
		{"export prefix", "export A=1\nexport\tB=2\nexported=3\n", map[string]string{"A": "1", "B": "2", "exported": "3"}},
		{"empty value", "A=\nB= \n", map[string]string{"A": "", "B": ""}},
		{"unquoted comment", "A=value # comment\nB=val#ue\nC=x\t#tab comment\n", map[string]string{"A": "value", "B": "val#ue", "C": "x"}},
		{"value starting with #", "A=#notacomment\nB= #also\n", map[string]string{"A": "#notacomment", "B": "#also"}},
		{"equals in value", "A=b=c\n", map[string]string{"A": "b=c"}},
		// Expected values below come from python-dotenv 1.2.2's dotenv_values.
		{"single quotes: only \\\\ and \\' are escapes", `A='a \n b\\ "c" # d'` + "\n" + `B='it\'s'` + "\n",
			map[string]string{"A": `a \n b\ "c" # d`, "B": "it's"}},
		{"double quote escapes", `A="line1\nline2\t\"q\" \\ \'s\' \x"` + "\n", map[string]string{"A": "line1\nline2\t\"q\" \\ 's' \\x"}},
		{"quoted keeps spaces and #", `A="  x # y  "` + "\n", map[string]string{"A": "  x # y  "}},
		{"comment after quotes", `A="x" # comment` + "\n" + `B='y'   ` + "\n", map[string]string{"A": "x", "B": "y"}},
		{"multi-line double quoted", "A=\"one\ntwo\"\nB=3\n", map[string]string{"A": "one\ntwo", "B": "3"}},
		{"multi-line single quoted", "A='one\n\ntwo'\nB=3", map[string]string{"A": "one\n\ntwo", "B": "3"}},
		{"CRLF line ends", "A=1\r\nB=\"x\"\r\nC='y'\r\n", map[string]string{"A": "1", "B": "x", "C": "y"}},
		{"CR line ends", "A=x\rB=y\r", map[string]string{"A": "x", "B": "y"}},
		{"variables", "A=x\nB=${A}y\nC='${A}'\nD=\"${A}\\n\"\nE=${NOPE:-def}\nG=$A\nH=${A:-}\nI=${}\nJ=\\${A}\nK=${A}${A}\n",
			map[string]string{"A": "x", "B": "xy", "C": "x", "D": "x\n", "E": "def", "G": "$A", "H": "x", "I": "", "J": `\x`, "K": "xx"}},
		{"variables see earlier lines only", "A=1\nB=${A}\nA=2\nC=${A}\nX=${Y}\nY=1\nS=${S}s\n",
			map[string]string{"A": "2", "B": "1", "C": "2", "X": "", "Y": "1", "S": "s"}},
		{"not variables", "A=${B:-${C}}\nB=${B:x}\n", map[string]string{"A": "${C}", "B": "${B:x}"}},
		{"no final newline", "A=1\nB=2", map[string]string{"A": "1", "B": "2"}},
		{"UTF-8 and BOM", "\ufeffNAME=héllo ✓\n", map[string]string{"NAME": "héllo ✓"}},
		{"last definition wins", "A=1\nA=2\n", map[string]string{"A": "2"}},
		{"keys are case-sensitive", "a=1\nA=2\n", map[string]string{"a": "1", "A": "2"}},
		{"FULLAUTH variables", "FULLAUTH_SECRET_KEY=\"s3cr3t\"\nFULLAUTH_ORIGINS=[\"https://a.example\"]\n",
			map[string]string{"FULLAUTH_SECRET_KEY": "s3cr3t", "FULLAUTH_ORIGINS": `["https://a.example"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDotenv(".env", []byte(tc.content), nil)
			if err != nil {
				t.Fatalf("parseDotenv(%q) err = %v", tc.content, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseDotenv(%q) = %q, want %q", tc.content, got, tc.want)
			}
		})
	}
}

func TestDotenvMalformed(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"no equals sign", "A=1\njust words\n", []string{".env line 2: expected KEY=VALUE"}},
		{"missing key", "=value\n", []string{".env line 1: missing key before '='"}},
		{"space in key", "MY KEY=1\n", []string{".env line 1: invalid key: it must not contain spaces, quotes or #"}},
		{"text after closing quote", "A=1\nB=\"x\" y\n", []string{".env line 2: unexpected text after the closing quote"}},
		{"text after multi-line value", "A='x\ny' z\n", []string{".env line 2: unexpected text after the closing quote"}},
		{"unterminated quote", "A=1\n\nB=\"never closed\nC=2\n", []string{`.env line 3: unterminated quoted value: no closing "`}},
		{"every bad line", "bad\nA=1\nworse\n", []string{".env line 1: expected KEY=VALUE", ".env line 3: expected KEY=VALUE"}},
		{"invalid UTF-8", "A=1\nB=\xff\n", []string{".env line 2: invalid UTF-8"}},
		{"line numbers after a multi-line value", "A=\"1\n2\n3\"\noops\n", []string{".env line 4: expected KEY=VALUE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars, err := parseDotenv(".env", []byte(tc.content), nil)
			if vars != nil {
				t.Errorf("vars = %q, want nil on error", vars)
			}
			if got := configProblems(t, err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
	// Values are never echoed: they may be secrets.
	_, err := parseDotenv(".env", []byte("FULLAUTH_SECRET_KEY=\"hunter2hunter2\" trailing\n"), nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v, want an error that does not show the value", err)
	}
}

func TestDotenvLookup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	content := "FULLAUTH_ALGORITHM=HS384\nFULLAUTH_ACCESS_TOKEN_EXPIRE_MINUTES=10\nFULLAUTH_SECRET_KEY='" + envTestSecret + "'\n" +
		// As python-dotenv does: a variable falls back on the process, but
		// a definition earlier in the file wins over the process's.
		"FULLAUTH_REDIS_URL=redis://:${REDIS_PASSWORD}@cache:6379/0\nFULLAUTH_ALGORITHM_TOO=${FULLAUTH_ALGORITHM}\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	process := map[string]string{"FULLAUTH_ALGORITHM": "HS512", "FULLAUTH_LOGIN_FIELD": "", "REDIS_PASSWORD": "pw"}
	lookup, err := WithDotenv(path, func(k string) (string, bool) { v, ok := process[k]; return v, ok })
	if err != nil {
		t.Fatalf("WithDotenv err = %v", err)
	}
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"FULLAUTH_ALGORITHM", "HS512", true},                // the process environment wins
		{"FULLAUTH_ACCESS_TOKEN_EXPIRE_MINUTES", "10", true}, // the file fills in
		{"FULLAUTH_LOGIN_FIELD", "", true},                   // set empty in the process still wins
		{"FULLAUTH_SECRET_KEY", envTestSecret, true},
		{"FULLAUTH_MISSING", "", false},
		{"FULLAUTH_REDIS_URL", "redis://:pw@cache:6379/0", true},
		{"FULLAUTH_ALGORITHM_TOO", "HS384", true},
	} {
		if got, ok := lookup(tc.key); got != tc.want || ok != tc.ok {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
	c, err := ConfigFromEnv(lookup)
	if err != nil {
		t.Fatalf("ConfigFromEnv err = %v", err)
	}
	if c.Algorithm != "HS512" || c.AccessTokenTTL != 10*time.Minute || string(c.SecretKey) != envTestSecret {
		t.Errorf("Config = %+v", c)
	}

	// A nil lookup reads the file alone.
	fileOnly, err := WithDotenv(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := fileOnly("FULLAUTH_ALGORITHM"); v != "HS384" {
		t.Errorf("file-only lookup = %q, want HS384", v)
	}

	// A missing file is not an error.
	missing, err := WithDotenv(filepath.Join(dir, "absent.env"), func(k string) (string, bool) { return "env", k == "X" })
	if err != nil {
		t.Fatalf("missing file: err = %v", err)
	}
	if v, ok := missing("X"); v != "env" || !ok {
		t.Errorf("missing file: lookup(X) = %q, %v", v, ok)
	}
	if _, ok := missing("Y"); ok {
		t.Errorf("missing file: lookup(Y) found")
	}

	// A malformed file is, naming the path and line.
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("A=1\nB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := WithDotenv(bad, nil); err == nil || err.Error() != bad+" line 2: expected KEY=VALUE" {
		t.Errorf("malformed file: err = %v", err)
	}

	// A file that cannot be read (here, a directory) is an error.
	if _, err := WithDotenv(dir, nil); err == nil {
		t.Errorf("directory: err = nil, want an error")
	}
}

// FuzzConfigFromEnv feeds arbitrary values to a few settings of each kind.
// ConfigFromEnv and Resolve must not panic and must fail only with a
// *ConfigError.
func FuzzConfigFromEnv(f *testing.F) {
	f.Add("redis", "https://a.example, https://b.example", `{"login": 10}`, "30", "yes", "example.com")
	f.Add("", `["x", "y"]`, `{"refresh": 0}`, "0", "off", "")
	f.Add("Redis", "{", "[]", "-1", "maybe", "https://example.com/")
	f.Fuzz(func(t *testing.T, backend, list, limits, number, boolean, host string) {
		env := map[string]string{
			"BACKEND":                     backend,
			"LOCKOUT_BACKEND":             backend,
			"ORIGINS":                     list,
			"ROUTER_TAGS":                 list,
			"AUTH_RATE_LIMITS":            limits,
			"ACCESS_TOKEN_EXPIRE_MINUTES": number,
			"REFRESH_TOKEN_EXPIRE_DAYS":   number,
			"JWT_LEEWAY_SECONDS":          number,
			"TRUSTED_PROXY_COUNT":         number,
			"BLACKLIST_ENABLED":           boolean,
			"PASSKEY_ENABLED":             boolean,
			"PASSKEY_RP_ID":               host,
			"REDIS_URL":                   host,
			"API_PREFIX":                  host,
		}
		c, err := ConfigFromEnv(envMap(env))
		if err != nil {
			configProblems(t, err)
			return
		}
		for _, d := range []time.Duration{c.AccessTokenTTL, c.RefreshTokenTTL} {
			if d < 0 {
				t.Fatalf("negative TTL %v from %q", d, number)
			}
		}
		if c.JWTLeeway < 0 && c.JWTLeeway != noneDuration {
			t.Fatalf("JWTLeeway = %v", c.JWTLeeway)
		}
		r, _, err := c.Resolve()
		if err != nil {
			configProblems(t, err)
		}
		if len(r.SecretKey) != 86 {
			t.Fatalf("generated secret has %d bytes", len(r.SecretKey))
		}
		_ = r.Summary(true)
	})
}

// FuzzDotenv feeds arbitrary files to the .env parser. It must not panic,
// must fail only with a *ConfigError naming a line, and every parsed
// variable must survive being written back double-quoted.
func FuzzDotenv(f *testing.F) {
	f.Add([]byte("A=1\nexport B='two'\nC=\"3\\n\" # c\n"))
	f.Add([]byte("A=\"multi\nline\"\n#x\n"))
	f.Add([]byte("=\nB\n'C'=1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := parseDotenv(".env", data, nil)
		if err != nil {
			for _, p := range configProblems(t, err) {
				if !strings.HasPrefix(p, ".env line ") {
					t.Fatalf("problem %q does not name a line", p)
				}
			}
			return
		}
		// The file starts with a blank line: a leading BOM is dropped, so a
		// key that begins with U+FEFF (valid mid-file, as in python-dotenv)
		// must not be written first.
		var b strings.Builder
		b.WriteString("\n")
		for k, v := range vars {
			if !validDotenvKey(k) || !utf8.ValidString(v) {
				t.Fatalf("parsed key %q value %q", k, v)
			}
			if strings.Contains(v, "${") {
				return // no quoting keeps "${" from being read as a variable again
			}
			b.WriteString(k + "=\"" + dotenvQuote(v) + "\"\n")
		}
		again, err := parseDotenv(".env", []byte(b.String()), nil)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", b.String(), err)
		}
		if !reflect.DeepEqual(again, vars) {
			t.Fatalf("round trip changed %q into %q", vars, again)
		}
	})
}

// dotenvQuote escapes v for a double-quoted .env value.
func dotenvQuote(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", `\r`).Replace(v)
}
