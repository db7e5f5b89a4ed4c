// Package memstore is a [fullauth.Store] that keeps everything in memory.
//
// It implements the whole storage contract, every optional capability
// included ([fullauth.RoleStore], [fullauth.PermissionStore],
// [fullauth.SessionStore], [fullauth.OAuthStore], [fullauth.PasskeyStore],
// [fullauth.UserListStore]), so every feature of fullauth works on it. It
// is meant for tests and for developing a single process: nothing survives
// a restart, and nothing is shared with other processes. Production
// deployments use sqlstore or a store of their own; storetest.Run checks
// either against the same contract this package passes.
//
//	store := memstore.New()
//	// … give store to fullauth.New with a Config.
//
// A Store is safe for concurrent use. One mutex guards all of its state, so
// the atomic steps of the contract ([Store.RotateRefreshToken],
// [Store.EndOtherSessions]) are atomic by construction. It hands out copies:
// changing a value passed to it, or returned by it, never changes what it
// holds.
//
// Like every store it never reads the clock: times come from the caller.
// Emails are kept as given and compared after [fullauth.NormalizeEmail], so
// uniqueness and lookup ignore case.
package memstore

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fullauth/fullauth"
)

var (
	_ fullauth.Store           = (*Store)(nil)
	_ fullauth.RoleStore       = (*Store)(nil)
	_ fullauth.PermissionStore = (*Store)(nil)
	_ fullauth.SessionStore    = (*Store)(nil)
	_ fullauth.OAuthStore      = (*Store)(nil)
	_ fullauth.PasskeyStore    = (*Store)(nil)
	_ fullauth.UserListStore   = (*Store)(nil)
)

// errSelector is returned by RevokeRefreshTokens for a TokenSelector that
// does not set exactly one field.
var errSelector = errors.New("memstore: token selector must set exactly one field")

// Store is an in-memory store. Create one with [New]; the zero value is not
// usable.
type Store struct {
	mu  sync.RWMutex
	seq uint64 // insertion counter; breaks ties in oldest-first lists

	users   map[string]*userRow // by user ID
	byEmail map[string]string   // normalised email → user ID

	tokens       map[string]*tokenRow           // by hash
	families     map[string][]*tokenRow         // by family ID, in insertion order
	userFamilies map[string]map[string]struct{} // user ID → families holding its rows

	userRoles map[string]map[string]struct{} // user ID → role names
	roles     map[string]map[string]struct{} // role name → permission names

	oauth map[oauthKey]*oauthRow

	passkeys   map[string]*passkeyRow // by credential ID
	passkeyIDs map[string]string      // passkey ID → credential ID
}

type userRow struct {
	user fullauth.User
	hash string
}

type tokenRow struct {
	token fullauth.RefreshToken
	seq   uint64
}

type oauthKey struct{ provider, providerUserID string }

type oauthRow struct {
	link fullauth.OAuthAccount
	seq  uint64
}

type passkeyRow struct {
	key fullauth.Passkey
	seq uint64
}

// New returns an empty store.
func New() *Store {
	return &Store{
		users:        make(map[string]*userRow),
		byEmail:      make(map[string]string),
		tokens:       make(map[string]*tokenRow),
		families:     make(map[string][]*tokenRow),
		userFamilies: make(map[string]map[string]struct{}),
		userRoles:    make(map[string]map[string]struct{}),
		roles:        make(map[string]map[string]struct{}),
		oauth:        make(map[oauthKey]*oauthRow),
		passkeys:     make(map[string]*passkeyRow),
		passkeyIDs:   make(map[string]string),
	}
}

// next returns the next insertion number. Caller holds mu for writing.
func (s *Store) next() uint64 {
	s.seq++
	return s.seq
}

// --- users ---

func (s *Store) User(ctx context.Context, id string) (*fullauth.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	row, ok := s.users[id]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	u := row.user
	return &u, nil
}

func (s *Store) UserByEmail(ctx context.Context, email string) (*fullauth.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byEmail[fullauth.NormalizeEmail(email)]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	u := s.users[id].user
	return &u, nil
}

