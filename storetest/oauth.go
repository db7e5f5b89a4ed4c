package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

// newOAuthAccount returns an unsaved link with every field set.
func newOAuthAccount(userID, provider string) *fullauth.OAuthAccount {
	return &fullauth.OAuthAccount{
		Provider:       provider,
		ProviderUserID: randomHex(10),
		UserID:         userID,
		ProviderEmail:  newEmail(),
		AccessToken:    "at-" + randomHex(20),
		RefreshToken:   "rt-" + randomHex(20),
		ExpiresAt:      baseTime().Add(time.Hour),
		CreatedAt:      baseTime().Add(-time.Hour),
	}
}

func mustCreateOAuth(t *testing.T, oa fullauth.OAuthStore, a *fullauth.OAuthAccount) {
	t.Helper()
	got, err := oa.CreateOAuthAccount(ctx(t), a)
	mustNil(t, "CreateOAuthAccount", err)
	wantEqual(t, "CreateOAuthAccount() result", got, a)
}

func mustOAuthAccount(t *testing.T, oa fullauth.OAuthStore, provider, providerUserID string) *fullauth.OAuthAccount {
	t.Helper()
	got, err := oa.OAuthAccount(ctx(t), provider, providerUserID)
	mustNil(t, "OAuthAccount", err)
	if got == nil {
		t.Fatal("OAuthAccount() = nil, nil; want a link")
	}
	return got
}

