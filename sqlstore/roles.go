package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fullauth/fullauth"
)

// insertIgnore returns an INSERT of cols into table from source (a VALUES
// list or a SELECT with a WHERE clause) that does nothing when the row is
// already there.
func (s *Store) insertIgnore(table, cols, source string) string {
	if s.d == MySQL {
		// INSERT IGNORE would also turn a too-long value into a silently
		// truncated one; a no-op update skips only the duplicate.
		first, _, _ := strings.Cut(cols, ",")
		return "INSERT INTO " + table + " (" + cols + ") " + source + " ON DUPLICATE KEY UPDATE " + first + " = " + table + "." + first
	}
	return "INSERT INTO " + table + " (" + cols + ") " + source + " ON CONFLICT DO NOTHING"
}

// uuidParam is a placeholder for a UUID in a SELECT list, where PostgreSQL
// cannot infer its type.
func (s *Store) uuidParam() string {
	if s.d == Postgres {
		return "CAST(? AS uuid)"
	}
	return "?"
}

// names runs query and returns the first column of every row, sorted and
// without duplicates; none is an empty slice.
func (s *Store) names(ctx context.Context, op, query string, args ...any) ([]string, error) {
	out := []string{}
	rows, err := s.query(ctx, s.db, query, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// checkName refuses a role or permission name that does not fit its column
// (fullauth_roles.name is VARCHAR(100), fullauth_permissions.name
// VARCHAR(200)) on every dialect alike; SQLite alone would take it.
func checkName(field, name string, width int) error {
	if !textOK(name) || utf8.RuneCountInString(name) > width {
		return &fullauth.ValidationError{Field: field, Message: fmt.Sprintf("%s must be valid text of at most %d characters", field, width)}
	}
	return nil
}

func (s *Store) Roles(ctx context.Context, userID string) ([]string, error) {
	k, ok := s.key(userID)
	if !ok {
		return []string{}, nil
	}
	return s.names(ctx, "roles",
		"SELECT r.name FROM fullauth_user_roles ur JOIN fullauth_roles r ON r.id = ur.role_id WHERE ur.user_id = ?", k)
}

// ensureRole creates the role if it does not exist.
func (s *Store) ensureRole(ctx context.Context, q querier, role string) error {
	_, err := s.exec(ctx, q, s.insertIgnore("fullauth_roles", "name, id", "VALUES (?, ?)"), role, s.newKey())
	return err
}

// AddRole creates the role if needed and links it to the user. It is
// idempotent, concurrent calls all succeed, and it does nothing (not even
// create the role) for a missing user.
func (s *Store) AddRole(ctx context.Context, userID, role string) error {
	k, ok := s.key(userID)
	if !ok {
		return nil
	}
	if err := checkName("role", role, 100); err != nil {
		return err
	}
	err := s.tx(ctx, func(q querier) error {
		found, err := s.exists(ctx, q, "SELECT 1 FROM fullauth_users WHERE id = ?", k)
		if err != nil || !found {
			return err
		}
		if err := s.ensureRole(ctx, q, role); err != nil {
			return err
		}
		_, err = s.exec(ctx, q, s.insertIgnore("fullauth_user_roles", "user_id, role_id",
			"SELECT "+s.uuidParam()+", id FROM fullauth_roles WHERE name = ?"), k, role)
		if isForeignKey(err) {
			return nil // the user was deleted meanwhile
		}
		return err
	})
	return wrap("add role", err)
}

func (s *Store) RemoveRole(ctx context.Context, userID, role string) error {
	k, ok := s.key(userID)
	if !ok || !textOK(role) {
		return nil
	}
	_, err := s.exec(ctx, s.db,
		"DELETE FROM fullauth_user_roles WHERE user_id = ? AND role_id IN (SELECT id FROM fullauth_roles WHERE name = ?)", k, role)
	return wrap("remove role", err)
}

func (s *Store) RolePermissions(ctx context.Context, role string) ([]string, error) {
	if !textOK(role) {
		return []string{}, nil
	}
	return s.names(ctx, "role permissions",
		`SELECT p.name FROM fullauth_roles r
		JOIN fullauth_role_permissions rp ON rp.role_id = r.id
		JOIN fullauth_permissions p ON p.id = rp.permission_id
		WHERE r.name = ?`, role)
}

func (s *Store) UserPermissions(ctx context.Context, userID string) ([]string, error) {
	k, ok := s.key(userID)
	if !ok {
		return []string{}, nil
	}
	return s.names(ctx, "user permissions",
		`SELECT DISTINCT p.name FROM fullauth_user_roles ur
		JOIN fullauth_role_permissions rp ON rp.role_id = ur.role_id
		JOIN fullauth_permissions p ON p.id = rp.permission_id
		WHERE ur.user_id = ?`, k)
}

// AddPermission creates the role and the permission if needed and grants
// the permission to the role; idempotent.
func (s *Store) AddPermission(ctx context.Context, role, permission string) error {
	if err := checkName("role", role, 100); err != nil {
		return err
	}
	if err := checkName("permission", permission, 200); err != nil {
		return err
	}
	err := s.tx(ctx, func(q querier) error {
		if err := s.ensureRole(ctx, q, role); err != nil {
			return err
		}
		if _, err := s.exec(ctx, q, s.insertIgnore("fullauth_permissions", "name, id, description", "VALUES (?, ?, '')"), permission, s.newKey()); err != nil {
			return err
		}
		_, err := s.exec(ctx, q, s.insertIgnore("fullauth_role_permissions", "role_id, permission_id",
			"SELECT r.id, p.id FROM fullauth_roles r, fullauth_permissions p WHERE r.name = ? AND p.name = ?"), role, permission)
		return err
	})
	return wrap("add permission", err)
}

func (s *Store) RemovePermission(ctx context.Context, role, permission string) error {
	if !textOK(role) || !textOK(permission) {
		return nil
	}
	_, err := s.exec(ctx, s.db,
		`DELETE FROM fullauth_role_permissions
		WHERE role_id IN (SELECT id FROM fullauth_roles WHERE name = ?)
		AND permission_id IN (SELECT id FROM fullauth_permissions WHERE name = ?)`, role, permission)
	return wrap("remove permission", err)
}
