package sqlstore_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
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