func testOAuth(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u := mustCreateUser(t, s)
		full := newOAuthAccount(u.ID, newName("prov"))
		full.ExpiresAt = time.Date(2025, 1, 2, 3, 4, 5, 0, otherZone)
		// Only the required fields: the optional ones are NULL in SQL.
		bare := &fullauth.OAuthAccount{
			Provider:       newName("prov"),
			ProviderUserID: randomHex(10),
			UserID:         u.ID,
			CreatedAt:      baseTime(),
		}
		for _, a := range []*fullauth.OAuthAccount{full, bare} {
			mustCreateOAuth(t, oa, a)
			wantEqual(t, "OAuthAccount()", mustOAuthAccount(t, oa, a.Provider, a.ProviderUserID), a)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u := mustCreateUser(t, s)
		a := newOAuthAccount(u.ID, newName("prov"))
		mustCreateOAuth(t, oa, a)
		for _, key := range [][2]string{
			{a.Provider, randomHex(10)},
			{newName("prov"), a.ProviderUserID},
		} {
			got, err := oa.OAuthAccount(ctx(t), key[0], key[1])
			if !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("OAuthAccount(%q, %q) = %+v, %v; want ErrNotFound", key[0], key[1], got, err)
			}
		}
	})

	t.Run("DuplicateReturnsExisting", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		a := newOAuthAccount(u.ID, newName("prov"))
		mustCreateOAuth(t, oa, a)
		for _, owner := range []*fullauth.User{u, other} {
			dup := newOAuthAccount(owner.ID, a.Provider)
			dup.ProviderUserID = a.ProviderUserID
			got, err := oa.CreateOAuthAccount(ctx(t), dup)
			mustNil(t, "CreateOAuthAccount(duplicate)", err)
			wantEqual(t, "CreateOAuthAccount(duplicate) result (the existing link)", got, a)
		}
		wantEqual(t, "OAuthAccount() after duplicates", mustOAuthAccount(t, oa, a.Provider, a.ProviderUserID), a)
		got, err := oa.OAuthAccounts(ctx(t), other.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("OAuthAccounts(other) after its duplicate was refused = %+v, %v; want none", got, err)
		}
		// The same provider user id at another provider is another link.
		elsewhere := newOAuthAccount(other.ID, newName("prov"))
		elsewhere.ProviderUserID = a.ProviderUserID
		mustCreateOAuth(t, oa, elsewhere)
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		var links []*fullauth.OAuthAccount
		for i := range 3 {
			a := newOAuthAccount(u.ID, newName("prov"))
			a.CreatedAt = baseTime().Add(time.Duration(i-3) * time.Minute)
			links = append(links, a)
		}
		for _, i := range []int{1, 2, 0} {
			mustCreateOAuth(t, oa, links[i])
		}
		mustCreateOAuth(t, oa, newOAuthAccount(other.ID, newName("prov")))
		got, err := oa.OAuthAccounts(ctx(t), u.ID)
		mustNil(t, "OAuthAccounts", err)
		wantEqual(t, "OAuthAccounts() (oldest first)", got, []fullauth.OAuthAccount{*links[0], *links[1], *links[2]})

		got, err = oa.OAuthAccounts(ctx(t), mustCreateUser(t, s).ID)
		if err != nil || len(got) != 0 {
			t.Errorf("OAuthAccounts(user without links) = %+v, %v; want none, nil", got, err)
		}
	})

	t.Run("Update", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		a := newOAuthAccount(u.ID, newName("prov"))
		mustCreateOAuth(t, oa, a)
		neighbour := newOAuthAccount(u.ID, a.Provider)
		mustCreateOAuth(t, oa, neighbour)

		// New values for the four updatable fields, and different values
		// for the others, which must be left alone.
		upd := newOAuthAccount(other.ID, a.Provider)
		upd.ProviderUserID = a.ProviderUserID
		upd.ExpiresAt = time.Date(2026, 3, 4, 5, 6, 7, 0, otherZone)
		upd.CreatedAt = baseTime().Add(-100 * time.Hour)
		mustNil(t, "UpdateOAuthAccount", oa.UpdateOAuthAccount(ctx(t), upd))
		want := *a
		want.ProviderEmail, want.AccessToken, want.RefreshToken, want.ExpiresAt =
			upd.ProviderEmail, upd.AccessToken, upd.RefreshToken, upd.ExpiresAt
		wantEqual(t, "OAuthAccount() after UpdateOAuthAccount", mustOAuthAccount(t, oa, a.Provider, a.ProviderUserID), &want)
		wantEqual(t, "OAuthAccount(neighbour) after UpdateOAuthAccount", mustOAuthAccount(t, oa, neighbour.Provider, neighbour.ProviderUserID), neighbour)

		// Clearing: empty strings and an unknown (zero) expiry.
		cleared := &fullauth.OAuthAccount{Provider: a.Provider, ProviderUserID: a.ProviderUserID}
		mustNil(t, "UpdateOAuthAccount(cleared)", oa.UpdateOAuthAccount(ctx(t), cleared))
		want.ProviderEmail, want.AccessToken, want.RefreshToken, want.ExpiresAt = "", "", "", time.Time{}
		wantEqual(t, "OAuthAccount() after clearing", mustOAuthAccount(t, oa, a.Provider, a.ProviderUserID), &want)
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		// store.go does not say what updating an absent link does; it may
		// report ErrNotFound or do nothing, but it must not create one.
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u := mustCreateUser(t, s)
		a := newOAuthAccount(u.ID, newName("prov"))
		if err := oa.UpdateOAuthAccount(ctx(t), a); err != nil && !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("UpdateOAuthAccount(absent link) err = %v, want nil or ErrNotFound", err)
		}
		if got, err := oa.OAuthAccount(ctx(t), a.Provider, a.ProviderUserID); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("OAuthAccount() after UpdateOAuthAccount(absent link) = %+v, %v; want ErrNotFound", got, err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u := mustCreateUser(t, s)
		a, b := newOAuthAccount(u.ID, newName("prov")), newOAuthAccount(u.ID, newName("prov"))
		b.CreatedAt = a.CreatedAt.Add(time.Second)
		mustCreateOAuth(t, oa, a)
		mustCreateOAuth(t, oa, b)
		mustNil(t, "DeleteOAuthAccount", oa.DeleteOAuthAccount(ctx(t), a.Provider, a.ProviderUserID))
		if got, err := oa.OAuthAccount(ctx(t), a.Provider, a.ProviderUserID); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("OAuthAccount(deleted) = %+v, %v; want ErrNotFound", got, err)
		}
		got, err := oa.OAuthAccounts(ctx(t), u.ID)
		mustNil(t, "OAuthAccounts", err)
		wantEqual(t, "OAuthAccounts() after deleting one", got, []fullauth.OAuthAccount{*b})
		wantErr(t, "DeleteOAuthAccount(again)", oa.DeleteOAuthAccount(ctx(t), a.Provider, a.ProviderUserID), nil)
		wantErr(t, "DeleteOAuthAccount(never existed)", oa.DeleteOAuthAccount(ctx(t), newName("prov"), randomHex(10)), nil)
		// Deleted links can be created again.
		mustCreateOAuth(t, oa, a)
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		s := newStore(t)
		oa := as[fullauth.OAuthStore](t, s)
		u := mustCreateUser(t, s)
		a := newOAuthAccount(u.ID, newName("prov"))
		want := *a
		got, err := oa.CreateOAuthAccount(ctx(t), a)
		mustNil(t, "CreateOAuthAccount", err)
		scribbleOAuth(a)
		scribbleOAuth(got)
		scribbleOAuth(mustOAuthAccount(t, oa, want.Provider, want.ProviderUserID))
		list, err := oa.OAuthAccounts(ctx(t), u.ID)
		mustNil(t, "OAuthAccounts", err)
		for i := range list {
			scribbleOAuth(&list[i])
		}
		again := want
		dup, err := oa.CreateOAuthAccount(ctx(t), &again)
		mustNil(t, "CreateOAuthAccount(duplicate)", err)
		scribbleOAuth(dup)
		wantEqual(t, "OAuthAccount() after the caller changed earlier results",
			mustOAuthAccount(t, oa, want.Provider, want.ProviderUserID), &want)
	})
}

func scribbleOAuth(a *fullauth.OAuthAccount) {
	a.Provider, a.ProviderUserID, a.UserID = "scribbled", "scribbled", "scribbled"
	a.ProviderEmail, a.AccessToken, a.RefreshToken = "scribbled", "scribbled", "scribbled"
	a.ExpiresAt = a.ExpiresAt.Add(time.Hour)
	a.CreatedAt = a.CreatedAt.Add(time.Hour)
}
