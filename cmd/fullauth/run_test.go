package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/fullauth/fullauth/sqlstore"
)

// cli runs the command line args with env as the whole environment, in a
// fresh working directory unless the test changed it already, and returns
// the exit code and what was printed.
func cli(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	err := run(t.Context(), args, lookup, &out, &errOut)
	code = exitCode(err, &errOut)
	return code, out.String(), errOut.String()
}

// inTempDir moves the test into an empty working directory, so that no
// .env file is read and SQLite files land there.
func inTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

const testSecret = "0123456789abcdef0123456789abcdef-test-secret"

func TestSecret(t *testing.T) {
	code, out, errOut := cli(t, nil, "secret")
	if code != 0 || errOut != "" {
		t.Fatalf("secret: code %d, stderr %q", code, errOut)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{86}\n$`).MatchString(out) {
		t.Fatalf("secret printed %q, want 86 URL-safe characters and a newline", out)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(out))
	if err != nil || len(raw) != 64 {
		t.Fatalf("secret decodes to %d bytes (%v), want 64", len(raw), err)
	}
	if _, again, _ := cli(t, nil, "secret"); again == out {
		t.Fatal("two secrets are equal")
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		code, out, _ := cli(t, nil, arg)
		if code != 0 || !regexp.MustCompile(`^fullauth \S+\n$`).MatchString(out) {
			t.Errorf("%s: code %d, stdout %q; want 0 and \"fullauth <version>\"", arg, code, out)
		}
	}
}

func TestVersionOf(t *testing.T) {
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "f1f8b1a0123456789abcdef0123456789abcdef0"}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"module version", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{rev}}, "v1.2.3"},
		{"revision", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{rev}}, "f1f8b1a01234"},
		{"dirty revision", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{rev, dirty}}, "f1f8b1a01234-dirty"},
		{"nothing", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
	}
	for _, tc := range tests {
		if got := versionOf(&tc.info); got != tc.want {
			t.Errorf("%s: versionOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args             []string
		code             int
		stdout, stderr   string // substrings; "" means must be empty
		stdoutEmptyCheck bool
	}{
		{args: []string{"--help"}, code: 0, stdout: "Usage: fullauth <command>"},
		{args: []string{"help"}, code: 0, stdout: "Usage: fullauth <command>"},
		{args: nil, code: 2, stderr: "Usage: fullauth <command>"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"serve", "--help"}, code: 0, stdout: "-addr HOST:PORT"},
		{args: []string{"serve", "--bogus"}, code: 2, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"secret", "extra"}, code: 2, stderr: `unexpected argument "extra"`},
		{args: []string{"createsuperuser", "--password", "x"}, code: 2, stderr: "--email is required"},
	}
	for _, tc := range tests {
		inTempDir(t)
		code, out, errOut := cli(t, nil, tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit code %d, want %d (stderr %q)", tc.args, code, tc.code, errOut)
		}
		if tc.stdout != "" && !strings.Contains(out, tc.stdout) || tc.stdout == "" && out != "" {
			t.Errorf("%q: stdout %q, want it to contain %q", tc.args, out, tc.stdout)
		}
		if tc.stderr != "" && !strings.Contains(errOut, tc.stderr) || tc.stderr == "" && errOut != "" {
			t.Errorf("%q: stderr %q, want it to contain %q", tc.args, errOut, tc.stderr)
		}
	}
}

func TestCheckNoWarnings(t *testing.T) {
	inTempDir(t)
	env := map[string]string{
		"FULLAUTH_SECRET_KEY":              testSecret,
		"FULLAUTH_BLACKLIST_ENABLED":       "false",
		"FULLAUTH_LOCKOUT_ENABLED":         "false",
		"FULLAUTH_AUTH_RATE_LIMIT_ENABLED": "false",
		"FULLAUTH_WEBHOOK_URL":             "http://127.0.0.1:9/hook",
		"FULLAUTH_WEBHOOK_SECRET":          "hook-secret",
		"FULLAUTH_DATABASE_URL":            "postgres://app:hunter2@db.internal:5432/auth?sslmode=disable",
		"FULLAUTH_ADDR":                    "0.0.0.0:9000",
		"FULLAUTH_AUTO_MIGRATE":            "off",
	}
	code, out, errOut := cli(t, env, "check")
	want := `Effective configuration:
  backend (default)     memory
  redis url             not set
  secret key            set
  algorithm             HS256
  access token expiry   30 min
  refresh token expiry  30 days
  blacklist             off
  lockout               off
  rate limit            off
  passkeys              off
  api prefix            /api/v1/auth
  database              postgres
  addr                  0.0.0.0:9000
  auto migrate          off
  webhook               set
  smtp                  not set

OAuth providers and token transports are configured in code, not env.

No warnings. Config looks good.
`
	if code != 0 || out != want || errOut != "" {
		t.Fatalf("check: code %d, stderr %q, stdout:\n%s\nwant code 0 and stdout:\n%s", code, errOut, out, want)
	}
	if strings.Contains(out, "hunter2") || strings.Contains(out, "db.internal") {
		t.Error("check shows the database URL")
	}
}

func TestCheckWarnings(t *testing.T) {
	inTempDir(t)
	code, out, _ := cli(t, map[string]string{"FULLAUTH_PASSKEY_RP_ID": "example.com", "FULLAUTH_PASSKEY_ORIGINS": "https://example.com"}, "check")
	if code != 0 {
		t.Fatalf("check: exit code %d, want 0 with warnings", code)
	}
	for _, want := range []string{
		"  secret key            generated (set FULLAUTH_SECRET_KEY)\n",
		"  passkeys              memory\n",
		"  passkey rp id         example.com\n",
		"  database              sqlite\n",
		"  addr                  127.0.0.1:8000\n",
		"\nOAuth providers and token transports are configured in code, not env.\n\nWarnings:\n" +
			"  - FULLAUTH_SECRET_KEY is not set. A random key has been generated. Tokens will be invalidated on restart. Set FULLAUTH_SECRET_KEY for production.\n" +
			"  - In-memory backends in use: BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND, PASSKEY_CHALLENGE_BACKEND.",
		"\n  - Neither FULLAUTH_SMTP_URL nor FULLAUTH_WEBHOOK_URL is set",
		"\n  - PASSKEY_ENABLED is set but this server cannot serve passkeys yet",
		"\n\n4 warning(s). Config is usable but review the above.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q; got:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "4 warning(s). Config is usable but review the above.\n") {
		t.Errorf("check output does not end with the warning count:\n%s", out)
	}
	if _, err := os.Stat("fullauth.db"); err == nil {
		t.Error("check created the database")
	}
}

func TestCheckInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"short secret", map[string]string{"FULLAUTH_SECRET_KEY": "short"},
			"SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret\n"},
		{"redis required", map[string]string{"FULLAUTH_BACKEND": "redis", "FULLAUTH_SECRET_KEY": testSecret},
			"REDIS_URL must be set when BLACKLIST_BACKEND, LOCKOUT_BACKEND, RATE_LIMIT_BACKEND use 'redis'.\n"},
		{"§7.4 first", map[string]string{"FULLAUTH_SECRET_KEY": "short", "FULLAUTH_ALGORITHM": "RS256"},
			"SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret\n" +
				"ALGORITHM: Input should be 'HS256', 'HS384' or 'HS512', got \"RS256\"\n"},
		{"server settings", map[string]string{"FULLAUTH_SECRET_KEY": testSecret, "FULLAUTH_DATABASE_URL": "oracle://x", "FULLAUTH_AUTO_MIGRATE": "maybe"},
			"DATABASE_URL: unsupported scheme \"oracle\"; expected sqlite:PATH, sqlite::memory:, postgres://… or mysql://…\n" +
				"AUTO_MIGRATE: Input should be a valid boolean, unable to interpret input, got \"maybe\"\n"},
		{"secret counted in characters", map[string]string{"FULLAUTH_SECRET_KEY": strings.Repeat("é", 16)}, // 32 bytes
			"SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret\n"},
		{"redis url", map[string]string{"FULLAUTH_SECRET_KEY": testSecret, "FULLAUTH_REDIS_URL": "http://127.0.0.1:6379"},
			"REDIS_URL: invalid URL: must start with redis:// or rediss://\n"},
		{"notifier", map[string]string{"FULLAUTH_SECRET_KEY": testSecret, "FULLAUTH_WEBHOOK_URL": "http://127.0.0.1:9/hook"},
			"notify: FULLAUTH_WEBHOOK_SECRET is required when FULLAUTH_WEBHOOK_URL is set\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inTempDir(t)
			code, out, _ := cli(t, tc.env, "check")
			want := "Config error: could not construct FullAuthConfig from the environment.\n\n" + tc.want
			if code != 1 || out != want {
				t.Errorf("check: code %d, stdout:\n%s\nwant code 1 and:\n%s", code, out, want)
			}
		})
	}
}

// A feature that is off needs no Redis, whatever its backend says (§24.16).
func TestCheckDisabledFeatureNeedsNoRedis(t *testing.T) {
	for _, env := range []map[string]string{
		{"FULLAUTH_PASSKEY_CHALLENGE_BACKEND": "redis"}, // passkeys are off
		{"FULLAUTH_BLACKLIST_BACKEND": "redis", "FULLAUTH_BLACKLIST_ENABLED": "false"},
		{"FULLAUTH_LOCKOUT_BACKEND": "redis", "FULLAUTH_LOCKOUT_ENABLED": "false"},
	} {
		env["FULLAUTH_SECRET_KEY"] = testSecret
		t.Run(fmt.Sprint(env), func(t *testing.T) {
			inTempDir(t)
			if code, out, _ := cli(t, env, "check"); code != 0 {
				t.Errorf("check: code %d, want 0; stdout:\n%s", code, out)
			}
		})
	}
}

// Passkey and OAuth settings, which this server cannot serve yet, are
// warned about as §21 warns about an adapter that cannot serve them.
func TestCheckWarnsOfUnservedPasskeysAndOAuth(t *testing.T) {
	passkeys := "PASSKEY_ENABLED is set but this server cannot serve passkeys yet; passkey routes will not be registered."
	oauth := "OAuth providers are configured but this server cannot serve OAuth yet; OAuth routes will not be registered."
	tests := []struct {
		name       string
		env        map[string]string
		want, lack []string
	}{
		{"neither", nil, nil, []string{passkeys, oauth}},
		{"passkeys", map[string]string{"FULLAUTH_PASSKEY_RP_ID": "example.com", "FULLAUTH_ORIGINS": `["https://example.com"]`}, []string{passkeys}, []string{oauth}},
		{"oauth", map[string]string{"FULLAUTH_OAUTH_GITHUB_CLIENT_ID": "abc"}, []string{oauth}, []string{passkeys}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inTempDir(t)
			env := map[string]string{"FULLAUTH_SECRET_KEY": testSecret}
			maps.Copy(env, tc.env)
			code, out, _ := cli(t, env, "check")
			if code != 0 {
				t.Fatalf("check: code %d, want 0; stdout:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, "  - "+w+"\n") {
					t.Errorf("check output lacks the warning %q:\n%s", w, out)
				}
			}
			for _, w := range tc.lack {
				if strings.Contains(out, w) {
					t.Errorf("check output has the warning %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestCheckReadsDotenv(t *testing.T) {
	dir := inTempDir(t)
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("FULLAUTH_SECRET_KEY=short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := cli(t, nil, "check"); code != 1 || !strings.Contains(out, "SECRET_KEY must be at least 32 characters") {
		t.Errorf("check with a short secret in .env: code %d, stdout %q", code, out)
	}
	// The environment wins over .env.
	if code, _, _ := cli(t, map[string]string{"FULLAUTH_SECRET_KEY": testSecret}, "check"); code != 0 {
		t.Errorf("check with a good secret in the environment: code %d, want 0", code)
	}
}

func TestServeInvalidConfig(t *testing.T) {
	inTempDir(t)
	code, out, errOut := cli(t, map[string]string{"FULLAUTH_SECRET_KEY": "short"}, "serve")
	want := "SECRET_KEY must be at least 32 characters. Generate one with: fullauth secret\n"
	if code != 1 || errOut != want || out != "" {
		t.Errorf("serve: code %d, stdout %q, stderr %q; want code 1 and stderr %q", code, out, errOut, want)
	}
	if _, err := os.Stat("fullauth.db"); err == nil {
		t.Error("serve created the database despite the invalid configuration")
	}
}

func TestMigrate(t *testing.T) {
	dir := inTempDir(t)
	env := map[string]string{"FULLAUTH_DATABASE_URL": "sqlite:" + filepath.Join(dir, "auth.db")}
	code, out, errOut := cli(t, env, "migrate")
	if code != 0 || errOut != "" {
		t.Fatalf("migrate: code %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "Applied 0001_") {
		t.Fatalf("migrate printed %q, want one \"Applied <name>\" line per migration", out)
	}
	for _, l := range lines {
		if !regexp.MustCompile(`^Applied \d{4}_\w+$`).MatchString(l) {
			t.Errorf("migrate line %q, want \"Applied <name>\"", l)
		}
	}
	code, out, _ = cli(t, env, "migrate")
	if code != 0 || out != "No pending migrations.\n" {
		t.Errorf("second migrate: code %d, stdout %q; want 0 and \"No pending migrations.\"", code, out)
	}
	// Migrating needs only the database: a bad secret does not stop it.
	env["FULLAUTH_SECRET_KEY"] = "short"
	if code, _, errOut := cli(t, env, "migrate"); code != 0 {
		t.Errorf("migrate with an unrelated bad setting: code %d, stderr %q", code, errOut)
	}
	env["FULLAUTH_DATABASE_URL"] = "nosuchdb://x"
	if code, _, errOut := cli(t, env, "migrate"); code != 1 || !strings.HasPrefix(errOut, "DATABASE_URL: unsupported scheme") {
		t.Errorf("migrate with a bad URL: code %d, stderr %q", code, errOut)
	}
}

func TestCreateSuperuser(t *testing.T) {
	dir := inTempDir(t)
	path := filepath.Join(dir, "auth.db")
	env := map[string]string{"FULLAUTH_DATABASE_URL": "sqlite:" + path, "FULLAUTH_SECRET_KEY": testSecret}

	code, out, errOut := cli(t, env, "createsuperuser", "--email", "Admin@Example.com", "--password", "pw")
	if code != 0 || errOut != "" || !strings.HasPrefix(out, "Superuser admin@example.com created") {
		t.Fatalf("createsuperuser: code %d, stdout %q, stderr %q", code, out, errOut)
	}

	// The password may come from the environment instead.
	env["FULLAUTH_SUPERUSER_PASSWORD"] = "pw"
	code, out, errOut = cli(t, env, "createsuperuser", "--email", "admin@example.com")
	if want := "User with email admin@example.com already exists\n"; code != 1 || errOut != want || out != "" {
		t.Errorf("second createsuperuser: code %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, want)
	}

	db, err := sql.Open("sqlite", "file:"+path+"?"+sqliteParams)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := sqlstore.New(db, sqlstore.SQLite).UserByEmail(context.Background(), "admin@example.com")
	if err != nil {
		t.Fatalf("UserByEmail: %v", err)
	}
	if !u.Superuser || !u.Verified || !u.Active {
		t.Errorf("user = %+v, want an active, verified superuser", u)
	}

	delete(env, "FULLAUTH_SUPERUSER_PASSWORD")
	if code, _, errOut := cli(t, env, "createsuperuser", "--email", "b@example.com"); code != 2 || !strings.Contains(errOut, "a password is required") {
		t.Errorf("createsuperuser without a password: code %d, stderr %q; want 2", code, errOut)
	}
}

func TestParseDatabaseURL(t *testing.T) {
	tests := []struct {
		raw     string
		dialect sqlstore.Dialect
		dsn     string // prefix; "" = don't check
		memory  bool
		// memstore: memory:, no SQL database.
		memstore bool
		err      string // substring of the error
	}{
		{raw: "sqlite:fullauth.db", dialect: sqlstore.SQLite, dsn: "file:fullauth.db?" + sqliteParams},
		{raw: "sqlite:/var/lib/fullauth/auth.db", dialect: sqlstore.SQLite, dsn: "file:/var/lib/fullauth/auth.db?" + sqliteParams},
		{raw: "sqlite:///rel.db", dialect: sqlstore.SQLite, dsn: "file:rel.db?"},
		{raw: "sqlite:////abs/x.db", dialect: sqlstore.SQLite, dsn: "file:/abs/x.db?"},
		{raw: "sqlite+aiosqlite:///app.db", dialect: sqlstore.SQLite, dsn: "file:app.db?"},
		{raw: "sqlite:auth.db?_pragma=cache_size(-20000)", dialect: sqlstore.SQLite, dsn: "file:auth.db?" + sqliteParams + "&_pragma=cache_size(-20000)"},
		{raw: "sqlite::memory:", dialect: sqlstore.SQLite, dsn: "file:fullauth-", memory: true},
		{raw: "postgres://u:p@localhost:5432/db?sslmode=disable", dialect: sqlstore.Postgres, dsn: "postgres://u:p@localhost:5432/db?sslmode=disable"},
		{raw: "postgresql://u@h/db", dialect: sqlstore.Postgres, dsn: "postgres://u@h/db"},
		{raw: "postgresql+asyncpg://u@h/db", dialect: sqlstore.Postgres, dsn: "postgres://u@h/db"},
		{raw: "mysql://root:s%40cret@127.0.0.1:3307/auth", dialect: sqlstore.MySQL, dsn: "root:s@cret@tcp(127.0.0.1:3307)/auth?parseTime=true"},
		{raw: "mysql://app@db/auth?tls=skip-verify", dialect: sqlstore.MySQL, dsn: "app@tcp(db:3306)/auth?parseTime=true&tls=skip-verify"},
		{raw: "mariadb://app:pw@db:3306/auth", dialect: sqlstore.MySQL, dsn: "app:pw@tcp(db:3306)/auth?"},
		{raw: "memory:", memstore: true},
		{raw: " MEMORY: ", memstore: true},
		{raw: "memory:x.db", err: "takes nothing after the colon"},
		{raw: "memory://", err: "takes nothing after the colon"},
		{raw: "sqlite:", err: "needs a file path"},
		{raw: "fullauth.db", err: "expected sqlite:PATH"},
		{raw: "oracle://scott:tiger@db/x", err: `unsupported scheme "oracle"`},
		{raw: "postgres:nohost", err: "invalid PostgreSQL URL"},
		{raw: "mysql://u:p@host:3306", err: "must name one database"},
		{raw: "mysql://u:p@host:3306/db?parseTime=banana", err: "invalid MySQL URL parameters"},
	}
	for _, tc := range tests {
		d, err := parseDatabaseURL(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseDatabaseURL(%q) err = %v, want %q", tc.raw, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "tiger") {
				t.Errorf("parseDatabaseURL(%q) error shows the password: %v", tc.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDatabaseURL(%q): %v", tc.raw, err)
			continue
		}
		if d.dialect != tc.dialect || d.memory != tc.memory || d.memstore != tc.memstore || !strings.HasPrefix(d.dsn, tc.dsn) {
			t.Errorf("parseDatabaseURL(%q) = dialect %v, memory %v, memstore %v, dsn %q; want %v, %v, %v, %q…", tc.raw, d.dialect, d.memory, d.memstore, d.dsn, tc.dialect, tc.memory, tc.memstore, tc.dsn)
		}
	}
}
