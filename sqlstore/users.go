package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fullauth/fullauth"
)

const userCols = "id, email, is_active, is_verified, is_superuser, display_name, created_at"

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanUser(row scanner) (*fullauth.User, error) {
	var u fullauth.User
	var name sql.NullString
	if err := row.Scan(idScan{&u.ID}, &u.Email, &u.Active, &u.Verified, &u.Superuser, &name, s.tscan(&u.CreatedAt)); err != nil {
		return nil, err
	}
	u.DisplayName = name.String
	return &u, nil
}

// emailMatch is the WHERE clause that finds an email case-insensitively
// with an index: a lower(email) index on PostgreSQL; SQLite's COLLATE
// NOCASE column and MySQL's _ci collation compare case-insensitively
// already. Emails are stored normalised (by this package and by
// fastapi-fullauth), so tables adopted without those collations match too.
func (s *Store) emailMatch() string {
	if s.d == Postgres {
		return "lower(email) = lower(?)"
	}
	return "email = ?"
}

// checkText refuses an email or display name that no database could store
// (PostgreSQL rejects NUL bytes and invalid UTF-8 with an error), as a
// validation error rather than a failure.
func checkText(email, displayName string) error {
	if !textOK(email) {
		return &fullauth.ValidationError{Field: "email", Message: "email must be valid UTF-8 text without NUL characters"}
	}
	if !textOK(displayName) {
		return &fullauth.ValidationError{Field: "display_name", Message: "display_name must be valid UTF-8 text without NUL characters"}
	}
	return nil
}

func (s *Store) User(ctx context.Context, id string) (*fullauth.User, error) {
	k, ok := s.key(id)
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	u, err := s.scanUser(s.queryRow(ctx, s.db, "SELECT "+userCols+" FROM fullauth_users WHERE id = ?", k))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fullauth.ErrNotFound
	}
	return u, wrap("user", err)
}

