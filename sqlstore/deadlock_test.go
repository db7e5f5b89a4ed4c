package sqlstore_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/sqlstore"
)

// Logins of a user racing "end every session" of the same user: on MySQL
// the login's insert and the revocation's locking read deadlock now and
// then, and the insert must be retried rather than fail (a 500 on login).
func TestSaveRefreshTokenRacingRevoke(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx := t.Context()
		u := &fullauth.User{Email: "racer-" + randHex(4) + "@example.com", Active: true, CreatedAt: time.Now()}
		if err := s.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		var failed atomic.Int64
		var first atomic.Value
		const rounds = 150
		for range rounds {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 2 {
				wg.Go(func() {
					<-start
					now := time.Now()
					err := s.SaveRefreshToken(ctx, &fullauth.RefreshToken{Hash: randHex(32), UserID: u.ID, FamilyID: randHex(16),
						ExpiresAt: now.Add(time.Hour), CreatedAt: now})
					if err != nil {
						failed.Add(1)
						first.CompareAndSwap(nil, err.Error())
					}
				})
			}
			wg.Go(func() {
				<-start
				if _, err := s.RevokeRefreshTokens(ctx, fullauth.TokenSelector{UserID: u.ID}); err != nil {
					t.Errorf("RevokeRefreshTokens: %v", err)
				}
			})
			close(start)
			wg.Wait()
		}
		if n := failed.Load(); n > 0 {
			t.Errorf("%d of %d SaveRefreshToken calls failed; the first: %v", n, 2*rounds, first.Load())
		}
	})
}

// Many writers at once on one SQLite file, as `fullauth serve` runs it (a
// pool of 32), queue in the store rather than in SQLite's busy handler,
// which polls: under load some writers starved past busy_timeout and failed
// with "database is locked". With busy_timeout 0 here, any two of this
// store's writes that met at SQLite's write lock would fail at once.
func TestSQLiteWritesQueueInTheStore(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "auth.db") + "?" + strings.Replace(sqliteParams, "busy_timeout(5000)", "busy_timeout(0)", 1)
	if !strings.Contains(dsn, "busy_timeout(0)") {
		t.Fatalf("the test DSN %q sets no busy_timeout(0)", dsn)
	}
	db := openDSN(t, "sqlite", dsn)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	s := sqlstore.New(db, sqlstore.SQLite)
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	users := make([]string, 50)
	for i := range users {
		u := &fullauth.User{Email: "writer-" + randHex(4) + "@example.com", Active: true, CreatedAt: time.Now()}
		if err := s.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
	}
	var ops, failed atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 100 {
				user := users[(g+i*7)%len(users)]
				now := time.Now()
				tok := &fullauth.RefreshToken{Hash: randHex(32), UserID: user, FamilyID: randHex(16), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
				err := s.SaveRefreshToken(ctx, tok)
				if err == nil && i%2 == 0 {
					err = s.RotateRefreshToken(ctx, tok.Hash, &fullauth.RefreshToken{Hash: randHex(32), UserID: user, FamilyID: tok.FamilyID, ExpiresAt: now.Add(time.Hour), CreatedAt: now})
					if errors.Is(err, fullauth.ErrTokenReused) {
						err = nil // another writer revoked this user's tokens in between
					}
				}
				if err == nil && i%10 == 5 {
					_, err = s.RevokeRefreshTokens(ctx, fullauth.TokenSelector{UserID: user})
				}
				if err == nil && i%10 == 7 {
					name := "writer " + randHex(2)
					_, err = s.UpdateUser(ctx, user, fullauth.UserUpdate{DisplayName: &name})
				}
				ops.Add(1)
				if err != nil {
					failed.Add(1)
					first.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d writes failed; the first: %v", n, ops.Load(), first.Load())
	}
}
