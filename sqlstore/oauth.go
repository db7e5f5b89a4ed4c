package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/fullauth/fullauth"
)

const oauthCols = "provider, provider_user_id, user_id, provider_email, access_token, refresh_token, expires_at, created_at"

func (s *Store) scanOAuth(row scanner) (*fullauth.OAuthAccount, error) {
	var a fullauth.OAuthAccount
	var email, access, refresh sql.NullString
	if err := row.Scan(&a.Provider, &a.ProviderUserID, idScan{&a.UserID}, &email, &access, &refresh, s.tscan(&a.ExpiresAt), s.tscan(&a.CreatedAt)); err != nil {
		return nil, err
	}
	a.ProviderEmail, a.AccessToken, a.RefreshToken = email.String, access.String, refresh.String
	return &a, nil
}

func (s *Store) OAuthAccount(ctx context.Context, provider, providerUserID string) (*fullauth.OAuthAccount, error) {
	a, err := s.oauthAccount(ctx, provider, providerUserID)
	if errors.Is(err, fullauth.ErrNotFound) {
		return nil, err
	}
	return a, wrap("oauth account", err)
}

func (s *Store) oauthAccount(ctx context.Context, provider, providerUserID string) (*fullauth.OAuthAccount, error) {
	if !textOK(provider) || !textOK(providerUserID) {
		return nil, fullauth.ErrNotFound
	}
	a, err := s.scanOAuth(s.queryRow(ctx, s.db,
		"SELECT "+oauthCols+" FROM fullauth_oauth_accounts WHERE provider = ? AND provider_user_id = ?", provider, providerUserID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fullauth.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	// A MySQL table adopted with a case-insensitive collation matches
	// "ABC" for "abc"; provider ids are case-sensitive.
	if a.Provider != provider || a.ProviderUserID != providerUserID {
		return nil, fullauth.ErrNotFound
	}
	return a, nil
}

// OAuthAccounts lists the user's links, oldest first; none is an empty
// slice.
func (s *Store) OAuthAccounts(ctx context.Context, userID string) ([]fullauth.OAuthAccount, error) {
	out := []fullauth.OAuthAccount{}
	k, ok := s.key(userID)
	if !ok {
		return out, nil
	}
	rows, err := s.query(ctx, s.db, "SELECT "+oauthCols+" FROM fullauth_oauth_accounts WHERE user_id = ? ORDER BY created_at, id", k)
	if err != nil {
		return nil, wrap("oauth accounts", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := s.scanOAuth(rows)
		if err != nil {
			return nil, wrap("oauth accounts", err)
		}
		out = append(out, *a)
	}
	return out, wrap("oauth accounts", rows.Err())
}

// storedTime is t as a timestamp column keeps it.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// CreateOAuthAccount inserts the link and returns it as stored. If the
// provider account is linked already, to this user or another, it returns
// that link instead. A missing user is ErrNotFound. The provider email and
// tokens are stored through cleanText, here and in UpdateOAuthAccount.
func (s *Store) CreateOAuthAccount(ctx context.Context, a *fullauth.OAuthAccount) (*fullauth.OAuthAccount, error) {
	uk, ok := s.key(a.UserID)
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	if !textOK(a.Provider) || !textOK(a.ProviderUserID) {
		return nil, errors.New("sqlstore: create oauth account: provider and provider user id must be valid UTF-8 without NUL bytes")
	}
	// Insert, or read the row that won. Loop in case that row is deleted
	// between the failed insert and the read.
	for attempt := 0; attempt < 3; attempt++ {
		_, err := s.exec(ctx, s.db,
			"INSERT INTO fullauth_oauth_accounts (id, provider, provider_user_id, user_id, provider_email, access_token, refresh_token, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			s.newKey(), a.Provider, a.ProviderUserID, uk, nullString(cleanText(a.ProviderEmail)), nullString(cleanText(a.AccessToken)), nullString(cleanText(a.RefreshToken)),
			s.nullTimeArg(a.ExpiresAt), s.timeArg(a.CreatedAt))
		switch {
		case err == nil:
			out := *a
			out.UserID = canonicalID(a.UserID)
			out.ProviderEmail, out.AccessToken, out.RefreshToken = cleanText(a.ProviderEmail), cleanText(a.AccessToken), cleanText(a.RefreshToken)
			out.ExpiresAt, out.CreatedAt = storedTime(a.ExpiresAt), storedTime(a.CreatedAt)
			return &out, nil
		case isForeignKey(err):
			return nil, fullauth.ErrNotFound
		case !isUnique(err):
			return nil, wrap("create oauth account", err)
		}
		existing, err := s.oauthAccount(ctx, a.Provider, a.ProviderUserID)
		if !errors.Is(err, fullauth.ErrNotFound) {
			return existing, wrap("create oauth account", err)
		}
	}
	return nil, errors.New("sqlstore: create oauth account: the link kept changing; try again")
}

// UpdateOAuthAccount overwrites the provider email, tokens and expiry of the
// link; a missing link is ErrNotFound.
func (s *Store) UpdateOAuthAccount(ctx context.Context, a *fullauth.OAuthAccount) error {
	if !textOK(a.Provider) || !textOK(a.ProviderUserID) {
		return fullauth.ErrNotFound
	}
	n, err := s.execCount(ctx, s.db,
		"UPDATE fullauth_oauth_accounts SET provider_email = ?, access_token = ?, refresh_token = ?, expires_at = ? WHERE provider = ? AND provider_user_id = ?",
		nullString(cleanText(a.ProviderEmail)), nullString(cleanText(a.AccessToken)), nullString(cleanText(a.RefreshToken)), s.nullTimeArg(a.ExpiresAt), a.Provider, a.ProviderUserID)
	if err != nil {
		return wrap("update oauth account", err)
	}
	if n == 0 {
		// MySQL reports 0 when nothing changed.
		found, err := s.exists(ctx, s.db, "SELECT 1 FROM fullauth_oauth_accounts WHERE provider = ? AND provider_user_id = ?", a.Provider, a.ProviderUserID)
		if err != nil {
			return wrap("update oauth account", err)
		}
		if !found {
			return fullauth.ErrNotFound
		}
	}
	return nil
}

func (s *Store) DeleteOAuthAccount(ctx context.Context, provider, providerUserID string) error {
	if !textOK(provider) || !textOK(providerUserID) {
		return nil
	}
	_, err := s.exec(ctx, s.db, "DELETE FROM fullauth_oauth_accounts WHERE provider = ? AND provider_user_id = ?", provider, providerUserID)
	return wrap("delete oauth account", err)
}

// canonicalID is id in canonical UUID form, or id itself if it is not one.
func canonicalID(id string) string {
	if u, ok := parseUUID(id); ok {
		return u.String()
	}
	return id
}
