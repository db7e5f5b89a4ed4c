package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fullauth/fullauth"
)

const passkeyCols = "id, user_id, credential_id, public_key, sign_count, device_name, transports, backed_up, created_at, last_used_at"

func (s *Store) scanPasskey(row scanner) (*fullauth.Passkey, error) {
	var p fullauth.Passkey
	var count int64
	var device, transports sql.NullString
	if err := row.Scan(idScan{&p.ID}, idScan{&p.UserID}, &p.CredentialID, &p.PublicKey, &count, &device, &transports, &p.BackedUp,
		s.tscan(&p.CreatedAt), s.tscan(&p.LastUsedAt)); err != nil {
		return nil, err
	}
	p.SignCount = uint32(min(max(count, 0), math.MaxUint32))
	p.DeviceName = device.String
	// Stored comma-joined, as fastapi-fullauth does; empty is none.
	p.Transports = []string{}
	if transports.String != "" {
		p.Transports = strings.Split(transports.String, ",")
	}
	return &p, nil
}

func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID string) (*fullauth.Passkey, error) {
	if !textOK(credentialID) {
		return nil, fullauth.ErrNotFound
	}
	p, err := s.scanPasskey(s.queryRow(ctx, s.db, "SELECT "+passkeyCols+" FROM fullauth_passkeys WHERE credential_id = ?", credentialID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fullauth.ErrNotFound
	}
	if err != nil {
		return nil, wrap("passkey by credential id", err)
	}
	// Credential ids are case-sensitive base64url; a MySQL table adopted
	// with a case-insensitive collation would match another case.
	if p.CredentialID != credentialID {
		return nil, fullauth.ErrNotFound
	}
	return p, nil
}

// Passkeys lists the user's passkeys, oldest first; none is an empty slice.
func (s *Store) Passkeys(ctx context.Context, userID string) ([]fullauth.Passkey, error) {
	out := []fullauth.Passkey{}
	k, ok := s.key(userID)
	if !ok {
		return out, nil
	}
	rows, err := s.query(ctx, s.db, "SELECT "+passkeyCols+" FROM fullauth_passkeys WHERE user_id = ? ORDER BY created_at, id", k)
	if err != nil {
		return nil, wrap("passkeys", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := s.scanPasskey(rows)
		if err != nil {
			return nil, wrap("passkeys", err)
		}
		out = append(out, *p)
	}
	return out, wrap("passkeys", rows.Err())
}

// SavePasskey stores p. An empty p.ID is filled with a new UUIDv7; any
// other ID must be a UUID. A credential id (or passkey id) already stored is
// ErrExists; a missing user is ErrNotFound. The device name and transports
// are stored through cleanText.
func (s *Store) SavePasskey(ctx context.Context, p *fullauth.Passkey) error {
	if p.ID == "" {
		p.ID = s.ids.next().String()
	}
	k, ok := s.key(p.ID)
	if !ok {
		return fmt.Errorf("sqlstore: save passkey: id %q is not a UUID", p.ID)
	}
	uk, ok := s.key(p.UserID)
	if !ok {
		return fullauth.ErrNotFound
	}
	if !textOK(p.CredentialID) || !textOK(p.PublicKey) {
		return errors.New("sqlstore: save passkey: the credential id and public key must be valid UTF-8 without NUL bytes")
	}
	_, err := s.exec(ctx, s.db,
		"INSERT INTO fullauth_passkeys ("+passkeyCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		k, uk, p.CredentialID, p.PublicKey, int64(p.SignCount), cleanText(p.DeviceName), cleanText(strings.Join(p.Transports, ",")), p.BackedUp,
		s.timeArg(p.CreatedAt), s.nullTimeArg(p.LastUsedAt))
	switch {
	case isUnique(err):
		return fullauth.ErrExists
	case isForeignKey(err):
		return fullauth.ErrNotFound
	}
	return wrap("save passkey", err)
}

// AdvanceSignCount raises the stored count to n if n is greater, reports
// whether it did, and sets the last use either way. A missing credential is
// ErrNotFound.
func (s *Store) AdvanceSignCount(ctx context.Context, credentialID string, n uint32, usedAt time.Time) (bool, error) {
	if !textOK(credentialID) {
		return false, fullauth.ErrNotFound
	}
	at := s.timeArg(usedAt)
	changed, err := s.execCount(ctx, s.db,
		"UPDATE fullauth_passkeys SET sign_count = ?, last_used_at = ? WHERE credential_id = ? AND sign_count < ?",
		int64(n), at, credentialID, int64(n))
	if err != nil {
		return false, wrap("advance sign count", err)
	}
	if changed > 0 {
		return true, nil
	}
	changed, err = s.execCount(ctx, s.db, "UPDATE fullauth_passkeys SET last_used_at = ? WHERE credential_id = ?", at, credentialID)
	if err != nil {
		return false, wrap("advance sign count", err)
	}
	if changed == 0 {
		// MySQL reports 0 when last_used_at already had this value.
		found, err := s.exists(ctx, s.db, "SELECT 1 FROM fullauth_passkeys WHERE credential_id = ?", credentialID)
		if err != nil {
			return false, wrap("advance sign count", err)
		}
		if !found {
			return false, fullauth.ErrNotFound
		}
	}
	return false, nil
}

func (s *Store) DeletePasskey(ctx context.Context, id string) error {
	k, ok := s.key(id)
	if !ok {
		return nil
	}
	_, err := s.exec(ctx, s.db, "DELETE FROM fullauth_passkeys WHERE id = ?", k)
	return wrap("delete passkey", err)
}
