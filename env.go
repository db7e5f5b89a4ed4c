package fullauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// envPrefix starts the name of every variable ConfigFromEnv reads.
const envPrefix = "FULLAUTH_"

// noneDuration is how a Config says "none" where zero would mean the
// default (JWTLeeway, RefreshReuseGrace, UserCacheTTL).
const noneDuration time.Duration = -1

// ConfigFromEnv builds a Config from FULLAUTH_<NAME> variables read through
// lookup: pass [os.LookupEnv], a map's lookup in tests, or the result of
// [WithDotenv] to add a .env file beneath the process environment. It reads
// nothing else. The names and spellings are those of fastapi-fullauth:
//
//   - Names are case-sensitive (FULLAUTH_SECRET_KEY). Unknown FULLAUTH_*
//     variables are ignored.
//   - Booleans accept true/false, 1/0, yes/no, on/off, t/f and y/n, in any
//     case.
//   - Lists (ORIGINS, TRUSTED_PROXY_HEADERS, PASSKEY_ORIGINS, ROUTER_TAGS)
//     are trimmed; a value starting with "[" is a JSON array of strings,
//     anything else is split on commas with each piece trimmed and empty
//     pieces dropped. An empty value is an empty list.
//   - AUTH_RATE_LIMITS is a JSON object such as {"login": 10}; keys not given
//     keep their defaults. Besides login, register, password_reset,
//     passkey_auth and refresh it accepts oauth_callback.
//   - Enumerations (ALGORITHM, PASSWORD_HASH_ALGORITHM and the *_BACKEND
//     settings) are case-sensitive. An empty backend counts as not given.
//   - Minutes, days and seconds become time.Duration. JWT_LEEWAY_SECONDS=0,
//     REFRESH_REUSE_GRACE_SECONDS=0 and USER_CACHE_SECONDS=0 mean none,
//     which the Config holds as a negative duration. Settings whose zero value means "the default" in
//     a Config (expiries, windows, counts) must be at least 1.
//   - The negated settings are turned around: REFRESH_TOKEN_ROTATION=false
//     sets DisableRefreshRotation, LOCKOUT_ENABLED=false sets
//     DisableLockout, and so on (see the comments on [Config]).
//
// It then applies fastapi-fullauth's inference: REDIS_URL without BACKEND
// makes BACKEND "redis"; each of BLACKLIST_BACKEND, LOCKOUT_BACKEND,
// RATE_LIMIT_BACKEND and PASSKEY_CHALLENGE_BACKEND that is not given takes
// BACKEND's value when BACKEND is set or inferred; ORIGINS is copied to
// PASSKEY_ORIGINS when the latter is not given; and PASSKEY_RP_ID enables
// passkeys unless PASSKEY_ENABLED is given.
//
// Values that cannot be parsed are reported together, one per problem, in a
// [*ConfigError]; the Config built from the other variables is returned with
// it. ConfigFromEnv applies no defaults and checks nothing across settings:
// [Config.Resolve] (which New calls) does that.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	r := &envReader{lookup: lookup}
	var c Config

	// Backends and the inference of CONTRACT §7.3, rules 1 and 2.
	c.Backends.RedisURL, _ = r.get("REDIS_URL")
	def, defGiven, defOK := r.backend("BACKEND")
	if !defGiven && c.Backends.RedisURL != "" {
		def, defGiven, defOK = "redis", true, true
	}
	c.Backends.Default = def
	inherit := func(name string) string {
		v, given, _ := r.backend(name)
		if !given && defGiven && defOK {
			return def
		}
		return v
	}
	c.Backends.Blacklist = inherit("BLACKLIST_BACKEND")
	c.Backends.Lockout = inherit("LOCKOUT_BACKEND")
	c.Backends.RateLimit = inherit("RATE_LIMIT_BACKEND")
	c.Backends.PasskeyChallenge = inherit("PASSKEY_CHALLENGE_BACKEND")

	if v, ok := r.get("SECRET_KEY"); ok {
		c.SecretKey = make([]byte, len(v)) // non-nil even when empty: "" is too short, not absent
		copy(c.SecretKey, v)
	}
	c.Algorithm, _ = r.choice("ALGORITHM", "HS256", "HS384", "HS512")
	c.AccessTokenTTL, _ = r.duration("ACCESS_TOKEN_EXPIRE_MINUTES", time.Minute, 1)
	c.RefreshTokenTTL, _ = r.duration("REFRESH_TOKEN_EXPIRE_DAYS", 24*time.Hour, 1)
	if v, ok := r.boolean("REFRESH_TOKEN_ROTATION"); ok {
		c.DisableRefreshRotation = !v
	}
	c.RefreshReuseGrace, _ = r.duration("REFRESH_REUSE_GRACE_SECONDS", time.Second, 0)
	c.JWTLeeway, _ = r.duration("JWT_LEEWAY_SECONDS", time.Second, 0)
	c.UserCacheTTL, _ = r.duration("USER_CACHE_SECONDS", time.Second, 0)
	c.PasswordResetTTL, _ = r.duration("PASSWORD_RESET_EXPIRE_MINUTES", time.Minute, 1)
	c.EmailVerifyTTL, _ = r.duration("EMAIL_VERIFY_EXPIRE_MINUTES", time.Minute, 1)

	c.PasswordHashAlgorithm, _ = r.choice("PASSWORD_HASH_ALGORITHM", "argon2id", "bcrypt")
	if n, ok := r.integer("PASSWORD_MIN_LENGTH", 1, math.MaxInt); ok {
		c.PasswordPolicy.MinLength = int(n)
	}
	c.LoginField, _ = r.get("LOGIN_FIELD")
	if v, ok := r.boolean("PREVENT_LOGIN_TIMING_ATTACKS"); ok {
		c.AllowLoginTimingLeak = !v
	}
	if v, ok := r.boolean("PREVENT_REGISTRATION_ENUMERATION"); ok {
		c.RevealRegisteredEmails = !v
	}

	if v, ok := r.boolean("LOCKOUT_ENABLED"); ok {
		c.DisableLockout = !v
	}
	if n, ok := r.integer("MAX_LOGIN_ATTEMPTS", 1, math.MaxInt); ok {
		c.MaxLoginAttempts = int(n)
	}
	c.LockoutDuration, _ = r.duration("LOCKOUT_DURATION_MINUTES", time.Minute, 1)

	if v, ok := r.boolean("AUTH_RATE_LIMIT_ENABLED"); ok {
		c.DisableRateLimit = !v
	}
	c.RateLimits = r.rateLimits("AUTH_RATE_LIMITS")
	c.RateLimitWindow, _ = r.duration("AUTH_RATE_LIMIT_WINDOW_SECONDS", time.Second, 1)
	c.TrustedProxyHeaders, _ = r.list("TRUSTED_PROXY_HEADERS")
	if n, ok := r.integer("TRUSTED_PROXY_COUNT", 1, math.MaxInt); ok {
		c.TrustedProxyCount = int(n)
	}

	if v, ok := r.boolean("BLACKLIST_ENABLED"); ok {
		c.DisableBlacklist = !v
	}

	c.OAuthStateTTL, _ = r.duration("OAUTH_STATE_EXPIRE_SECONDS", time.Second, 1)
	if v, ok := r.boolean("OAUTH_AUTO_LINK_BY_EMAIL"); ok {
		c.DisableOAuthAutoLink = !v
	}
	if v, ok := r.boolean("OAUTH_PKCE_ENABLED"); ok {
		c.DisableOAuthPKCE = !v
	}

	// Passkeys, with the inference of CONTRACT §7.3, rules 3 and 4.
	c.Origins, _ = r.list("ORIGINS")
	if origins, given := r.list("PASSKEY_ORIGINS"); given {
		c.Passkeys.Origins = origins
	} else if len(c.Origins) > 0 {
		c.Passkeys.Origins = append([]string(nil), c.Origins...)
	}
	c.Passkeys.RPID, _ = r.get("PASSKEY_RP_ID")
	c.Passkeys.RPName, _ = r.get("PASSKEY_RP_NAME")
	if v, given := r.get("PASSKEY_ENABLED"); given {
		c.Passkeys.Enabled, _ = r.parseBool("PASSKEY_ENABLED", v)
	} else {
		c.Passkeys.Enabled = c.Passkeys.RPID != ""
	}
	c.Passkeys.ChallengeTTL, _ = r.duration("PASSKEY_CHALLENGE_TTL", time.Second, 1)
	if v, ok := r.boolean("PASSKEY_REQUIRE_USER_VERIFICATION"); ok {
		c.Passkeys.AllowWithoutUserVerification = !v
	}

	if v, ok := r.get("API_PREFIX"); ok {
		if v == "" {
			// An empty API prefix mounts the auth routes at the root. The
			// Config's zero value means the default, so say it as "/",
			// which composes to the same paths once its "/" is stripped.
			v = "/"
		}
		c.APIPrefix = v
	}
	if v, ok := r.get("AUTH_ROUTER_PREFIX"); ok {
		if v == "" {
			r.fail("AUTH_ROUTER_PREFIX", `an empty prefix is not supported; use a path such as "/auth"`)
		}
		c.AuthRouterPrefix = v
	}
	c.RouterTags, _ = r.list("ROUTER_TAGS")

	if len(r.problems) > 0 {
		return c, &ConfigError{Problems: r.problems}
	}
	return c, nil
}

