package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/sqlstore"
)

// A store on a SQLite file. The caller opens and closes the database; the
// DSN sets what every SQLite store needs: foreign keys, a busy timeout and
// WAL.
func Example() {
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "auth.db")+
		"?_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ctx := context.Background()
	store := sqlstore.New(db, sqlstore.SQLite)
	applied, err := store.Migrate(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("applied:", applied)

	u := &fullauth.User{Email: "ada@example.com", Active: true, CreatedAt: time.Now()}
	if err := store.CreateUser(ctx, u, ""); err != nil {
		log.Fatal(err)
	}
	if err := store.AddRole(ctx, u.ID, "admin"); err != nil {
		log.Fatal(err)
	}
	found, err := store.UserByEmail(ctx, "Ada@Example.com")
	if err != nil {
		log.Fatal(err)
	}
	roles, _ := store.Roles(ctx, found.ID)
	fmt.Println(found.Email, found.ID == u.ID, roles)

	applied, _ = store.Migrate(ctx)
	fmt.Println("applied again:", applied)
	// Output:
	// applied: [0001_init 0002_display_name 0003_users_created_index]
	// ada@example.com true [admin]
	// applied again: []
}
