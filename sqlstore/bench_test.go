package sqlstore_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/password"
)

// BenchmarkSessions measures GET /sessions on PostgreSQL: three users with
// 10 000 refresh-token rows each over 5 000 families (every family rotated
// once), among 1 000 000 rows of 10 000 other users. The users have 5, 500
// and 5 000 live sessions; the other families are revoked or expired, as a
// long history looks. Loading takes a minute or two, so it runs only with
// -bench.
func BenchmarkSessions(b *testing.B) {
	be := backends[1]
	s, db := be.newStore(b)
	ctx := b.Context()
	exec := func(query string, args ...any) {
		b.Helper()
		if _, err := db.ExecContext(ctx, query, args...); err != nil {
			b.Fatalf("%v\n%s", err, query)
		}
	}
	start := time.Now()
	exec(`INSERT INTO fullauth_users (id, email, is_active, is_verified, is_superuser, created_at)
		SELECT md5('bench-user-' || i)::uuid, 'bench-' || i || '@example.com', true, false, false, now()
		FROM generate_series(1, 10000) i`)
	exec(`INSERT INTO fullauth_refresh_tokens (id, token, user_id, family_id, expires_at, revoked, user_agent, ip_address, created_at)
		SELECT md5('bench-row-' || i)::uuid, md5('bench-token-' || i) || md5('bench-token2-' || i),
			md5('bench-user-' || (i % 10000 + 1))::uuid, md5('bench-family-' || (i / 2)),
			now() + CASE WHEN i % 7 = 0 THEN interval '-1 day' ELSE interval '30 days' END,
			i % 3 <> 0, 'Mozilla/5.0 (X11; Linux x86_64) bench', '198.51.100.' || (i % 250),
			now() - i * interval '1 second'
		FROM generate_series(1, 1000000) i`)

	// fill gives user 5 000 families of two rows: the first rotated
	// (revoked), the second live when j % liveEvery = 0, else revoked or,
	// for some, expired without being revoked.
	fill := func(liveEvery int) string {
		u := &fullauth.User{Email: "bench-target-" + randHex(4) + "@example.com", Active: true, CreatedAt: time.Now()}
		if err := s.CreateUser(ctx, u, ""); err != nil {
			b.Fatal(err)
		}
		exec(`INSERT INTO fullauth_refresh_tokens (id, token, user_id, family_id, expires_at, revoked, user_agent, ip_address, created_at)
			SELECT gen_random_uuid(), md5(random()::text) || md5(random()::text), $1::uuid, md5($3::text || (i / 2)),
				now() + CASE WHEN i % 2 = 1 AND (i / 2) % $2 <> 0 AND (i / 2) % 10 >= 7 THEN interval '-1 hour' ELSE interval '30 days' END,
				i % 2 = 0 OR ((i / 2) % $2 <> 0 AND (i / 2) % 10 < 7),
				'Mozilla/5.0 (Macintosh) target', '203.0.113.9', now() - (10000 - i) * interval '1 minute'
			FROM generate_series(0, 9999) i`, u.ID, liveEvery, "family-"+u.ID)
		return u.ID
	}
	typical, many, all := fill(1000), fill(10), fill(1)
	exec("ANALYZE fullauth_users")
	exec("ANALYZE fullauth_refresh_tokens")
	var rows int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM fullauth_refresh_tokens").Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d refresh-token rows in %v", rows, time.Since(start).Round(time.Second))

	for _, bc := range []struct {
		name   string
		userID string
		want   int
	}{{"live=5", typical, 5}, {"live=500", many, 500}, {"live=5000", all, 5000}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.Sessions(ctx, bc.userID, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != bc.want {
					b.Fatalf("Sessions returned %d sessions, want %d", len(got), bc.want)
				}
			}
		})
	}
}

// BenchmarkAuthenticate measures the per-request path (verify the access
// token, check revocation in a memory KV, load the user and roles) on each
// database, with the user cache on (the default) and off. With it on, the
// database is read once per cache age; off, it is read on every request.
func BenchmarkAuthenticate(b *testing.B) {
	for _, be := range backends {
		for _, cache := range []struct {
			name string
			ttl  time.Duration
		}{{"cached", 0}, {"uncached", -1}} {
			b.Run(be.name+"/"+cache.name, func(b *testing.B) {
				s, _ := be.newStore(b)
				a, err := fullauth.New(s, fullauth.Config{
					SecretKey:    []byte("sqlstore-bench-secret-0123456789abcdef"),
					Argon2:       password.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
					UserCacheTTL: cache.ttl,
					Logger:       slog.New(slog.DiscardHandler),
				})
				if err != nil {
					b.Fatal(err)
				}
				ctx := b.Context()
				if _, err := a.Register(ctx, "bench@example.com", "correct-horse-battery"); err != nil {
					b.Fatal(err)
				}
				_, pair, err := a.Login(ctx, "bench@example.com", "correct-horse-battery", fullauth.ClientInfo{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					u, _, err := a.Authenticate(ctx, pair.AccessToken)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := a.UserRoles(ctx, u); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
