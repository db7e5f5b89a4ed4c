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
	"runtime"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		oversubscribe()
	}
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

// oversubscribe gives the server one P more than the default (unless
// GOMAXPROCS is set). An argon2id hash keeps a goroutine per lane busy for
// tens of milliseconds, and Go's scheduler preempts CPU-bound goroutines
// only every 10 ms, so on a small machine a burst of logins left requests
// queued behind the hash lanes (GET /me p99 about 20 ms while 32 logins
// ran on 2 cores). With one P more than cores, a request finds a free P
// and the kernel, which slices far more finely, interleaves the threads:
// p99 about 8 ms, at no measurable cost in req/s (docs/benchmarks.md).
// The hashing pool still bounds the CPU spent on hashes.
func oversubscribe() {
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}
