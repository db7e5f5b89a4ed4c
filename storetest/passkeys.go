package storetest

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// newPasskey returns an unsaved, never used passkey created at created.
func newPasskey(userID string, created time.Time) *fullauth.Passkey {
	return &fullauth.Passkey{
		ID:           newUUID4(),
		UserID:       userID,
		CredentialID: newCredentialID(),
		PublicKey:    base64.RawURLEncoding.EncodeToString(randomBytes(77)),
		SignCount:    7,
		DeviceName:   "Storetest key " + randomHex(3),
		Transports:   []string{"usb", "nfc"},
		BackedUp:     true,
		CreatedAt:    created,
	}
}

func mustPasskey(t *testing.T, ps fullauth.PasskeyStore, credentialID string) *fullauth.Passkey {
	t.Helper()
	got, err := ps.PasskeyByCredentialID(ctx(t), credentialID)
	mustNil(t, "PasskeyByCredentialID", err)
	if got == nil {
		t.Fatal("PasskeyByCredentialID() = nil, nil; want a passkey")
	}
	return got
}

func testPasskeys(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("SaveAndGet", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		full := newPasskey(u.ID, time.Date(2025, 5, 6, 7, 8, 9, 0, otherZone))
		full.LastUsedAt = time.Date(2025, 5, 7, 7, 8, 9, 0, otherZone)
		bare := &fullauth.Passkey{
			ID:           newUUID4(),
			UserID:       u.ID,
			CredentialID: newCredentialID(),
			PublicKey:    base64.RawURLEncoding.EncodeToString(randomBytes(77)),
			CreatedAt:    baseTime(),
		}
		hybrid := newPasskey(u.ID, baseTime())
		hybrid.Transports = []string{"hybrid", "internal", "usb", "ble", "smart-card"}
		for _, p := range []*fullauth.Passkey{full, bare, hybrid} {
			mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
			wantEqual(t, "PasskeyByCredentialID()", mustPasskey(t, ps, p.CredentialID), p)
		}
	})

	t.Run("EmptyTransports", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		for _, tr := range [][]string{nil, {}} {
			p := newPasskey(u.ID, baseTime())
			p.Transports = tr
			mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
			if got := mustPasskey(t, ps, p.CredentialID).Transports; len(got) != 0 {
				t.Errorf("Transports after saving %#v = %q, want none", tr, got)
			}
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		if got, err := ps.PasskeyByCredentialID(ctx(t), newCredentialID()); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("PasskeyByCredentialID(missing) = %+v, %v; want ErrNotFound", got, err)
		}
	})

	t.Run("DuplicateCredential", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		p := newPasskey(u.ID, baseTime())
		mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
		for _, owner := range []*fullauth.User{u, other} {
			dup := newPasskey(owner.ID, baseTime().Add(time.Second))
			dup.CredentialID = p.CredentialID
			wantErr(t, "SavePasskey(duplicate credential id)", ps.SavePasskey(ctx(t), dup), fullauth.ErrExists)
		}
		wantEqual(t, "PasskeyByCredentialID() after duplicates", mustPasskey(t, ps, p.CredentialID), p)
		got, err := ps.Passkeys(ctx(t), other.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("Passkeys(other) after its duplicate was refused = %+v, %v; want none", got, err)
		}
	})

	t.Run("CredentialIDIsCaseSensitive", func(t *testing.T) {
		// Credential ids are base64url, where case matters: two ids that
		// differ only in case are two credentials (in SQL, a binary
		// collation on the column).
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		lower := newPasskey(u.ID, baseTime())
		lower.CredentialID = "st-" + randomHex(16) + "-abc"
		upper := newPasskey(u.ID, baseTime().Add(time.Second))
		upper.CredentialID = strings.ToUpper(lower.CredentialID)
		mustNil(t, "SavePasskey(lower-case id)", ps.SavePasskey(ctx(t), lower))
		wantErr(t, "SavePasskey(the same id upper-cased)", ps.SavePasskey(ctx(t), upper), nil)
		wantEqual(t, "PasskeyByCredentialID(lower-case id)", mustPasskey(t, ps, lower.CredentialID), lower)
		if got, err := ps.PasskeyByCredentialID(ctx(t), upper.CredentialID); err != nil || got.ID != upper.ID {
			t.Errorf("PasskeyByCredentialID(upper-cased id) = %+v, %v; want the upper-cased passkey %s", got, err, upper.ID)
		}
	})

	t.Run("AdvanceSignCount", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		p := newPasskey(u.ID, baseTime().Add(-time.Hour))
		p.SignCount = 10
		mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
		want := *p
		for i, step := range []struct {
			n    uint32
			want bool
		}{
			{11, true},  // forward by one
			{11, false}, // equal: not greater
			{5, false},  // backwards
			{0, false},  // zero (an authenticator without a counter)
			{1000, true},
		} {
			used := baseTime().Add(time.Duration(i+1) * time.Minute)
			got, err := ps.AdvanceSignCount(ctx(t), p.CredentialID, step.n, used)
			if err != nil || got != step.want {
				t.Errorf("AdvanceSignCount(%d) over %d = %v, %v; want %v, nil", step.n, want.SignCount, got, err, step.want)
			}
			if step.want {
				want.SignCount = step.n
			}
			want.LastUsedAt = used // always set
			wantEqual(t, "PasskeyByCredentialID() after AdvanceSignCount", mustPasskey(t, ps, p.CredentialID), &want)
		}
	})

	t.Run("AdvanceSignCountFromZero", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		p := newPasskey(u.ID, baseTime())
		p.SignCount = 0
		mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
		used := baseTime().Add(time.Minute)
		if got, err := ps.AdvanceSignCount(ctx(t), p.CredentialID, 0, used); err != nil || got {
			t.Errorf("AdvanceSignCount(0) over 0 = %v, %v; want false, nil", got, err)
		}
		if got, err := ps.AdvanceSignCount(ctx(t), p.CredentialID, 1, used); err != nil || !got {
			t.Errorf("AdvanceSignCount(1) over 0 = %v, %v; want true, nil", got, err)
		}
	})

	t.Run("AdvanceSignCountMissing", func(t *testing.T) {
		// store.go does not say; the sensible answers are ErrNotFound or
		// false with no error.
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		got, err := ps.AdvanceSignCount(ctx(t), newCredentialID(), 5, baseTime())
		if got || (err != nil && !errors.Is(err, fullauth.ErrNotFound)) {
			t.Errorf("AdvanceSignCount(missing credential) = %v, %v; want false with nil or ErrNotFound", got, err)
		}
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		var keys []*fullauth.Passkey
		for i := range 3 {
			keys = append(keys, newPasskey(u.ID, baseTime().Add(time.Duration(i-3)*time.Minute)))
		}
		keys[1].Transports = nil
		for _, i := range []int{2, 0, 1} {
			mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), keys[i]))
		}
		mustNil(t, "SavePasskey(other)", ps.SavePasskey(ctx(t), newPasskey(other.ID, baseTime())))
		got, err := ps.Passkeys(ctx(t), u.ID)
		mustNil(t, "Passkeys", err)
		wantEqual(t, "Passkeys() (oldest first)", got, []fullauth.Passkey{*keys[0], *keys[1], *keys[2]})

		got, err = ps.Passkeys(ctx(t), mustCreateUser(t, s).ID)
		if err != nil || len(got) != 0 {
			t.Errorf("Passkeys(user without passkeys) = %+v, %v; want none, nil", got, err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		a, b := newPasskey(u.ID, baseTime().Add(-time.Minute)), newPasskey(u.ID, baseTime())
		mustNil(t, "SavePasskey(a)", ps.SavePasskey(ctx(t), a))
		mustNil(t, "SavePasskey(b)", ps.SavePasskey(ctx(t), b))
		mustNil(t, "DeletePasskey(a)", ps.DeletePasskey(ctx(t), a.ID))
		if got, err := ps.PasskeyByCredentialID(ctx(t), a.CredentialID); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("PasskeyByCredentialID(deleted) = %+v, %v; want ErrNotFound", got, err)
		}
		got, err := ps.Passkeys(ctx(t), u.ID)
		mustNil(t, "Passkeys", err)
		wantEqual(t, "Passkeys() after deleting one", got, []fullauth.Passkey{*b})
		wantErr(t, "DeletePasskey(again)", ps.DeletePasskey(ctx(t), a.ID), nil)
		wantErr(t, "DeletePasskey(never existed)", ps.DeletePasskey(ctx(t), newUUID4()), nil)
		// The credential id is free again.
		again := newPasskey(u.ID, baseTime())
		again.CredentialID = a.CredentialID
		wantErr(t, "SavePasskey(deleted credential id)", ps.SavePasskey(ctx(t), again), nil)
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		s := newStore(t)
		ps := as[fullauth.PasskeyStore](t, s)
		u := mustCreateUser(t, s)
		p := newPasskey(u.ID, baseTime())
		want := *p
		want.Transports = []string{"usb", "nfc"}
		mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), p))
		scribblePasskey(p)
		scribblePasskey(mustPasskey(t, ps, want.CredentialID))
		list, err := ps.Passkeys(ctx(t), u.ID)
		mustNil(t, "Passkeys", err)
		for i := range list {
			scribblePasskey(&list[i])
		}
		wantEqual(t, "PasskeyByCredentialID() after the caller changed earlier results", mustPasskey(t, ps, want.CredentialID), &want)
	})
}

func scribblePasskey(p *fullauth.Passkey) {
	p.ID, p.UserID, p.CredentialID, p.PublicKey, p.DeviceName = "scribbled", "scribbled", "scribbled", "scribbled", "scribbled"
	p.SignCount++
	for i := range p.Transports {
		p.Transports[i] = "scribbled"
	}
	p.Transports = append(p.Transports, "scribbled")
	p.BackedUp = !p.BackedUp
	p.CreatedAt = p.CreatedAt.Add(time.Hour)
	p.LastUsedAt = p.LastUsedAt.Add(time.Hour)
}
