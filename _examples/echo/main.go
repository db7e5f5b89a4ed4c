// Command echo serves FullAuth's JSON API and a few application routes
// on github.com/labstack/echo/v4.
//
//	go run .
//
// Settings come from FULLAUTH_* variables (see fullauth.ConfigFromEnv);
// ADDR sets the listen address (default 127.0.0.1:8080). ADMIN_EMAIL and
// ADMIN_PASSWORD, when both set, create a superuser at start-up.
package main

import (
	"context"
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
	"github.com/labstack/echo/v4"
)

// newRouter mounts the auth API under the configured prefix
// (/api/v1/auth by default) next to the application's own routes.
func newRouter(a *fullauth.Auth) http.Handler {
	h := authhttp.New(a, authhttp.Options{})
	prefix := authPrefix(a)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The auth handler serves paths relative to where it is mounted
	// ("/login", "/me", …), so strip the prefix.
	e.Any(prefix+"/*", echo.WrapHandler(http.StripPrefix(prefix, h)))

	// The guards are stdlib middleware, adapted by echo.WrapMiddleware;
	// handlers read the user with fullauth.UserFrom(c.Request().Context()).
	api := e.Group("/api")
	// Authenticate attaches the user when there is one and lets everyone in.
	api.GET("/public", public, echo.WrapMiddleware(h.Authenticate))
	// RequireSuperuser answers 401 without a valid token, 403 to others.
	api.GET("/admin", admin, echo.WrapMiddleware(h.RequireSuperuser))
	// RequireRole answers 403 unless the user holds one of the roles, and
	// RequirePermission unless one of the user's roles grants one of the
	// permissions (superusers pass both). They read the store on every
	// request, so assigning or removing a role takes effect at once, with
	// the same access token.
	api.GET("/editor", editor, echo.WrapMiddleware(h.RequireRole("editor")))
	api.GET("/posts/write", writePosts, echo.WrapMiddleware(h.RequirePermission("posts:write")))
	// RequireUser answers 401 without a valid access token, for every route
	// of the group. Echo runs group middleware for every path under the
	// group's prefix (here /api), so anonymous requests to unknown /api
	// paths get this 401 rather than a 404.
	users := api.Group("", echo.WrapMiddleware(h.RequireUser))
	users.GET("/hello", hello)
	return e
}

// authPrefix is where the auth API is mounted: FULLAUTH_API_PREFIX joined
// with FULLAUTH_AUTH_ROUTER_PREFIX, "/api/v1/auth" by default.
func authPrefix(a *fullauth.Auth) string {
	cfg := a.Config()
	return strings.TrimRight(cfg.APIPrefix, "/") + cfg.AuthRouterPrefix
}

func hello(c echo.Context) error {
	u := fullauth.UserFrom(c.Request().Context()) // never nil behind RequireUser
	return c.JSON(http.StatusOK, map[string]string{"message": "Hello, " + u.Email + "!"})
}

func admin(c echo.Context) error {
	u := fullauth.UserFrom(c.Request().Context())
	return c.JSON(http.StatusOK, map[string]string{"message": "Welcome to the admin area, " + u.Email + "."})
}

func editor(c echo.Context) error {
	u := fullauth.UserFrom(c.Request().Context())
	return c.JSON(http.StatusOK, map[string]string{"message": "Welcome to the editor, " + u.Email + "."})
}

func writePosts(c echo.Context) error {
	u := fullauth.UserFrom(c.Request().Context())
	return c.JSON(http.StatusOK, map[string]string{"message": u.Email + " may write posts."})
}

func public(c echo.Context) error {
	out := map[string]any{"signed_in": false}
	if u := fullauth.UserFrom(c.Request().Context()); u != nil {
		out["signed_in"], out["email"] = true, u.Email
	}
	return c.JSON(http.StatusOK, out)
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
