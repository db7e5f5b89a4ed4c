package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/fullauth/fullauth"
)

const tokenCols = "token, user_id, family_id, expires_at, revoked, user_agent, ip_address, created_at"

func (s *Store) scanToken(row scanner) (*fullauth.RefreshToken, error) {
	var t fullauth.RefreshToken
	var ua, ip sql.NullString
	if err := row.Scan(&t.Hash, idScan{&t.UserID}, &t.FamilyID, s.tscan(&t.ExpiresAt), &t.Revoked, &ua, &ip, s.tscan(&t.CreatedAt)); err != nil {
		return nil, err
	}
	t.UserAgent, t.IPAddress = ua.String, ip.String
	return &t, nil
}

// insertToken stores t under a new row id. A token whose user does not
// exist is ErrNotFound; a hash already stored is ErrExists. The user agent
// and IP address are stored through cleanText.
func (s *Store) insertToken(ctx context.Context, q querier, t *fullauth.RefreshToken) error {
	uk, ok := s.key(t.UserID)
	if !ok {
		return fullauth.ErrNotFound
	}
	_, err := s.exec(ctx, q,
		"INSERT INTO fullauth_refresh_tokens (id, token, user_id, family_id, expires_at, revoked, user_agent, ip_address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		s.newKey(), t.Hash, uk, t.FamilyID, s.timeArg(t.ExpiresAt), t.Revoked, nullString(cleanText(t.UserAgent)), nullString(cleanText(t.IPAddress)), s.timeArg(t.CreatedAt))
	switch {
	case isUnique(err):
		return fullauth.ErrExists
	case isForeignKey(err):
		return fullauth.ErrNotFound
	}
	return err
}

// SaveRefreshToken stores t. A hash already stored is ErrExists, and a
// token of a user that does not exist is ErrNotFound. On MySQL the insert
// can deadlock with a revocation of the same user's tokens (whose locking
// read takes gap locks), and is then run again like a transaction.
func (s *Store) SaveRefreshToken(ctx context.Context, t *fullauth.RefreshToken) error {
	err := retryDeadlocks(ctx, func() error { return s.insertToken(ctx, s.db, t) })
	if errors.Is(err, fullauth.ErrExists) || errors.Is(err, fullauth.ErrNotFound) {
		return err
	}
	return wrap("save refresh token", err)
}

func (s *Store) RefreshToken(ctx context.Context, hash string) (*fullauth.RefreshToken, error) {
	if !textOK(hash) {
		return nil, fullauth.ErrNotFound
	}
	t, err := s.scanToken(s.queryRow(ctx, s.db, "SELECT "+tokenCols+" FROM fullauth_refresh_tokens WHERE token = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fullauth.ErrNotFound
	}
	return t, wrap("refresh token", err)
}

// RotateRefreshToken revokes oldHash and stores next in one transaction.
// The revocation is a compare-and-swap (revoked false → true) whose row lock
// makes concurrent callers wait for the winner's commit and then find
// nothing to swap; they answer ErrTokenReused.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next *fullauth.RefreshToken) error {
	if !textOK(oldHash) {
		return fullauth.ErrNotFound
	}
	err := s.tx(ctx, func(q querier) error {
		n, err := s.execCount(ctx, q, "UPDATE fullauth_refresh_tokens SET revoked = true WHERE token = ? AND revoked = false", oldHash)
		if err != nil {
			return err
		}
		if n == 0 {
			found, err := s.exists(ctx, q, "SELECT 1 FROM fullauth_refresh_tokens WHERE token = ?", oldHash)
			if err != nil {
				return err
			}
			if found {
				return fullauth.ErrTokenReused
			}
			return fullauth.ErrNotFound
		}
		return s.insertToken(ctx, q, next)
	})
	switch {
	case errors.Is(err, fullauth.ErrTokenReused), errors.Is(err, fullauth.ErrNotFound), errors.Is(err, fullauth.ErrExists):
		return err
	}
	return wrap("rotate refresh token", err)
}

// RefreshTokenFamily returns the family's rows, oldest first; none is an
// empty slice.
func (s *Store) RefreshTokenFamily(ctx context.Context, familyID string) ([]fullauth.RefreshToken, error) {
	out := []fullauth.RefreshToken{}
	if !textOK(familyID) {
		return out, nil
	}
	rows, err := s.query(ctx, s.db, "SELECT "+tokenCols+" FROM fullauth_refresh_tokens WHERE family_id = ? ORDER BY created_at, id", familyID)
	if err != nil {
		return nil, wrap("refresh token family", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := s.scanToken(rows)
		if err != nil {
			return nil, wrap("refresh token family", err)
		}
		out = append(out, *t)
	}
	return out, wrap("refresh token family", rows.Err())
}

// RevokeRefreshTokens revokes the unrevoked rows picked by sel and returns
// the families it revoked rows in, sorted. A selector that does not set
// exactly one field is an error.
func (s *Store) RevokeRefreshTokens(ctx context.Context, sel fullauth.TokenSelector) ([]string, error) {
	set := 0
	for _, v := range []string{sel.Hash, sel.FamilyID, sel.UserID} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, errors.New("sqlstore: revoke refresh tokens: the selector must set exactly one field")
	}
	var where string
	var arg any
	switch {
	case sel.Hash != "":
		where, arg = "token = ?", sel.Hash
	case sel.FamilyID != "":
		where, arg = "family_id = ?", sel.FamilyID
	default:
		k, ok := s.key(sel.UserID)
		if !ok {
			return []string{}, nil
		}
		where, arg = "user_id = ?", k
	}
	if text, ok := arg.(string); ok && !textOK(text) {
		return []string{}, nil
	}
	families, err := s.revokeWhere(ctx, where, arg)
	return families, wrap("revoke refresh tokens", err)
}

// revokeWhere revokes the unrevoked rows matching where and returns the
// distinct families of the rows it changed, sorted.
func (s *Store) revokeWhere(ctx context.Context, where string, args ...any) ([]string, error) {
	families := []string{}
	collect := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				return err
			}
			families = append(families, f)
		}
		return rows.Err()
	}
	var err error
	if s.d == MySQL {
		// No UPDATE … RETURNING: lock the rows, read their families, then
		// revoke them. REPEATABLE READ's next-key locks keep a row that
		// matches from being inserted in between, so the families read
		// are exactly those of the rows revoked.
		err = s.txLevel(ctx, sql.LevelRepeatableRead, func(q querier) error {
			rows, err := s.query(ctx, q, "SELECT DISTINCT family_id FROM fullauth_refresh_tokens WHERE "+where+" AND revoked = false FOR UPDATE", args...)
			if err != nil {
				return err
			}
			if err := collect(rows); err != nil {
				return err
			}
			if len(families) == 0 {
				return nil
			}
			_, err = s.exec(ctx, q, "UPDATE fullauth_refresh_tokens SET revoked = true WHERE "+where+" AND revoked = false", args...)
			return err
		})
	} else {
		err = s.writing(ctx, func() error {
			rows, err := s.query(ctx, s.db, "UPDATE fullauth_refresh_tokens SET revoked = true WHERE "+where+" AND revoked = false RETURNING family_id", args...)
			if err != nil {
				return err
			}
			return collect(rows)
		})
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(families)
	return slices.Compact(families), nil
}
