package fullauth

import (
	"context"
	"strings"
	"time"
)

// This file is the whole storage contract: the required Store and every
// optional capability. A backend implements Store and whichever capabilities
// it can; [New] discovers the optional ones once with a type assertion, and
// features that cannot work without one take it in their constructor.
//
// Stores store; flows decide. A store never reads the clock, never hashes and
// never applies policy: timestamps, expiries, IDs and digests arrive from the
// caller. Every method is safe for concurrent use. storetest.Run checks a
// store against this contract.

// User is an account as stored. It never carries the password hash.
type User struct {
	ID        string // opaque text; UUIDv7 for users created by this package
	Email     string // normalised: trimmed and lower-cased
	Active    bool
	Verified  bool
	Superuser bool
	// DisplayName is the one profile field a user may change about
	// themselves (PATCH /me). Empty means not set.
	DisplayName string
	CreatedAt   time.Time

	// roles are the user's roles as loaded with the user by
	// Auth.Authenticate (see Auth.UserRoles); nil when not loaded.
	roles *[]string
}

// UserUpdate changes the fields whose pointers are non-nil. It may touch
// privileged fields and is for trusted callers (flows and administrators);
// what users may change about themselves is [ProfileUpdate].
type UserUpdate struct {
	Email       *string
	Active      *bool
	Verified    *bool
	Superuser   *bool
	DisplayName *string
}

// RefreshToken is one stored refresh token. A family is one sign-in session:
// every rotation adds a row to the family of the token it replaced.
type RefreshToken struct {
	Hash      string // lowercase hex SHA-256 of the raw token; the raw token is never stored
	UserID    string
	FamilyID  string
	ExpiresAt time.Time
	Revoked   bool
	UserAgent string // empty means unknown
	IPAddress string // empty means unknown
	CreatedAt time.Time
}

// TokenSelector picks the refresh tokens to revoke. Exactly one field is set.
type TokenSelector struct {
	Hash     string
	FamilyID string
	UserID   string
}

// Store is what every backend provides: users, password hashes and refresh
// tokens. Lookups of missing records return [ErrNotFound].
type Store interface {
	User(ctx context.Context, id string) (*User, error)
	// UserByEmail matches case-insensitively.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// CreateUser stores u (whose ID and CreatedAt the caller has set) with
	// passwordHash, where "" means the user has no password. A duplicate
	// email returns ErrExists.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// UpdateUser applies upd and returns the user as now stored. An empty
	// update writes nothing. A clashing email returns ErrExists.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
	// DeleteUser removes the user and everything that belongs to it (refresh
	// tokens, roles, OAuth links, passkeys). Deleting a missing user is not
	// an error.
	DeleteUser(ctx context.Context, id string) error
	// PasswordHash returns "" for a user without a password and ErrNotFound
	// for a missing user.
	PasswordHash(ctx context.Context, userID string) (string, error)
	SetPasswordHash(ctx context.Context, userID, hash string) error

	SaveRefreshToken(ctx context.Context, t *RefreshToken) error
	RefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// RotateRefreshToken atomically marks the live token oldHash revoked and
	// saves next. If oldHash is already revoked it returns ErrTokenReused and
	// saves nothing; if it does not exist, ErrNotFound. When two callers race
	// on one token exactly one succeeds, and the loser's error is returned
	// only after the winner's change is visible.
	RotateRefreshToken(ctx context.Context, oldHash string, next *RefreshToken) error
	// RefreshTokenFamily returns every row of a family, oldest first.
	RefreshTokenFamily(ctx context.Context, familyID string) ([]RefreshToken, error)
	// RevokeRefreshTokens revokes the live tokens picked by sel and returns
	// the distinct families in which it revoked at least one row.
	RevokeRefreshTokens(ctx context.Context, sel TokenSelector) (families []string, err error)
}

// PasswordHashSwapper is implemented by stores that can replace a password
// hash only if it is still the one read. Login uses it to upgrade a hash
// made with old parameters (CONTRACT §24.8) without writing over a password
// changed or reset meanwhile; with a store that lacks it, Login leaves old
// hashes as they are (they still verify).
type PasswordHashSwapper interface {
	// SwapPasswordHash sets the user's hash to next if it is old now, in
	// one atomic step, and reports whether it did. A missing user is
	// ErrNotFound. Callers pass a non-empty old that differs from next.
	SwapPasswordHash(ctx context.Context, userID, old, next string) (bool, error)
}

// RoleStore is implemented by stores that keep user roles.
type RoleStore interface {
	// Roles returns the user's role names, sorted; none is an empty slice.
	Roles(ctx context.Context, userID string) ([]string, error)
	// AddRole creates the role if needed and links it; it is idempotent,
	// and a no-op for a missing user.
	AddRole(ctx context.Context, userID, role string) error
	// RemoveRole is a no-op when the link is absent.
	RemoveRole(ctx context.Context, userID, role string) error
}

