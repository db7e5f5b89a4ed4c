package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/fullauth/fullauth/memstore"
)

const checkUsage = `Usage: fullauth check

Reads the settings as serve does, prints the effective configuration
(without secrets) and every warning serve would log. Exits with code 1 when
the configuration is invalid, so it can gate a deployment.
`

// runCheck prints what CONTRACT §22 prints, followed by the server's own
// rows. It builds the Auth as serve does, on an in-memory store, so the
// two cannot disagree.
func runCheck(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlagSet("check")
	if err := parseFlags(fs, checkUsage, args, stdout, stderr); err != nil {
		return err
	}
	s, err := loadSettings(lookup)
	var problems []string
	var ce *configError
	switch {
	case errors.As(err, &ce):
		problems = ce.problems
	case err != nil:
		return err
	default:
		problems = s.problems()
	}
	var c *components
	if len(problems) == 0 {
		c, err = build(s, memstore.New(), slog.New(slog.DiscardHandler))
		switch {
		case errors.As(err, &ce):
			problems = ce.problems
		case err != nil:
			return err
		}
	}
	if len(problems) > 0 {
		fmt.Fprint(stdout, "Config error: could not construct FullAuthConfig from the environment.\n\n")
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return exitStatus(1)
	}
	_ = c.notifier.Close(context.Background())
	_ = c.state.Close()

	rows := s.cfg.Summary(s.cfg.SecretKey == nil)
	rows = append(rows, s.summary()...)
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	var b strings.Builder
	b.WriteString("Effective configuration:\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, r[0], r[1])
	}
	b.WriteString("\nOAuth providers and token transports are configured in code, not env.\n")

	warnings := append(c.auth.Warnings(), c.warnings...)
	if len(warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, w := range warnings {
			fmt.Fprintf(&b, "  - %s\n", w)
		}
		fmt.Fprintf(&b, "\n%d warning(s). Config is usable but review the above.\n", len(warnings))
	} else {
		b.WriteString("\nNo warnings. Config looks good.\n")
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// summary returns the server's rows of `fullauth check`. Values that may
// hold credentials are shown as set or not set.
func (s *settings) summary() [][2]string {
	set := func(v string) string {
		if v != "" {
			return "set"
		}
		return "not set"
	}
	migrate := "on"
	if !s.autoMigrate {
		migrate = "off"
	}
	return [][2]string{
		{"database", s.database.String()},
		{"addr", s.addr},
		{"auto migrate", migrate},
		{"webhook", set(s.notify.webhookURL)},
		{"smtp", set(s.notify.smtpURL)},
	}
}