// envReader reads FULLAUTH_* variables and collects every problem found.
type envReader struct {
	lookup   func(string) (string, bool)
	problems []string
}

func (r *envReader) get(name string) (string, bool) {
	if r.lookup == nil {
		return "", false
	}
	return r.lookup(envPrefix + name)
}

func (r *envReader) fail(name, format string, args ...any) {
	r.problems = append(r.problems, name+": "+fmt.Sprintf(format, args...))
}

// boolean reads a boolean; ok is false when it is absent or invalid.
func (r *envReader) boolean(name string) (v, ok bool) {
	s, given := r.get(name)
	if !given {
		return false, false
	}
	return r.parseBool(name, s)
}

func (r *envReader) parseBool(name, s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "0", "false", "f", "no", "n", "off":
		return false, true
	}
	r.fail(name, "Input should be a valid boolean, unable to interpret input, got %q", s)
	return false, false
}

// integer reads an integer in [lo, hi]; ok is false when it is absent or
// invalid.
func (r *envReader) integer(name string, lo, hi int64) (int64, bool) {
	s, given := r.get(name)
	if !given {
		return 0, false
	}
	return r.parseInt(name, s, lo, hi)
}

func (r *envReader) parseInt(name, s string, lo, hi int64) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && strings.HasPrefix(strings.TrimSpace(s), "-"):
		r.fail(name, "Input should be greater than or equal to %d", lo)
	case errors.Is(err, strconv.ErrRange):
		r.fail(name, "Input should be less than or equal to %d", hi)
	case err != nil:
		r.fail(name, "Input should be a valid integer, unable to parse string as an integer, got %q", s)
	case n < lo:
		r.fail(name, "Input should be greater than or equal to %d", lo)
	case n > hi:
		r.fail(name, "Input should be less than or equal to %d", hi)
	default:
		return n, true
	}
	return 0, false
}

