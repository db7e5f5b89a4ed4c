package fullauth_test

import (
	"fmt"

	"github.com/fullauth/fullauth"
)

// A server reads its settings from the process environment and a .env file:
//
//	lookup, err := fullauth.WithDotenv(".env", os.LookupEnv)
//	...
//	cfg, err := fullauth.ConfigFromEnv(lookup)
//
// Here a map stands in for the environment.
func ExampleConfigFromEnv() {
	env := map[string]string{
		"FULLAUTH_SECRET_KEY":                  "change-me-to-86-random-characters-from-fullauth-secret",
		"FULLAUTH_REDIS_URL":                   "redis://localhost:6379/0",
		"FULLAUTH_ACCESS_TOKEN_EXPIRE_MINUTES": "15",
		"FULLAUTH_AUTH_RATE_LIMITS":            `{"login": 10}`,
		"FULLAUTH_ORIGINS":                     "https://app.example.com, https://example.com",
		"FULLAUTH_PASSKEY_RP_ID":               "example.com",
	}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}

	cfg, err := fullauth.ConfigFromEnv(lookup)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Resolve applies the defaults and checks the settings together, as
	// New does.
	cfg, warnings, err := cfg.Resolve()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range cfg.Summary(false) {
		fmt.Printf("%-20s  %s\n", row[0], row[1])
	}
	fmt.Println("login limit:", cfg.RateLimits.Login, "per", cfg.RateLimitWindow)
	fmt.Println("passkey origins:", cfg.Passkeys.Origins)
	fmt.Println("warnings:", len(warnings))
	// Output:
	// backend (default)     redis
	// redis url             set
	// secret key            set
	// algorithm             HS256
	// access token expiry   15 min
	// refresh token expiry  30 days
	// blacklist             redis
	// lockout               redis
	// rate limit            redis
	// passkeys              redis
	// api prefix            /api/v1/auth
	// passkey rp id         example.com
	// login limit: 10 per 1m0s
	// passkey origins: [https://app.example.com https://example.com]
	// warnings: 0
}
