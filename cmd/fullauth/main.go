// Command fullauth runs FullAuth as a standalone server and manages its
// database and settings.
//
//	fullauth serve [--addr HOST:PORT]   run the HTTP API
//	fullauth migrate                    apply pending database migrations
//	fullauth createsuperuser --email E  create a verified superuser
//	fullauth secret                     print a new FULLAUTH_SECRET_KEY
//	fullauth check                      print the effective configuration
//	fullauth version                    print the version
//
// Every command reads FULLAUTH_* variables from the environment and from a
// .env file in the working directory; the environment wins. Besides the
// library's settings, the server reads FULLAUTH_ADDR, FULLAUTH_DATABASE_URL
// (default sqlite:fullauth.db), FULLAUTH_AUTO_MIGRATE, FULLAUTH_WEBHOOK_URL,
// FULLAUTH_WEBHOOK_SECRET, FULLAUTH_SMTP_URL, FULLAUTH_MAIL_FROM,
// FULLAUTH_PUBLIC_URL, FULLAUTH_LOG_FORMAT (json or text) and
// FULLAUTH_LOG_LEVEL (debug, info, warn or error).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal starts a graceful shutdown; a second one ends
		// the program at once, as signals do by default.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
