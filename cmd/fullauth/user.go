package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/fullauth/fullauth"
)

const createSuperuserUsage = `Usage: fullauth createsuperuser --email EMAIL [--password PASSWORD]

Creates an active, verified superuser. The password may come from
FULLAUTH_SUPERUSER_PASSWORD instead of the command line, where other users
of the machine can read it. Pending migrations are applied first unless
FULLAUTH_AUTO_MIGRATE=false. The password policy does not apply.
`

func runCreateSuperuser(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlagSet("createsuperuser")
	email := fs.String("email", "", "the superuser's `email` (required)")
	password := fs.String("password", "", "the `password` (default FULLAUTH_SUPERUSER_PASSWORD)")
	if err := parseFlags(fs, createSuperuserUsage, args, stdout, stderr); err != nil {
		return err
	}
	s, err := loadSettings(lookup)
	if err != nil {
		return err
	}
	if *password == "" {
		*password, _ = s.lookup("FULLAUTH_SUPERUSER_PASSWORD")
	}
	*email = strings.TrimSpace(*email)
	var missing string
	switch {
	case *email == "":
		missing = "--email is required"
	case !plausibleEmail(*email):
		missing = fmt.Sprintf("--email %q is not an email address", *email)
	case *password == "":
		missing = "a password is required: --password or FULLAUTH_SUPERUSER_PASSWORD"
	}
	if missing != "" {
		fmt.Fprintf(stderr, "fullauth createsuperuser: %s\n\n", missing)
		printHelp(fs, createSuperuserUsage, stderr)
		return errUsage
	}
	if err := s.err(); err != nil {
		return err
	}

	db, err := openDB(ctx, s.database)
	if err != nil {
		return err
	}
	defer db.Close()
	if s.autoMigrate {
		if _, err := db.store.Migrate(ctx); err != nil {
			return err
		}
	}
	cfg := s.cfg
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.KV = fullauth.NewMemoryKV()
	a, err := fullauth.New(db.store, cfg)
	if err != nil {
		return err
	}
	u, err := a.CreateSuperuser(ctx, *email, *password)
	var ve *fullauth.ValidationError
	switch {
	case errors.Is(err, fullauth.ErrExists):
		fmt.Fprintf(stderr, "User with email %s already exists\n", *email)
		return exitStatus(1)
	case errors.As(err, &ve):
		fmt.Fprintln(stderr, ve.Message)
		return exitStatus(1)
	case err != nil:
		return err
	}
	_, err = fmt.Fprintf(stdout, "Superuser %s created (id %s).\n", u.Email, u.ID)
	return err
}

// plausibleEmail catches typos such as a missing "@"; the address is not
// otherwise checked, as fastapi-fullauth's create_superuser does not.
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n") && !strings.Contains(domain, "@")
}
