package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// raceN is how many goroutines the race tests start at once.
const raceN = 32

// otherZone is a zone with a half-hour offset, used to check that a store
// keeps instants rather than wall-clock readings.
var otherZone = time.FixedZone("storetest+0530", 5*3600+30*60)

func typeName[T any]() string { return reflect.TypeFor[T]().String() }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never returns an error
	return b
}

// randomHex returns n random bytes as 2n lowercase hex digits.
func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// newUserID returns a fresh UUIDv7, the kind of id the flows give users.
func newUserID() string {
	b := randomBytes(16)
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// newUUID4 returns a fresh random UUID (version 4).
func newUUID4() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newEmail returns a fresh normalised email address.
func newEmail() string { return "storetest-" + randomHex(8) + "@example.com" }

// newTokenHash returns a fresh stand-in for a refresh token digest: 64
// lowercase hex digits, like a SHA-256.
func newTokenHash() string { return randomHex(32) }

// newFamilyID returns a fresh family id: a UUID4 as 32 hex digits, as the
// flows make them.
func newFamilyID() string { return randomHex(16) }

// newName returns a fresh name for roles, permissions and providers.
func newName(kind string) string { return "st-" + kind + "-" + randomHex(6) }

// newCredentialID returns a fresh base64url credential id.
func newCredentialID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

// baseTime is "now" for a test: whole seconds, in UTC.
func baseTime() time.Time { return time.Now().UTC().Truncate(time.Second) }

// ctx returns the context for store calls made by t.
func ctx(t *testing.T) context.Context { return t.Context() }

// --- fixtures ---

// newUser returns a user that is not stored yet, with every field set to
// something other than its zero value.
func newUser() *fullauth.User {
	return &fullauth.User{
		ID:          newUserID(),
		Email:       newEmail(),
		Active:      true,
		Verified:    true,
		Superuser:   false,
		DisplayName: "Storetest " + randomHex(3),
		CreatedAt:   baseTime().Add(-time.Hour),
	}
}

// mustCreateUser stores a fresh user with a password and returns it as it
// was given to the store.
func mustCreateUser(t *testing.T, s fullauth.Store) *fullauth.User {
	t.Helper()
	u := newUser()
	if err := s.CreateUser(ctx(t), u, newPasswordHash()); err != nil {
		t.Fatalf("CreateUser(%q) err = %v, want nil", u.Email, err)
	}
	return u
}

func newPasswordHash() string {
	return "$argon2id$v=19$m=65536,t=3,p=4$" + randomHex(16) + "$" + randomHex(32)
}

// mustUser fetches a user that must exist.
func mustUser(t *testing.T, s fullauth.Store, id string) *fullauth.User {
	t.Helper()
	u, err := s.User(ctx(t), id)
	if err != nil {
		t.Fatalf("User(%q) err = %v, want nil", id, err)
	}
	if u == nil {
		t.Fatalf("User(%q) = nil, nil; want a user", id)
	}
	return u
}

// newToken returns an unsaved live refresh token of the user in family,
// created at created and expiring a day later.
func newToken(userID, family string, created time.Time) *fullauth.RefreshToken {
	return &fullauth.RefreshToken{
		Hash:      newTokenHash(),
		UserID:    userID,
		FamilyID:  family,
		ExpiresAt: created.Add(24 * time.Hour),
		UserAgent: "storetest/1.0 " + randomHex(4),
		IPAddress: "192.0.2." + fmt.Sprint(randomBytes(1)[0]),
		CreatedAt: created,
	}
}

func mustSaveToken(t *testing.T, s fullauth.Store, rt *fullauth.RefreshToken) {
	t.Helper()
	if err := s.SaveRefreshToken(ctx(t), rt); err != nil {
		t.Fatalf("SaveRefreshToken(%s) err = %v, want nil", short(rt.Hash), err)
	}
}

// mustToken fetches a refresh token that must exist.
func mustToken(t *testing.T, s fullauth.Store, hash string) *fullauth.RefreshToken {
	t.Helper()
	rt, err := s.RefreshToken(ctx(t), hash)
	if err != nil {
		t.Fatalf("RefreshToken(%s) err = %v, want nil", short(hash), err)
	}
	if rt == nil {
		t.Fatalf("RefreshToken(%s) = nil, nil; want a token", short(hash))
	}
	return rt
}

// wantRevoked checks the revoked flag of a stored token.
func wantRevoked(t *testing.T, s fullauth.Store, hash string, want bool) {
	t.Helper()
	if got := mustToken(t, s, hash).Revoked; got != want {
		t.Errorf("RefreshToken(%s).Revoked = %v, want %v", short(hash), got, want)
	}
}

// wantTokenMissing checks that no token is stored under hash.
func wantTokenMissing(t *testing.T, s fullauth.Store, hash string) {
	t.Helper()
	rt, err := s.RefreshToken(ctx(t), hash)
	if !errors.Is(err, fullauth.ErrNotFound) {
		t.Errorf("RefreshToken(%s) = %+v, %v; want ErrNotFound", short(hash), rt, err)
	}
}

// short abbreviates a long random value for messages.
func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// wantErr checks err against the sentinel want (nil meaning success).
func wantErr(t *testing.T, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s err = %v, want nil", call, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s err = %v, want %v", call, err, want)
	}
}

