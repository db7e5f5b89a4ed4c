// Command gin serves FullAuth's JSON API and a few application routes
// on github.com/gin-gonic/gin. GIN_MODE=release silences gin's debug log.
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
	"github.com/gin-gonic/gin"
)

// newRouter mounts the auth API under the configured prefix
// (/api/v1/auth by default) next to the application's own routes.
func newRouter(a *fullauth.Auth) http.Handler {
	h := authhttp.New(a, authhttp.Options{})
	prefix := authPrefix(a)

	g := gin.New()
	g.Use(gin.Recovery())
	// The auth handler serves paths relative to where it is mounted
	// ("/login", "/me", …), so strip the prefix.
	g.Any(prefix+"/*path", gin.WrapH(http.StripPrefix(prefix, h)))

	api := g.Group("/api")
	// Authenticate attaches the user when there is one and lets everyone in.
	api.GET("/public", wrap(h.Authenticate), public)
	// RequireSuperuser answers 401 without a valid token, 403 to others.
	api.GET("/admin", wrap(h.RequireSuperuser), admin)
	// RequireRole answers 403 unless the user holds one of the roles, and
	// RequirePermission unless one of the user's roles grants one of the
	// permissions (superusers pass both). They read the store on every
	// request, so assigning or removing a role takes effect at once, with
	// the same access token.
	api.GET("/editor", wrap(h.RequireRole("editor")), editor)
	api.GET("/posts/write", wrap(h.RequirePermission("posts:write")), writePosts)
	// RequireUser answers 401 without a valid access token, for every route
	// of the group.
	users := api.Group("", wrap(h.RequireUser))
	users.GET("/hello", hello)
	return g
}

// wrap adapts stdlib middleware to gin, which has no adapter of its own.
// The middleware either answers the request itself (401, 403, …) and the
// gin chain stops, or calls next, and the rest of the chain runs with the
// request it passed on, whose context carries the user. Middleware that
// replaces the ResponseWriter is not supported: gin handlers keep writing
// to c.Writer.
func wrap(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		called := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			called = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !called {
			c.Abort()
		}
	}
}

// authPrefix is where the auth API is mounted: FULLAUTH_API_PREFIX joined
// with FULLAUTH_AUTH_ROUTER_PREFIX, "/api/v1/auth" by default.
func authPrefix(a *fullauth.Auth) string {
	cfg := a.Config()
	return strings.TrimRight(cfg.APIPrefix, "/") + cfg.AuthRouterPrefix
}

func hello(c *gin.Context) {
	u := fullauth.UserFrom(c.Request.Context()) // never nil behind RequireUser
	c.JSON(http.StatusOK, gin.H{"message": "Hello, " + u.Email + "!"})
}

func admin(c *gin.Context) {
	u := fullauth.UserFrom(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"message": "Welcome to the admin area, " + u.Email + "."})
}

func editor(c *gin.Context) {
	u := fullauth.UserFrom(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"message": "Welcome to the editor, " + u.Email + "."})
}

func writePosts(c *gin.Context) {
	u := fullauth.UserFrom(c.Request.Context())
	c.JSON(http.StatusOK, gin.H{"message": u.Email + " may write posts."})
}

func public(c *gin.Context) {
	out := gin.H{"signed_in": false}
	if u := fullauth.UserFrom(c.Request.Context()); u != nil {
		out["signed_in"], out["email"] = true, u.Email
	}
	c.JSON(http.StatusOK, out)
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
