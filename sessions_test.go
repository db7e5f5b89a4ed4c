package fullauth_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/fullauth/fullauth"
)

func TestSessionsListAndEnd(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "ses@example.com")
	first := e.mustLogin(t, "ses@example.com")
	second := e.mustLogin(t, "ses@example.com")
	third := e.mustLogin(t, "ses@example.com")
	ctx := t.Context()

	list, err := e.auth.Sessions(ctx, u.ID, second.FamilyID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("Sessions = %d, want 3", len(list))
	}
	current := 0
	for _, s := range list {
		if s.Current {
			current++
			if s.FamilyID != second.FamilyID {
				t.Errorf("current session = %s, want %s", s.FamilyID, second.FamilyID)
			}
		}
		if s.IPAddress != "127.0.0.1" || s.UserAgent != "test" {
			t.Errorf("session metadata = %q %q, want the login's", s.IPAddress, s.UserAgent)
		}
	}
	if current != 1 {
		t.Errorf("%d sessions marked current, want 1", current)
	}

	if err := e.auth.EndSession(ctx, u.ID, first.FamilyID); err != nil {
		t.Fatal(err)
	}
	e.mustReject(t, first.AccessToken) // at once, not at expiry
	e.mustAuthenticate(t, second.AccessToken)
	if err := e.auth.EndSession(ctx, u.ID, first.FamilyID); err != nil {
		t.Errorf("ending an ended session again err = %v, want nil", err)
	}
	other := e.mustRegister(t, "other@example.com")
	wantErr(t, "EndSession of another user's session", e.auth.EndSession(ctx, other.ID, second.FamilyID), fullauth.ErrNotFound)
	wantErr(t, "EndSession of an unknown session", e.auth.EndSession(ctx, u.ID, "no-such-family"), fullauth.ErrNotFound)

	// Rotate the third session so it has two rows: revoke-others counts
	// sessions, not rows (CONTRACT §24.13).
	if _, err := e.auth.Refresh(ctx, third.RefreshToken, client); err != nil {
		t.Fatal(err)
	}
	n, err := e.auth.EndOtherSessions(ctx, u.ID, second.FamilyID)
	if err != nil || n != 1 {
		t.Fatalf("EndOtherSessions = %d, %v; want 1 (the third session)", n, err)
	}
	e.mustReject(t, third.AccessToken)
	e.mustAuthenticate(t, second.AccessToken)
	if list, _ := e.auth.Sessions(ctx, u.ID, ""); len(list) != 1 || list[0].Current {
		t.Errorf("Sessions after revoke-others = %+v, want only the kept one, not marked current", list)
	}
}

func TestAdminSetActiveAndDelete(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.auth.CreateSuperuser(t.Context(), "root@example.com", "x")
	u := e.mustRegister(t, "deact@example.com")
	pair := e.mustLogin(t, "deact@example.com")
	ctx := t.Context()

	got, err := e.auth.SetActive(ctx, admin, u.ID, false)
	if err != nil || got.Active {
		t.Fatalf("SetActive(false) = %+v, %v", got, err)
	}
	e.mustReject(t, pair.AccessToken)
	_, err = e.auth.Refresh(ctx, pair.RefreshToken, client)
	wantErr(t, "Refresh of a deactivated user", err, fullauth.ErrInvalidToken)
	_, _, err = e.auth.Login(ctx, "deact@example.com", goodPassword, client)
	wantErr(t, "Login while deactivated", err, fullauth.ErrInvalidCredentials)

	if _, err := e.auth.SetActive(ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	fresh := e.mustLogin(t, "deact@example.com")
	e.mustAuthenticate(t, fresh.AccessToken)
	// The old session stays ended after reactivation.
	_, err = e.auth.Refresh(ctx, pair.RefreshToken, client)
	if err == nil {
		t.Error("a session ended by deactivation came back after reactivation")
	}

	if err := e.auth.AdminDeleteUser(ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	e.mustReject(t, fresh.AccessToken)
	wantErr(t, "AdminDeleteUser of a deleted user", e.auth.AdminDeleteUser(ctx, admin, u.ID), fullauth.ErrNotFound)
	_, err = e.auth.SetActive(ctx, admin, u.ID, true)
	wantErr(t, "SetActive of a deleted user", err, fullauth.ErrNotFound)
}

// "Sign out other sessions" counts sessions as the list shows them: a
// family whose refresh tokens have all expired is no session any more,
// though the store revokes its rows too (CONTRACT §24.13).
func TestEndOtherSessionsCountsLiveSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(c *fullauth.Config) { c.RefreshTokenTTL = time.Hour })
		u := e.mustRegister(t, "eli@example.com")
		e.mustLogin(t, "eli@example.com")
		e.mustLogin(t, "eli@example.com")
		time.Sleep(2 * time.Hour) // both expire
		e.mustLogin(t, "eli@example.com")
		current := e.mustLogin(t, "eli@example.com")
		listed, err := e.auth.Sessions(t.Context(), u.ID, current.FamilyID)
		if err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 {
			t.Fatalf("Sessions lists %d, want 2 (the two live ones)", len(listed))
		}
		n, err := e.auth.EndOtherSessions(t.Context(), u.ID, current.FamilyID)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("EndOtherSessions = %d, want 1: the one other live session, not the expired ones", n)
		}
	})
}
