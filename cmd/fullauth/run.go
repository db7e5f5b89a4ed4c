package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

const usage = `Usage: fullauth <command> [flags]

Commands:
  serve             run the HTTP API
  migrate           apply pending database migrations
  createsuperuser   create a verified superuser
  secret            print a new secret key for FULLAUTH_SECRET_KEY
  check             print the effective configuration and its warnings
  version           print the version

Settings are read from FULLAUTH_* environment variables and ./.env.
Run 'fullauth <command> --help' for the flags of a command.
`

// exitStatus ends the program with its code; whatever needed saying has
// been printed.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// errUsage is a command line that could not be understood (exit code 2).
const errUsage = exitStatus(2)

// run runs the command named by args[0]. It reads variables only through
// lookup and writes only to stdout and stderr, so tests can drive it.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, lookup, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, lookup, stdout, stderr)
	case "createsuperuser":
		return runCreateSuperuser(ctx, rest, lookup, stdout, stderr)
	case "secret":
		return runSecret(rest, stdout, stderr)
	case "check":
		return runCheck(rest, lookup, stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(rest, stdout, stderr)
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "fullauth: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// exitCode reports err on stderr, unless it was reported already, and
// returns the exit code for it: 0 for nil, 2 for a usage error, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var status exitStatus
	if errors.As(err, &status) {
		return int(status)
	}
	var ce *configError
	if errors.As(err, &ce) {
		for _, p := range ce.problems {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	fmt.Fprintf(stderr, "fullauth: %v\n", err)
	return 1
}

// newFlagSet returns a flag set that prints nothing itself: parseFlags
// reports its errors.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args. -h or --help prints the command's help on stdout
// and ends the program with code 0; a bad flag or a stray argument prints
// the problem and the help on stderr (code 2).
func parseFlags(fs *flag.FlagSet, help string, args []string, stdout, stderr io.Writer) error {
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printHelp(fs, help, stdout)
		return exitStatus(0)
	}
	fmt.Fprintf(stderr, "fullauth %s: %v\n\n", fs.Name(), err)
	printHelp(fs, help, stderr)
	return errUsage
}

func printHelp(fs *flag.FlagSet, help string, w io.Writer) {
	fmt.Fprint(w, help)
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
}