// duration reads a whole number of units, at least lo. Zero (allowed only
// when lo is 0) becomes noneDuration.
func (r *envReader) duration(name string, unit time.Duration, lo int64) (time.Duration, bool) {
	n, ok := r.integer(name, lo, math.MaxInt64/int64(unit))
	if !ok {
		return 0, false
	}
	if n == 0 {
		return noneDuration, true
	}
	return time.Duration(n) * unit, true
}

// choice reads one of the allowed values, compared case-sensitively.
func (r *envReader) choice(name string, allowed ...string) (string, bool) {
	s, given := r.get(name)
	if !given {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	r.fail(name, "Input should be %s, got %q", quoteChoices(allowed), s)
	return "", false
}

// backend reads a backend name. An empty value counts as not given.
func (r *envReader) backend(name string) (v string, given, ok bool) {
	s, present := r.get(name)
	if !present || s == "" {
		return "", false, false
	}
	v, ok = r.choice(name, backendMemory, backendRedis)
	return v, true, ok
}

// quoteChoices writes 'a', 'b' or 'c', as pydantic does for literals.
func quoteChoices(allowed []string) string {
	var b strings.Builder
	for i, a := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("'" + a + "'")
	}
	return b.String()
}

// list reads a list setting. given reports whether the variable was set,
// even when invalid; a set variable yields a non-nil slice, so an explicitly
// empty ROUTER_TAGS stays empty instead of taking the default.
func (r *envReader) list(name string) (items []string, given bool) {
	s, given := r.get(name)
	if !given {
		return nil, false
	}
	items, problems := parseList(s)
	for _, p := range problems {
		r.fail(name, "%s", p)
	}
	return items, true
}

// ParseList reads a list setting as CONTRACT §7.1 does: trimmed; empty is
// the empty list; a value starting with "[" or "{" is a JSON list of
// strings; anything else is split on commas, pieces trimmed and empty ones
// dropped. The result is never nil.
func ParseList(s string) ([]string, error) {
	items, problems := parseList(s)
	if len(problems) > 0 {
		return items, errors.New(strings.Join(problems, "; "))
	}
	return items, nil
}

