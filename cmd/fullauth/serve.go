package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

const serveUsage = `Usage: fullauth serve [--addr HOST:PORT]

Runs the HTTP API. The address is --addr, else FULLAUTH_ADDR, else
127.0.0.1:8000; port 0 picks a free port, named in the "serving on" log
line. Pending migrations are applied first unless FULLAUTH_AUTO_MIGRATE=false.
SIGINT or SIGTERM shuts the server down gracefully.
`

// runServe runs the server until ctx is done, then shuts it down: the
// HTTP server first (in-flight requests get 10 s), then the notifier
// (pending deliveries), then the database.
func runServe(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlagSet("serve")
	addr := fs.String("addr", "", "listen address `HOST:PORT` (default FULLAUTH_ADDR, else 127.0.0.1:8000)")
	if err := parseFlags(fs, serveUsage, args, stdout, stderr); err != nil {
		return err
	}

	s, err := loadSettings(lookup)
	if err != nil {
		return err
	}
	if err := s.err(); err != nil {
		return err
	}
	if *addr != "" {
		s.addr = *addr
	}
	log := newLogger(s, stderr)
	srvLog := log.With("logger", "fullauth.server")

	db, err := openDB(ctx, s.database)
	if err != nil {
		return err
	}
	defer db.Close()

	migrations := "off"
	if s.autoMigrate {
		applied, err := db.store.Migrate(ctx)
		if err != nil {
			return err
		}
		for _, name := range applied {
			srvLog.Info("migration applied", "migration", name)
		}
		migrations = strconv.Itoa(len(applied)) + " applied"
	}

	var procs, gc func(int) int
	if _, set := lookup("GOMAXPROCS"); !set {
		procs = runtime.GOMAXPROCS
	}
	if _, set := lookup("GOGC"); !set {
		gc = debug.SetGCPercent
	}
	if procs != nil || gc != nil {
		tune := newTuning(procs, gc, time.Second)
		defer tune.close()
		s.cfg.HashBusy = tune.hashingChanged
	}
	c, err := build(s, db.store, log)
	if err != nil {
		return err
	}
	closeNotifier := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := c.notifier.Close(cctx); err != nil {
			srvLog.Warn("closing the notifier", "err", err)
		}
		if err := c.state.Close(); err != nil {
			srvLog.Warn("closing the Redis client", "err", err)
		}
	}
	for _, w := range c.warnings {
		srvLog.Warn(w)
	}
	handler, err := routes(c, s.browser, db, srvLog)
	if err != nil {
		closeNotifier()
		return err
	}

	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		closeNotifier()
		return err
	}
	bound := ln.Addr().String()
	srvLog.Info(fmt.Sprintf("fullauth serving on http://%s (db=%s, migrations=%s)", bound, s.database, migrations),
		"addr", bound, "db", s.database.String(), "version", version())

	srv := newHTTPServer(handler, srvLog)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		// The listener failed before any shutdown was asked for.
		closeNotifier()
		return err
	case <-ctx.Done():
	}
	srvLog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		shutdownErr = errors.Join(shutdownErr, err)
	}
	closeNotifier()
	if shutdownErr != nil {
		srvLog.Warn("shutdown was not clean", "err", shutdownErr)
		return shutdownErr
	}
	srvLog.Info("stopped")
	return nil
}