// CreateUser stores a copy of u. A duplicate email, or an ID already in use,
// returns [fullauth.ErrExists].
func (s *Store) CreateUser(ctx context.Context, u *fullauth.User, passwordHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := fullauth.NormalizeEmail(u.Email)
	if _, taken := s.byEmail[key]; taken {
		return fullauth.ErrExists
	}
	if _, taken := s.users[u.ID]; taken {
		return fullauth.ErrExists
	}
	s.users[u.ID] = &userRow{user: *u, hash: passwordHash}
	s.byEmail[key] = u.ID
	return nil
}

func (s *Store) UpdateUser(ctx context.Context, id string, upd fullauth.UserUpdate) (*fullauth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.users[id]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	if upd.Email != nil {
		oldKey, newKey := fullauth.NormalizeEmail(row.user.Email), fullauth.NormalizeEmail(*upd.Email)
		if owner, taken := s.byEmail[newKey]; taken && owner != id {
			return nil, fullauth.ErrExists
		}
		delete(s.byEmail, oldKey)
		s.byEmail[newKey] = id
		row.user.Email = *upd.Email
	}
	if upd.Active != nil {
		row.user.Active = *upd.Active
	}
	if upd.Verified != nil {
		row.user.Verified = *upd.Verified
	}
	if upd.Superuser != nil {
		row.user.Superuser = *upd.Superuser
	}
	if upd.DisplayName != nil {
		row.user.DisplayName = *upd.DisplayName
	}
	u := row.user
	return &u, nil
}

// DeleteUser removes the user with its refresh tokens, role links, OAuth
// links and passkeys. Roles and permissions themselves stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.users[id]
	if !ok {
		return nil
	}
	delete(s.byEmail, fullauth.NormalizeEmail(row.user.Email))
	delete(s.users, id)

	for fam := range s.userFamilies[id] {
		kept := s.families[fam][:0]
		for _, r := range s.families[fam] {
			if r.token.UserID == id {
				delete(s.tokens, r.token.Hash)
			} else {
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			delete(s.families, fam)
		} else {
			s.families[fam] = kept
		}
	}
	delete(s.userFamilies, id)
	delete(s.userRoles, id)
	for k, l := range s.oauth {
		if l.link.UserID == id {
			delete(s.oauth, k)
		}
	}
	for cred, p := range s.passkeys {
		if p.key.UserID == id {
			delete(s.passkeyIDs, p.key.ID)
			delete(s.passkeys, cred)
		}
	}
	return nil
}

func (s *Store) PasswordHash(ctx context.Context, userID string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	row, ok := s.users[userID]
	if !ok {
		return "", fullauth.ErrNotFound
	}
	return row.hash, nil
}

// SetPasswordHash returns [fullauth.ErrNotFound] for a missing user.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.users[userID]
	if !ok {
		return fullauth.ErrNotFound
	}
	row.hash = hash
	return nil
}

// SwapPasswordHash sets the user's hash to next if it is old now
// ([fullauth.PasswordHashSwapper]).
func (s *Store) SwapPasswordHash(ctx context.Context, userID, old, next string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.users[userID]
	if !ok {
		return false, fullauth.ErrNotFound
	}
	if row.hash != old {
		return false, nil
	}
	row.hash = next
	return true, nil
}