func parseList(s string) (items []string, problems []string) {
	s = strings.TrimSpace(s)
	items = []string{}
	if s == "" {
		return items, nil
	}
	if s[0] == '[' || s[0] == '{' {
		var raw []any
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return items, []string{fmt.Sprintf("Input should be a valid JSON list of strings, got %q", s)}
		}
		for i, e := range raw {
			str, ok := e.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("item %d: Input should be a valid string", i))
				continue
			}
			items = append(items, str)
		}
		return items, problems
	}
	for piece := range strings.SplitSeq(s, ",") {
		if piece = strings.TrimSpace(piece); piece != "" {
			items = append(items, piece)
		}
	}
	return items, nil
}

// rateLimits reads AUTH_RATE_LIMITS: a JSON object of positive integers.
// Keys not given stay zero, which Resolve turns into the defaults; unknown
// keys are ignored. An empty value means all defaults.
func (r *envReader) rateLimits(name string) RateLimits {
	var rl RateLimits
	s, given := r.get(name)
	if !given || strings.TrimSpace(s) == "" {
		return rl
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		r.fail(name, "Input should be a valid JSON object such as {\"login\": 10}, got %q", s)
		return rl
	}
	fields := [...]struct {
		key string
		dst *int
	}{
		{"login", &rl.Login},
		{"register", &rl.Register},
		{"password_reset", &rl.PasswordReset},
		{"passkey_auth", &rl.PasskeyAuth},
		{"refresh", &rl.Refresh},
		{"oauth_callback", &rl.OAuthCallback},
	}
	for _, f := range fields {
		raw, ok := obj[f.key]
		if !ok {
			continue
		}
		sub := name + "." + f.key
		var num json.Number
		if err := json.Unmarshal(raw, &num); err != nil || num == "" {
			r.fail(sub, "Input should be a valid integer, got %s", raw)
			continue
		}
		text := num.String()
		if fl, err := strconv.ParseFloat(text, 64); err == nil && fl == math.Trunc(fl) &&
			strings.ContainsAny(text, ".eE") && math.Abs(fl) < 1<<53 {
			text = strconv.FormatInt(int64(fl), 10) // pydantic accepts 10.0 and 1e1 for an int
		}
		if n, ok := r.parseInt(sub, text, 1, math.MaxInt); ok {
			*f.dst = int(n)
		}
	}
	return rl
}

// WithDotenv returns a lookup that reads each variable through lookup first
// and, when lookup does not have it, from the .env file at path: the process
// environment wins over the file, as in fastapi-fullauth. A missing file is
// not an error. A nil lookup reads the file alone.
//
// The file is UTF-8 text of KEY=VALUE lines, read as python-dotenv (which
// fastapi-fullauth's settings use) reads it. Blank lines and lines starting
// with # are skipped, and a line may start with "export ". Whitespace around
// the key and the value is trimmed. In a value in single quotes only \\ and
// \' are escapes; a value in double quotes may use the escapes \n, \r, \t,
// \", \' and \\ (and \a \b \f \v); either kind of quoted value may span
// lines. An unquoted value ends at a " #" comment. Line ends may be \n, \r\n
// or \r. In every value, ${NAME} and ${NAME:-default} are replaced by NAME's
// value as defined earlier in the file, else in lookup, else by default (or
// nothing); $NAME is left as it is. The last definition of a key wins.
// Every malformed line is reported, by line number, in a [*ConfigError];
// values are never echoed, since they may be secrets.
func WithDotenv(path string, lookup func(string) (string, bool)) (func(string) (string, bool), error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fullauth: reading %s: %w", path, err)
	}
	vars, err := parseDotenv(path, data, lookup)
	if err != nil {
		return nil, err
	}
	return func(key string) (string, bool) {
		if lookup != nil {
			if v, ok := lookup(key); ok {
				return v, true
			}
		}
		v, ok := vars[key]
		return v, ok
	}, nil
}