// PermissionStore is implemented by stores that grant permissions to roles.
type PermissionStore interface {
	// RolePermissions returns the role's permissions, sorted; an unknown
	// role has none.
	RolePermissions(ctx context.Context, role string) ([]string, error)
	// UserPermissions is the sorted, de-duplicated union of the permissions
	// of the user's roles.
	UserPermissions(ctx context.Context, userID string) ([]string, error)
	// AddPermission creates the role and the permission if needed; idempotent.
	AddPermission(ctx context.Context, role, permission string) error
	// RemovePermission is a no-op when the role, permission or link is absent.
	RemovePermission(ctx context.Context, role, permission string) error
}

// UserQuery selects a page of users for [UserListStore.ListUsers].
type UserQuery struct {
	// EmailContains keeps users whose email contains it, compared
	// case-insensitively; "" keeps all. It is plain text: "%" and "_"
	// have no special meaning.
	EmailContains string
	Limit         int // at least 1
	Offset        int // at least 0
}

// UserListStore is implemented by stores that can list users, for
// administrators.
type UserListStore interface {
	// ListUsers returns one page of the users matching q, oldest first
	// (by CreatedAt, then ID), and how many users match in all.
	ListUsers(ctx context.Context, q UserQuery) (users []User, total int, err error)
}

// Session is one refresh-token family seen from its owner's side.
type Session struct {
	FamilyID   string
	IPAddress  string    // of the newest live row
	UserAgent  string    // of the newest live row
	CreatedAt  time.Time // earliest row, revoked rows included
	LastUsedAt time.Time // latest row
	ExpiresAt  time.Time // of the newest live row
}

// SessionStore is implemented by stores that can list and end sessions.
type SessionStore interface {
	// Sessions lists the user's families that have at least one row that
	// is neither revoked nor expired at now, most recently used first.
	Sessions(ctx context.Context, userID string, now time.Time) ([]Session, error)
	// EndSession revokes every row of the family. It reports whether the
	// family has any row of this user, revoked or not, so ending a session
	// twice succeeds twice.
	EndSession(ctx context.Context, userID, familyID string) (bool, error)
	// EndOtherSessions revokes the live rows of every family of the user but
	// keep, and returns the families it revoked rows in.
	EndOtherSessions(ctx context.Context, userID, keep string) (families []string, err error)
}

// OAuthAccount links a user to an account at an OAuth provider.
type OAuthAccount struct {
	Provider       string
	ProviderUserID string
	UserID         string
	ProviderEmail  string
	AccessToken    string
	RefreshToken   string
	ExpiresAt      time.Time // zero when unknown
	CreatedAt      time.Time
}

// OAuthStore is implemented by stores that keep OAuth links.
type OAuthStore interface {
	OAuthAccount(ctx context.Context, provider, providerUserID string) (*OAuthAccount, error)
	// OAuthAccounts lists the user's links, oldest first.
	OAuthAccounts(ctx context.Context, userID string) ([]OAuthAccount, error)
	// CreateOAuthAccount inserts a link. If (provider, provider user id) is
	// taken it returns the existing row, whoever it belongs to, and no error.
	CreateOAuthAccount(ctx context.Context, a *OAuthAccount) (*OAuthAccount, error)
	// UpdateOAuthAccount overwrites ProviderEmail, AccessToken, RefreshToken
	// and ExpiresAt of the link named by a.Provider and a.ProviderUserID.
	UpdateOAuthAccount(ctx context.Context, a *OAuthAccount) error
	// DeleteOAuthAccount is a no-op when the link is absent.
	DeleteOAuthAccount(ctx context.Context, provider, providerUserID string) error
}

// Passkey is a stored WebAuthn credential.
type Passkey struct {
	ID           string // UUID
	UserID       string
	CredentialID string // base64url of the raw credential id
	PublicKey    string // base64url of the COSE key
	SignCount    uint32
	DeviceName   string
	Transports   []string
	BackedUp     bool
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero when never used
}

// PasskeyStore is implemented by stores that keep passkeys.
type PasskeyStore interface {
	PasskeyByCredentialID(ctx context.Context, credentialID string) (*Passkey, error)
	// Passkeys lists the user's passkeys, oldest first.
	Passkeys(ctx context.Context, userID string) ([]Passkey, error)
	// SavePasskey returns ErrExists for a credential id already stored.
	SavePasskey(ctx context.Context, p *Passkey) error
	// AdvanceSignCount sets the count to n only if n is greater than the
	// stored one, and reports whether it did. It always sets LastUsedAt.
	AdvanceSignCount(ctx context.Context, credentialID string, n uint32, usedAt time.Time) (bool, error)
	// DeletePasskey is a no-op when the passkey is absent.
	DeletePasskey(ctx context.Context, id string) error
}

// NormalizeEmail trims and lower-cases an email address the way every store
// and flow compares them.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