// ListUsers returns one page of the users whose email contains
// q.EmailContains, compared after lower-casing both (the email as
// [fullauth.NormalizeEmail] leaves it), oldest first, ties broken by ID in
// byte-wise order; and how many users match in all. A page past the end is
// empty, not nil. A Limit below 1 or a negative Offset is a
// [*fullauth.ValidationError]. Every call sorts the matching users, which is
// fine for the sizes this store is meant for.
func (s *Store) ListUsers(ctx context.Context, q fullauth.UserQuery) ([]fullauth.User, int, error) {
	if err := checkUserQuery(q); err != nil {
		return nil, 0, err
	}
	needle := strings.ToLower(q.EmailContains)
	s.mu.RLock()
	var match []fullauth.User
	for _, row := range s.users {
		if strings.Contains(fullauth.NormalizeEmail(row.user.Email), needle) {
			match = append(match, row.user)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(match, func(a, b fullauth.User) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	total := len(match)
	if q.Offset >= total {
		return []fullauth.User{}, total, nil
	}
	end := total
	if q.Limit < total-q.Offset {
		end = q.Offset + q.Limit
	}
	return slices.Clone(match[q.Offset:end]), total, nil
}

// checkUserQuery refuses a page that is not one.
func checkUserQuery(q fullauth.UserQuery) error {
	switch {
	case q.Limit < 1:
		return &fullauth.ValidationError{Field: "limit", Message: "limit must be at least 1"}
	case q.Offset < 0:
		return &fullauth.ValidationError{Field: "offset", Message: "offset must not be negative"}
	}
	return nil
}

// --- refresh tokens ---

// SaveRefreshToken stores a copy of t. A hash already stored returns
// [fullauth.ErrExists]; a missing user, [fullauth.ErrNotFound].
func (s *Store) SaveRefreshToken(ctx context.Context, t *fullauth.RefreshToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkNewToken(t); err != nil {
		return err
	}
	s.insertToken(t)
	return nil
}

// checkNewToken reports whether t may be inserted. Caller holds mu.
func (s *Store) checkNewToken(t *fullauth.RefreshToken) error {
	if _, taken := s.tokens[t.Hash]; taken {
		return fullauth.ErrExists
	}
	if _, ok := s.users[t.UserID]; !ok {
		return fullauth.ErrNotFound
	}
	return nil
}

// insertToken stores a copy of t. Caller holds mu for writing.
func (s *Store) insertToken(t *fullauth.RefreshToken) {
	r := &tokenRow{token: *t, seq: s.next()}
	s.tokens[t.Hash] = r
	s.families[t.FamilyID] = append(s.families[t.FamilyID], r)
	fams := s.userFamilies[t.UserID]
	if fams == nil {
		fams = make(map[string]struct{})
		s.userFamilies[t.UserID] = fams
	}
	fams[t.FamilyID] = struct{}{}
}

func (s *Store) RefreshToken(ctx context.Context, hash string) (*fullauth.RefreshToken, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.tokens[hash]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	t := r.token
	return &t, nil
}

// RotateRefreshToken revokes oldHash and saves next under one lock. Besides
// the contract's errors, a next whose hash is taken returns
// [fullauth.ErrExists] and changes nothing.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash string, next *fullauth.RefreshToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.tokens[oldHash]
	if !ok {
		return fullauth.ErrNotFound
	}
	if old.token.Revoked {
		return fullauth.ErrTokenReused
	}
	if err := s.checkNewToken(next); err != nil {
		return err
	}
	old.token.Revoked = true
	s.insertToken(next)
	return nil
}

func (s *Store) RefreshTokenFamily(ctx context.Context, familyID string) ([]fullauth.RefreshToken, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.sortedFamily(familyID)
	out := make([]fullauth.RefreshToken, len(rows))
	for i, r := range rows {
		out[i] = r.token
	}
	return out, nil
}

// sortedFamily returns the rows of a family, oldest first, ties in insertion
// order. Caller holds mu.
func (s *Store) sortedFamily(familyID string) []*tokenRow {
	rows := slices.Clone(s.families[familyID])
	slices.SortStableFunc(rows, func(a, b *tokenRow) int { return a.token.CreatedAt.Compare(b.token.CreatedAt) })
	return rows
}

// RevokeRefreshTokens returns the families sorted. A selector that does not
// set exactly one field is an error and revokes nothing.
func (s *Store) RevokeRefreshTokens(ctx context.Context, sel fullauth.TokenSelector) ([]string, error) {
	set := 0
	for _, f := range []string{sel.Hash, sel.FamilyID, sel.UserID} {
		if f != "" {
			set++
		}
	}
	if set != 1 {
		return nil, errSelector
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case sel.Hash != "":
		r, ok := s.tokens[sel.Hash]
		if !ok || r.token.Revoked {
			return nil, nil
		}
		r.token.Revoked = true
		return []string{r.token.FamilyID}, nil
	case sel.FamilyID != "":
		if revokeRows(s.families[sel.FamilyID], "") {
			return []string{sel.FamilyID}, nil
		}
		return nil, nil
	default:
		return s.revokeUser(sel.UserID, nil), nil
	}
}

// revokeRows revokes the live rows, of userID if it is not empty, and
// reports whether it revoked any.
func revokeRows(rows []*tokenRow, userID string) bool {
	revoked := false
	for _, r := range rows {
		if !r.token.Revoked && (userID == "" || r.token.UserID == userID) {
			r.token.Revoked = true
			revoked = true
		}
	}
	return revoked
}

// revokeUser revokes the live rows of every family of the user except keep
// (when not nil) and returns, sorted, the families it revoked rows in.
// Caller holds mu for writing.
func (s *Store) revokeUser(userID string, keep *string) []string {
	var out []string
	for fam := range s.userFamilies[userID] {
		if keep != nil && fam == *keep {
			continue
		}
		if revokeRows(s.families[fam], userID) {
			out = append(out, fam)
		}
	}
	slices.Sort(out)
	return out
}

// --- roles and permissions ---

func (s *Store) Roles(ctx context.Context, userID string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedKeys(s.userRoles[userID]), nil
}

func (s *Store) AddRole(ctx context.Context, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return nil
	}
	if s.roles[role] == nil {
		s.roles[role] = make(map[string]struct{})
	}
	held := s.userRoles[userID]
	if held == nil {
		held = make(map[string]struct{})
		s.userRoles[userID] = held
	}
	held[role] = struct{}{}
	return nil
}

func (s *Store) RemoveRole(ctx context.Context, userID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.userRoles[userID], role)
	if len(s.userRoles[userID]) == 0 {
		delete(s.userRoles, userID)
	}
	return nil
}