// mustNil fails the test now if err is not nil.
func mustNil(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s err = %v, want nil", call, err)
	}
}

// wantSet compares two lists of names ignoring order; a name repeated in got
// is a mismatch.
func wantSet(t *testing.T, call string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %q, want %q (in any order)", call, got, want)
	}
}

// wantList compares two lists of names in order; nil and empty are equal.
func wantList(t *testing.T, call string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", call, got, want)
	}
}

// race starts n goroutines that call f(i) at the same moment and waits for
// them all.
func race(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// --- comparing records ---

var timeType = reflect.TypeFor[time.Time]()

// diff lists the fields in which got differs from want, one per line, or
// returns "" when they match. Times are compared with time.Time.Equal, and a
// nil slice equals an empty one. got and want are values or pointers of the
// same type.
func diff(got, want any) string {
	var b strings.Builder
	diffValue(&b, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return b.String()
}

func diffValue(b *strings.Builder, path string, g, w reflect.Value) {
	switch {
	case g.Type() == timeType:
		gt, wt := g.Interface().(time.Time), w.Interface().(time.Time)
		if !gt.Equal(wt) {
			fmt.Fprintf(b, "\n\t%s: got %s, want %s", path, fmtTime(gt), fmtTime(wt))
		}
	case g.Kind() == reflect.Pointer:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				fmt.Fprintf(b, "\n\t%s: got %v, want %v", orSelf(path), g.Interface(), w.Interface())
			}
			return
		}
		diffValue(b, path, g.Elem(), w.Elem())
	case g.Kind() == reflect.Struct:
		for i := range g.NumField() {
			name := g.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			diffValue(b, name, g.Field(i), w.Field(i))
		}
	case g.Kind() == reflect.Slice:
		if g.Len() != w.Len() {
			fmt.Fprintf(b, "\n\t%s: got %d elements %s, want %d elements %s",
				orSelf(path), g.Len(), fmtValue(g), w.Len(), fmtValue(w))
			return
		}
		for i := range g.Len() {
			diffValue(b, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	default:
		if !g.Equal(w) {
			fmt.Fprintf(b, "\n\t%s: got %#v, want %#v", orSelf(path), g.Interface(), w.Interface())
		}
	}
}

func orSelf(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.Format(time.RFC3339Nano)
}

func fmtValue(v reflect.Value) string {
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct {
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = fmt.Sprintf("%+v", v.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("%q", v.Interface())
}

// wantEqual reports a difference between got and want for call.
func wantEqual(t *testing.T, call string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Errorf("%s is not as expected (got vs want):%s", call, d)
	}
}
