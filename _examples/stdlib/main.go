// Command stdlib serves FullAuth's JSON API and a few application routes
// on the standard library's http.ServeMux.
//
//	go run .
//
// Settings come from FULLAUTH_* variables (see fullauth.ConfigFromEnv);
// ADDR sets the listen address (default 127.0.0.1:8080). ADMIN_EMAIL and
// ADMIN_PASSWORD, when both set, create a superuser at start-up.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
)

// newRouter mounts the auth API under the configured prefix
// (/api/v1/auth by default) next to the application's own routes.
func newRouter(a *fullauth.Auth) http.Handler {
	h := authhttp.New(a, authhttp.Options{})
	prefix := authPrefix(a)

	mux := http.NewServeMux()
	// The auth handler serves paths relative to where it is mounted
	// ("/login", "/me", …), so strip the prefix.
	mux.Handle(prefix+"/", http.StripPrefix(prefix, h))

	// RequireUser answers 401 without a valid access token.
	mux.Handle("GET /api/hello", h.RequireUser(http.HandlerFunc(hello)))
	// RequireSuperuser also answers 403 to signed-in non-superusers.
	mux.Handle("GET /api/admin", h.RequireSuperuser(http.HandlerFunc(admin)))
	// Authenticate attaches the user when there is one and lets everyone in.
	mux.Handle("GET /api/public", h.Authenticate(http.HandlerFunc(public)))
	// RequireRole answers 403 unless the user holds one of the roles, and
	// RequirePermission unless one of the user's roles grants one of the
	// permissions (superusers pass both). They read the store on every
	// request, so assigning or removing a role takes effect at once, with
	// the same access token.
	mux.Handle("GET /api/editor", h.RequireRole("editor")(http.HandlerFunc(editor)))
	mux.Handle("GET /api/posts/write", h.RequirePermission("posts:write")(http.HandlerFunc(writePosts)))
	return mux
}

// authPrefix is where the auth API is mounted: FULLAUTH_API_PREFIX joined
// with FULLAUTH_AUTH_ROUTER_PREFIX, "/api/v1/auth" by default.
func authPrefix(a *fullauth.Auth) string {
	cfg := a.Config()
	return strings.TrimRight(cfg.APIPrefix, "/") + cfg.AuthRouterPrefix
}

func hello(w http.ResponseWriter, r *http.Request) {
	u := fullauth.UserFrom(r.Context()) // never nil behind RequireUser
	writeJSON(w, map[string]string{"message": "Hello, " + u.Email + "!"})
}

func admin(w http.ResponseWriter, r *http.Request) {
	u := fullauth.UserFrom(r.Context())
	writeJSON(w, map[string]string{"message": "Welcome to the admin area, " + u.Email + "."})
}

func editor(w http.ResponseWriter, r *http.Request) {
	u := fullauth.UserFrom(r.Context())
	writeJSON(w, map[string]string{"message": "Welcome to the editor, " + u.Email + "."})
}

func writePosts(w http.ResponseWriter, r *http.Request) {
	u := fullauth.UserFrom(r.Context())
	writeJSON(w, map[string]string{"message": u.Email + " may write posts."})
}

func public(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"signed_in": false}
	if u := fullauth.UserFrom(r.Context()); u != nil {
		out["signed_in"], out["email"] = true, u.Email
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, logger); err != nil {
		logger.Error(err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger) error {
	cfg, err := fullauth.ConfigFromEnv(os.LookupEnv)
	if err != nil {
		return err
	}
	// Without FULLAUTH_SECRET_KEY, New generates a key and logs a warning
	// through this logger: tokens then die with the process.
	cfg.Logger = logger

	// memstore keeps users in memory, which is right for a demo only. For
	// a database, open a *sql.DB and use sqlstore instead:
	//
	//	import _ "modernc.org/sqlite" // or github.com/jackc/pgx/v5/stdlib, github.com/go-sql-driver/mysql
	//
	//	db, err := sql.Open("sqlite", "file:auth.db?_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	//	...
	//	defer db.Close()
	//	store := sqlstore.New(db, sqlstore.SQLite) // or sqlstore.Postgres, sqlstore.MySQL
	//	if _, err := store.Migrate(ctx); err != nil { ... }
	//	a, err := fullauth.New(store, cfg)
	a, err := fullauth.New(memstore.New(), cfg)
	if err != nil {
		return err
	}
	if email, pw := os.Getenv("ADMIN_EMAIL"), os.Getenv("ADMIN_PASSWORD"); email != "" && pw != "" {
		if _, err := a.CreateSuperuser(ctx, email, pw); err != nil {
			return fmt.Errorf("create superuser: %w", err)
		}
	}

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	srv := &http.Server{
		Handler:           newRouter(a),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", "http://"+ln.Addr().String(), "auth", authPrefix(a))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