func (s *Store) RolePermissions(ctx context.Context, role string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedKeys(s.roles[role]), nil
}

func (s *Store) UserPermissions(ctx context.Context, userID string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	union := make(map[string]struct{})
	for role := range s.userRoles[userID] {
		maps.Copy(union, s.roles[role])
	}
	return sortedKeys(union), nil
}

func (s *Store) AddPermission(ctx context.Context, role, permission string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	perms := s.roles[role]
	if perms == nil {
		perms = make(map[string]struct{})
		s.roles[role] = perms
	}
	perms[permission] = struct{}{}
	return nil
}

func (s *Store) RemovePermission(ctx context.Context, role, permission string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.roles[role], permission)
	return nil
}

// sortedKeys returns the keys of m sorted; never nil.
func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// --- sessions ---

// Sessions aggregates each of the user's families as CONTRACT.md §3.7
// describes. A row is live at now if it is not revoked and now is before its
// ExpiresAt. Families used at the same moment are ordered by family ID.
func (s *Store) Sessions(ctx context.Context, userID string, now time.Time) ([]fullauth.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []fullauth.Session{}
	for fam := range s.userFamilies[userID] {
		var (
			sess       fullauth.Session
			newestLive *fullauth.RefreshToken
			seen       bool
		)
		for _, r := range s.sortedFamily(fam) {
			t := &r.token
			if t.UserID != userID {
				continue
			}
			if !seen {
				sess.CreatedAt = t.CreatedAt // rows are sorted: the first is the earliest
				seen = true
			}
			sess.LastUsedAt = t.CreatedAt
			if !t.Revoked && now.Before(t.ExpiresAt) {
				newestLive = t
			}
		}
		if newestLive == nil {
			continue
		}
		sess.FamilyID = fam
		sess.IPAddress = newestLive.IPAddress
		sess.UserAgent = newestLive.UserAgent
		sess.ExpiresAt = newestLive.ExpiresAt
		out = append(out, sess)
	}
	slices.SortFunc(out, func(a, b fullauth.Session) int {
		if c := b.LastUsedAt.Compare(a.LastUsedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.FamilyID, b.FamilyID)
	})
	return out, nil
}

func (s *Store) EndSession(ctx context.Context, userID, familyID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, r := range s.families[familyID] {
		if r.token.UserID == userID {
			found = true
			r.token.Revoked = true
		}
	}
	return found, nil
}

// EndOtherSessions treats a row as live when it is not revoked (a store has
// no clock to tell whether it has expired), and returns the families sorted.
func (s *Store) EndOtherSessions(ctx context.Context, userID, keep string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revokeUser(userID, &keep), nil
}

// --- OAuth links ---

func (s *Store) OAuthAccount(ctx context.Context, provider, providerUserID string) (*fullauth.OAuthAccount, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.oauth[oauthKey{provider, providerUserID}]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	a := l.link
	return &a, nil
}

