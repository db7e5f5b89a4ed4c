package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

func testDeleteUser(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("Removes", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), u.ID))
		if got, err := s.User(ctx(t), u.ID); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("User(deleted) = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := s.UserByEmail(ctx(t), u.Email); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("UserByEmail(deleted) = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := s.PasswordHash(ctx(t), u.ID); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("PasswordHash(deleted) = %q, %v; want ErrNotFound", got, err)
		}
		// The email is free again.
		again := newUser()
		again.Email = u.Email
		wantErr(t, "CreateUser(with a deleted user's email)", s.CreateUser(ctx(t), again, ""), nil)
	})

	t.Run("Idempotent", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		wantErr(t, "DeleteUser", s.DeleteUser(ctx(t), u.ID), nil)
		wantErr(t, "DeleteUser(again)", s.DeleteUser(ctx(t), u.ID), nil)
		wantErr(t, "DeleteUser(never existed)", s.DeleteUser(ctx(t), newUserID()), nil)
	})

	t.Run("LeavesOthers", func(t *testing.T) {
		s := newStore(t)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		rt := newToken(other.ID, newFamilyID(), baseTime())
		mustSaveToken(t, s, rt)
		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), u.ID))
		wantEqual(t, "User(other) after DeleteUser", mustUser(t, s, other.ID), other)
		wantEqual(t, "RefreshToken(other's) after DeleteUser", mustToken(t, s, rt.Hash), rt)
	})

	t.Run("Cascades", func(t *testing.T) {
		// Everything that belongs to the user goes with it. The user is
		// then created again under the same id, which must start empty.
		s := newStore(t)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		family := newFamilyID()
		tokens := []*fullauth.RefreshToken{
			newToken(u.ID, family, baseTime().Add(-time.Minute)),
			newToken(u.ID, family, baseTime()),
			newToken(u.ID, newFamilyID(), baseTime()),
		}
		tokens[0].Revoked = true
		for _, rt := range tokens {
			mustSaveToken(t, s, rt)
		}
		otherToken := newToken(other.ID, newFamilyID(), baseTime())
		mustSaveToken(t, s, otherToken)

		role := newName("role")
		rs, hasRoles := s.(fullauth.RoleStore)
		if hasRoles {
			mustNil(t, "AddRole", rs.AddRole(ctx(t), u.ID, role))
			mustNil(t, "AddRole(other)", rs.AddRole(ctx(t), other.ID, role))
		}
		oa, hasOAuth := s.(fullauth.OAuthStore)
		var link, otherLink *fullauth.OAuthAccount
		if hasOAuth {
			link, otherLink = newOAuthAccount(u.ID, newName("prov")), newOAuthAccount(other.ID, newName("prov"))
			mustCreateOAuth(t, oa, link)
			mustCreateOAuth(t, oa, otherLink)
		}
		ps, hasPasskeys := s.(fullauth.PasskeyStore)
		var pk, otherPK *fullauth.Passkey
		if hasPasskeys {
			pk, otherPK = newPasskey(u.ID, baseTime()), newPasskey(other.ID, baseTime())
			mustNil(t, "SavePasskey", ps.SavePasskey(ctx(t), pk))
			mustNil(t, "SavePasskey(other)", ps.SavePasskey(ctx(t), otherPK))
		}

		mustNil(t, "DeleteUser", s.DeleteUser(ctx(t), u.ID))

		for _, rt := range tokens {
			wantTokenMissing(t, s, rt.Hash)
		}
		if got, err := s.RefreshTokenFamily(ctx(t), family); err != nil || len(got) != 0 {
			t.Errorf("RefreshTokenFamily(deleted user's) = %+v, %v; want no rows", got, err)
		}
		if hasOAuth {
			if got, err := oa.OAuthAccount(ctx(t), link.Provider, link.ProviderUserID); !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("OAuthAccount(deleted user's) = %+v, %v; want ErrNotFound", got, err)
			}
		}
		if hasPasskeys {
			if got, err := ps.PasskeyByCredentialID(ctx(t), pk.CredentialID); !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("PasskeyByCredentialID(deleted user's) = %+v, %v; want ErrNotFound", got, err)
			}
		}

		// Recreate under the same id: nothing may have lingered.
		reborn := newUser()
		reborn.ID = u.ID
		mustNil(t, "CreateUser(same id as the deleted user)", s.CreateUser(ctx(t), reborn, ""))
		if got, err := s.PasswordHash(ctx(t), u.ID); err != nil || got != "" {
			t.Errorf("PasswordHash(recreated user) = %q, %v; want \"\", nil", got, err)
		}
		if fams, err := s.RevokeRefreshTokens(ctx(t), fullauth.TokenSelector{UserID: u.ID}); err != nil || len(fams) != 0 {
			t.Errorf("RevokeRefreshTokens(recreated user) = %q, %v; want no families (the old tokens should be gone)", fams, err)
		}
		if hasRoles {
			got, err := rs.Roles(ctx(t), u.ID)
			mustNil(t, "Roles(recreated user)", err)
			wantList(t, "Roles(recreated user)", got, nil)
		}
		if hasOAuth {
			got, err := oa.OAuthAccounts(ctx(t), u.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("OAuthAccounts(recreated user) = %+v, %v; want none", got, err)
			}
		}
		if hasPasskeys {
			got, err := ps.Passkeys(ctx(t), u.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("Passkeys(recreated user) = %+v, %v; want none", got, err)
			}
		}
		if ss, ok := s.(fullauth.SessionStore); ok {
			got, err := ss.Sessions(ctx(t), u.ID, baseTime())
			if err != nil || len(got) != 0 {
				t.Errorf("Sessions(recreated user) = %+v, %v; want none", got, err)
			}
		}

		// The other user kept everything.
		wantEqual(t, "RefreshToken(other's)", mustToken(t, s, otherToken.Hash), otherToken)
		if hasRoles {
			got, err := rs.Roles(ctx(t), other.ID)
			mustNil(t, "Roles(other)", err)
			wantList(t, "Roles(other)", got, []string{role})
		}
		if hasOAuth {
			got, err := oa.OAuthAccount(ctx(t), otherLink.Provider, otherLink.ProviderUserID)
			mustNil(t, "OAuthAccount(other's)", err)
			wantEqual(t, "OAuthAccount(other's)", got, otherLink)
		}
		if hasPasskeys {
			got, err := ps.PasskeyByCredentialID(ctx(t), otherPK.CredentialID)
			mustNil(t, "PasskeyByCredentialID(other's)", err)
			wantEqual(t, "PasskeyByCredentialID(other's)", got, otherPK)
		}
	})
}