func (s *Store) UserByEmail(ctx context.Context, email string) (*fullauth.User, error) {
	email = fullauth.NormalizeEmail(email)
	if email == "" || !textOK(email) {
		return nil, fullauth.ErrNotFound
	}
	u, err := s.scanUser(s.queryRow(ctx, s.db, "SELECT "+userCols+" FROM fullauth_users WHERE "+s.emailMatch(), email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fullauth.ErrNotFound
	}
	return u, wrap("user by email", err)
}

// CreateUser stores u. An empty u.ID is filled with a new UUIDv7; any other
// ID must be a UUID. The email is stored normalised.
func (s *Store) CreateUser(ctx context.Context, u *fullauth.User, passwordHash string) error {
	if u.ID == "" {
		u.ID = s.ids.next().String()
	}
	k, ok := s.key(u.ID)
	if !ok {
		return fmt.Errorf("sqlstore: create user: id %q is not a UUID", u.ID)
	}
	if err := checkText(u.Email, u.DisplayName); err != nil {
		return err
	}
	email := fullauth.NormalizeEmail(u.Email)
	_, err := s.exec(ctx, s.db,
		"INSERT INTO fullauth_users (id, email, hashed_password, is_active, is_verified, is_superuser, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		k, email, nullString(passwordHash), u.Active, u.Verified, u.Superuser, nullString(u.DisplayName), s.timeArg(u.CreatedAt))
	if isUnique(err) {
		return fullauth.ErrExists
	}
	return wrap("create user", err)
}

// UpdateUser applies upd. The email is stored normalised; an empty
// DisplayName clears it.
func (s *Store) UpdateUser(ctx context.Context, id string, upd fullauth.UserUpdate) (*fullauth.User, error) {
	k, ok := s.key(id)
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	var email, name string
	if upd.Email != nil {
		email = *upd.Email
	}
	if upd.DisplayName != nil {
		name = *upd.DisplayName
	}
	if err := checkText(email, name); err != nil {
		return nil, err
	}
	var sets []string
	var args []any
	if upd.Email != nil {
		sets, args = append(sets, "email = ?"), append(args, fullauth.NormalizeEmail(*upd.Email))
	}
	if upd.Active != nil {
		sets, args = append(sets, "is_active = ?"), append(args, *upd.Active)
	}
	if upd.Verified != nil {
		sets, args = append(sets, "is_verified = ?"), append(args, *upd.Verified)
	}
	if upd.Superuser != nil {
		sets, args = append(sets, "is_superuser = ?"), append(args, *upd.Superuser)
	}
	if upd.DisplayName != nil {
		sets, args = append(sets, "display_name = ?"), append(args, nullString(*upd.DisplayName))
	}
	if len(sets) == 0 {
		return s.User(ctx, id)
	}
	update := "UPDATE fullauth_users SET " + strings.Join(sets, ", ") + " WHERE id = ?"
	args = append(args, k)

	var u *fullauth.User
	var err error
	if s.d == MySQL {
		// No RETURNING; and MySQL counts changed rows, not matched ones, so
		// the row count cannot tell a missing user from an unchanged one.
		err = s.tx(ctx, func(q querier) error {
			if _, err := s.exec(ctx, q, update, args...); err != nil {
				return err
			}
			u, err = s.scanUser(s.queryRow(ctx, q, "SELECT "+userCols+" FROM fullauth_users WHERE id = ?", k))
			return err
		})
	} else {
		err = s.writing(ctx, func() (err error) {
			u, err = s.scanUser(s.queryRow(ctx, s.db, update+" RETURNING "+userCols, args...))
			return err
		})
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fullauth.ErrNotFound
	case isUnique(err):
		return nil, fullauth.ErrExists
	}
	return u, wrap("update user", err)
}

// DeleteUser removes the user and its rows in every other table. The rows
// are deleted explicitly as well as by ON DELETE CASCADE, so nothing is
// left behind on a SQLite connection opened without foreign_keys(1).
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	k, ok := s.key(id)
	if !ok {
		return nil
	}
	err := s.tx(ctx, func(q querier) error {
		for _, stmt := range []string{
			"DELETE FROM fullauth_refresh_tokens WHERE user_id = ?",
			"DELETE FROM fullauth_user_roles WHERE user_id = ?",
			"DELETE FROM fullauth_oauth_accounts WHERE user_id = ?",
			"DELETE FROM fullauth_passkeys WHERE user_id = ?",
			"DELETE FROM fullauth_users WHERE id = ?",
		} {
			if _, err := s.exec(ctx, q, stmt, k); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("delete user", err)
}

func (s *Store) PasswordHash(ctx context.Context, userID string) (string, error) {
	k, ok := s.key(userID)
	if !ok {
		return "", fullauth.ErrNotFound
	}
	var hash sql.NullString
	err := s.queryRow(ctx, s.db, "SELECT hashed_password FROM fullauth_users WHERE id = ?", k).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fullauth.ErrNotFound
	}
	if err != nil {
		return "", wrap("password hash", err)
	}
	return hash.String, nil
}

// SetPasswordHash stores hash; "" removes the password. A missing user is
// ErrNotFound.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	k, ok := s.key(userID)
	if !ok {
		return fullauth.ErrNotFound
	}
	n, err := s.execCount(ctx, s.db, "UPDATE fullauth_users SET hashed_password = ? WHERE id = ?", nullString(hash), k)
	if err != nil {
		return wrap("set password hash", err)
	}
	if n == 0 {
		// MySQL reports 0 when the hash was already the same.
		found, err := s.exists(ctx, s.db, "SELECT 1 FROM fullauth_users WHERE id = ?", k)
		if err != nil {
			return wrap("set password hash", err)
		}
		if !found {
			return fullauth.ErrNotFound
		}
	}
	return nil
}

// SwapPasswordHash sets the user's hash to next if it is old now, with one
// conditional UPDATE ([fullauth.PasswordHashSwapper]).
func (s *Store) SwapPasswordHash(ctx context.Context, userID, old, next string) (bool, error) {
	k, ok := s.key(userID)
	if !ok {
		return false, fullauth.ErrNotFound
	}
	n, err := s.execCount(ctx, s.db, "UPDATE fullauth_users SET hashed_password = ? WHERE id = ? AND hashed_password = ?", nullString(next), k, old)
	if err != nil {
		return false, wrap("swap password hash", err)
	}
	if n > 0 {
		return true, nil
	}
	found, err := s.exists(ctx, s.db, "SELECT 1 FROM fullauth_users WHERE id = ?", k)
	if err != nil {
		return false, wrap("swap password hash", err)
	}
	if !found {
		return false, fullauth.ErrNotFound
	}
	return false, nil
}