func (s *Store) OAuthAccounts(ctx context.Context, userID string) ([]fullauth.OAuthAccount, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var rows []*oauthRow
	for _, l := range s.oauth {
		if l.link.UserID == userID {
			rows = append(rows, l)
		}
	}
	slices.SortFunc(rows, func(a, b *oauthRow) int {
		if c := a.link.CreatedAt.Compare(b.link.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]fullauth.OAuthAccount, len(rows))
	for i, l := range rows {
		out[i] = l.link
	}
	return out, nil
}

// CreateOAuthAccount stores a copy of a, or returns the link already stored
// under its provider and provider user ID. A new link for a missing user
// returns [fullauth.ErrNotFound].
func (s *Store) CreateOAuthAccount(ctx context.Context, a *fullauth.OAuthAccount) (*fullauth.OAuthAccount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := oauthKey{a.Provider, a.ProviderUserID}
	if l, ok := s.oauth[k]; ok {
		existing := l.link
		return &existing, nil
	}
	if _, ok := s.users[a.UserID]; !ok {
		return nil, fullauth.ErrNotFound
	}
	s.oauth[k] = &oauthRow{link: *a, seq: s.next()}
	created := *a
	return &created, nil
}

// UpdateOAuthAccount returns [fullauth.ErrNotFound] when the link is absent.
func (s *Store) UpdateOAuthAccount(ctx context.Context, a *fullauth.OAuthAccount) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.oauth[oauthKey{a.Provider, a.ProviderUserID}]
	if !ok {
		return fullauth.ErrNotFound
	}
	l.link.ProviderEmail = a.ProviderEmail
	l.link.AccessToken = a.AccessToken
	l.link.RefreshToken = a.RefreshToken
	l.link.ExpiresAt = a.ExpiresAt
	return nil
}

func (s *Store) DeleteOAuthAccount(ctx context.Context, provider, providerUserID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.oauth, oauthKey{provider, providerUserID})
	return nil
}

// --- passkeys ---

// copyPasskey returns p with its own Transports, never nil.
func copyPasskey(p fullauth.Passkey) fullauth.Passkey {
	p.Transports = append([]string{}, p.Transports...)
	return p
}

func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID string) (*fullauth.Passkey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.passkeys[credentialID]
	if !ok {
		return nil, fullauth.ErrNotFound
	}
	p := copyPasskey(r.key)
	return &p, nil
}

func (s *Store) Passkeys(ctx context.Context, userID string) ([]fullauth.Passkey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var rows []*passkeyRow
	for _, r := range s.passkeys {
		if r.key.UserID == userID {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b *passkeyRow) int {
		if c := a.key.CreatedAt.Compare(b.key.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]fullauth.Passkey, len(rows))
	for i, r := range rows {
		out[i] = copyPasskey(r.key)
	}
	return out, nil
}

// SavePasskey stores a copy of p. A credential ID or passkey ID already
// stored returns [fullauth.ErrExists]; a missing user, [fullauth.ErrNotFound].
func (s *Store) SavePasskey(ctx context.Context, p *fullauth.Passkey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.passkeys[p.CredentialID]; taken {
		return fullauth.ErrExists
	}
	if _, taken := s.passkeyIDs[p.ID]; taken {
		return fullauth.ErrExists
	}
	if _, ok := s.users[p.UserID]; !ok {
		return fullauth.ErrNotFound
	}
	s.passkeys[p.CredentialID] = &passkeyRow{key: copyPasskey(*p), seq: s.next()}
	s.passkeyIDs[p.ID] = p.CredentialID
	return nil
}

// AdvanceSignCount returns false and [fullauth.ErrNotFound] for an unknown
// credential.
func (s *Store) AdvanceSignCount(ctx context.Context, credentialID string, n uint32, usedAt time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.passkeys[credentialID]
	if !ok {
		return false, fullauth.ErrNotFound
	}
	r.key.LastUsedAt = usedAt
	if n <= r.key.SignCount {
		return false, nil
	}
	r.key.SignCount = n
	return true, nil
}

func (s *Store) DeletePasskey(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cred, ok := s.passkeyIDs[id]; ok {
		delete(s.passkeys, cred)
		delete(s.passkeyIDs, id)
	}
	return nil
}
