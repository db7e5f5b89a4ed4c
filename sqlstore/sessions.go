package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/fullauth/fullauth"
)

// sessionsQuery aggregates the user's families that have a live row: the
// subquery finds them through the partial index of unrevoked rows (a plain
// index on MySQL), the outer query reads only their rows. rn = 1 marks the
// newest live row of each family, which supplies the IP address, user agent
// and expiry.
const sessionsQuery = `SELECT family_id, ip_address, user_agent, expires_at, first_at, last_at FROM (
	SELECT r.family_id, r.ip_address, r.user_agent, r.expires_at,
		MIN(r.created_at) OVER (PARTITION BY r.family_id) AS first_at,
		MAX(r.created_at) OVER (PARTITION BY r.family_id) AS last_at,
		ROW_NUMBER() OVER (PARTITION BY r.family_id ORDER BY
			CASE WHEN r.revoked = false AND r.expires_at > ? THEN 0 ELSE 1 END,
			r.created_at DESC, r.id DESC) AS rn
	FROM fullauth_refresh_tokens r
	WHERE r.user_id = ? AND r.family_id IN (
		SELECT l.family_id FROM fullauth_refresh_tokens l
		WHERE l.user_id = ? AND l.revoked = false AND l.expires_at > ?)
) t WHERE rn = 1 ORDER BY last_at DESC, family_id`

// Sessions lists the user's families with a row neither revoked nor
// expired at now, most recently used first; none is an empty slice.
func (s *Store) Sessions(ctx context.Context, userID string, now time.Time) ([]fullauth.Session, error) {
	out := []fullauth.Session{}
	k, ok := s.key(userID)
	if !ok {
		return out, nil
	}
	at := s.timeArg(now)
	rows, err := s.query(ctx, s.db, sessionsQuery, at, k, k, at)
	if err != nil {
		return nil, wrap("sessions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x fullauth.Session
		var ip, ua sql.NullString
		if err := rows.Scan(&x.FamilyID, &ip, &ua, s.tscan(&x.ExpiresAt), s.tscan(&x.CreatedAt), s.tscan(&x.LastUsedAt)); err != nil {
			return nil, wrap("sessions", err)
		}
		x.IPAddress, x.UserAgent = ip.String, ua.String
		out = append(out, x)
	}
	return out, wrap("sessions", rows.Err())
}

// EndSession revokes every row of the user's family and reports whether
// the user has any row in it.
func (s *Store) EndSession(ctx context.Context, userID, familyID string) (bool, error) {
	k, ok := s.key(userID)
	if !ok || !textOK(familyID) {
		return false, nil
	}
	n, err := s.execCount(ctx, s.db, "UPDATE fullauth_refresh_tokens SET revoked = true WHERE user_id = ? AND family_id = ? AND revoked = false", k, familyID)
	if err != nil {
		return false, wrap("end session", err)
	}
	if n > 0 {
		return true, nil
	}
	found, err := s.exists(ctx, s.db, "SELECT 1 FROM fullauth_refresh_tokens WHERE user_id = ? AND family_id = ?", k, familyID)
	return found, wrap("end session", err)
}

// EndOtherSessions revokes the unrevoked rows of the user's families other
// than keep and returns those families, sorted.
func (s *Store) EndOtherSessions(ctx context.Context, userID, keep string) ([]string, error) {
	k, ok := s.key(userID)
	if !ok {
		return []string{}, nil
	}
	var families []string
	var err error
	if textOK(keep) {
		families, err = s.revokeWhere(ctx, "user_id = ? AND family_id <> ?", k, keep)
	} else {
		families, err = s.revokeWhere(ctx, "user_id = ?", k)
	}
	return families, wrap("end other sessions", err)
}
