//go:build ignore

// Command bare is the baseline of scripts/load.sh: a net/http server that
// answers GET /bare with a small JSON body of the size and shape of
// GET /api/v1/auth/me (about 160 bytes), encoded per request, and nothing
// else. It has the http.Server limits of `fullauth serve` (see
// cmd/fullauth/server.go) but none of its middleware, authentication or
// storage, so that the load script can report what the auth server costs
// per request relative to the cheapest handler Go can serve.
//
//	go run ./scripts/bare --addr 127.0.0.1:0
//
// It prints "bare serving on http://HOST:PORT" once listening (port 0 picks
// a free port) and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The limits of cmd/fullauth/server.go's newHTTPServer.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 10 * time.Second
)

// user has the fields of the body of GET /me.
type user struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	IsActive    bool     `json:"is_active"`
	IsVerified  bool     `json:"is_verified"`
	IsSuperuser bool     `json:"is_superuser"`
	DisplayName *string  `json:"display_name"`
	Roles       []string `json:"roles"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address `HOST:PORT`; port 0 picks a free port")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	me := user{
		ID:       "01a21b34-cd58-778a-9b4b-2b55ae744ec6",
		Email:    "bench@example.com",
		IsActive: true,
		Roles:    []string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bare", func(w http.ResponseWriter, r *http.Request) {
		body, err := json.Marshal(me)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Printf("bare serving on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}
