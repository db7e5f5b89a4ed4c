package main

import (
	"context"
	"fmt"
	"io"
)

const migrateUsage = `Usage: fullauth migrate

Applies the pending migrations to the database of FULLAUTH_DATABASE_URL
(default sqlite:fullauth.db) and prints the name of each.
`

func runMigrate(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate")
	if err := parseFlags(fs, migrateUsage, args, stdout, stderr); err != nil {
		return err
	}
	s, err := loadSettings(lookup)
	if err != nil {
		return err
	}
	// Migrating needs the database and nothing else of the settings.
	if len(s.dbProblems) > 0 {
		return &configError{problems: s.dbProblems}
	}
	db, err := openDB(ctx, s.database)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		_, err = fmt.Fprintln(stdout, "No pending migrations.")
		return err
	}
	for _, name := range applied {
		fmt.Fprintf(stdout, "Applied %s\n", name)
	}
	return nil
}