// parseDotenv parses the content of a .env file; name labels the problems,
// and env (which may be nil) is the environment that ${NAME} falls back on.
func parseDotenv(name string, data []byte, env func(string) (string, bool)) (map[string]string, error) {
	var problems []string
	fail := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s line %d: ", name, line)+fmt.Sprintf(format, args...))
	}

	if !utf8.Valid(data) {
		for i, l := range strings.Split(string(data), "\n") {
			if !utf8.ValidString(l) {
				fail(i+1, "invalid UTF-8")
			}
		}
		return nil, &ConfigError{Problems: problems}
	}

	vars := make(map[string]string)
	set := func(key, value string) { vars[key] = interpolateDotenv(value, vars, env) }
	// Line ends are read as Python's universal newlines read them.
	src := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	for pos, line := 0, 1; pos < len(src); line++ {
		eol := strings.IndexByte(src[pos:], '\n')
		if eol < 0 {
			eol = len(src)
		} else {
			eol += pos
		}
		text := src[pos:eol]
		pos = eol + 1

		t := strings.TrimLeft(text, " \t\r\f\v")
		if strings.TrimSpace(t) == "" || t[0] == '#' {
			continue
		}
		if after, ok := strings.CutPrefix(t, "export"); ok && after != "" && (after[0] == ' ' || after[0] == '\t') {
			t = strings.TrimLeft(after, " \t")
		}
		key, value, ok := strings.Cut(t, "=")
		if !ok {
			fail(line, "expected KEY=VALUE")
			continue
		}
		key = strings.TrimSpace(key)
		if !validDotenvKey(key) {
			if key == "" {
				fail(line, "missing key before '='")
			} else {
				fail(line, "invalid key: it must not contain spaces, quotes or #")
			}
			continue
		}
		value = strings.TrimLeft(value, " \t")

		if value == "" || (value[0] != '\'' && value[0] != '"') {
			set(key, unquotedDotenvValue(value))
			continue
		}

		// A quoted value may continue on the following lines. value is a
		// suffix of text, so it starts at eol-len(value) in src.
		quote := value[0]
		start := line
		var out strings.Builder
		i := eol - len(value) + 1
		for ; i < len(src) && src[i] != quote; i++ {
			ch := src[i]
			if ch == '\n' {
				line++
			}
			if ch == '\\' && i+1 < len(src) {
				if e, ok := dotenvEscape(quote, src[i+1]); ok {
					out.WriteByte(e)
					i++
					continue
				}
			}
			out.WriteByte(ch)
		}
		if i >= len(src) {
			fail(start, "unterminated quoted value: no closing %c", quote)
			return nil, &ConfigError{Problems: problems}
		}
		// After the closing quote only whitespace and a comment may follow.
		eol = strings.IndexByte(src[i+1:], '\n')
		if eol < 0 {
			eol = len(src)
		} else {
			eol += i + 1
		}
		rest := strings.TrimLeft(src[i+1:eol], " \t\r\f\v")
		pos = eol + 1
		if rest != "" && rest[0] != '#' {
			fail(line, "unexpected text after the closing quote")
			continue
		}
		set(key, out.String())
	}
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	return vars, nil
}

// unquotedDotenvValue cuts an unquoted value at a comment that follows
// whitespace and trims it, as python-dotenv does: "a #b" is "a", "a#b" is
// "a#b".
func unquotedDotenvValue(v string) string {
	for j := 1; j < len(v); j++ {
		if v[j] == '#' && (v[j-1] == ' ' || v[j-1] == '\t') {
			v = v[:j]
			break
		}
	}
	return strings.TrimRight(v, " \t\r\f\v")
}

// dotenvVariable is python-dotenv's ${NAME} or ${NAME:-default}.
var dotenvVariable = regexp.MustCompile(`\$\{([^}:]*)(?::-([^}]*))?\}`)

// interpolateDotenv replaces the variables in value as python-dotenv does:
// by the value defined earlier in the file (vars, already interpolated),
// else in env, else by the default or nothing.
func interpolateDotenv(value string, vars map[string]string, env func(string) (string, bool)) string {
	if !strings.Contains(value, "${") {
		return value
	}
	return dotenvVariable.ReplaceAllStringFunc(value, func(m string) string {
		sub := dotenvVariable.FindStringSubmatch(m)
		if v, ok := vars[sub[1]]; ok {
			return v
		}
		if env != nil {
			if v, ok := env(sub[1]); ok {
				return v
			}
		}
		return sub[2]
	})
}

// dotenvEscape decodes the character after a backslash in a value quoted
// with quote, as python-dotenv does: in single quotes only \\ and \'.
func dotenvEscape(quote, c byte) (byte, bool) {
	if quote == '\'' {
		if c == '\\' || c == '\'' {
			return c, true
		}
		return 0, false
	}
	switch c {
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'v':
		return '\v', true
	case '"', '\'', '\\':
		return c, true
	}
	return 0, false
}

// validDotenvKey reports whether key can name a variable: no whitespace,
// quotes, '#' or '=', and not empty.
func validDotenvKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`#='"`, r) {
			return false
		}
	}
	return true
}
