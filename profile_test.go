package fullauth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fullauth/fullauth"
)

func TestUpdateProfile(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "zed@example.com")
	name := "Zed"
	got, err := e.auth.UpdateProfile(t.Context(), u.ID, fullauth.ProfileUpdate{DisplayName: &name})
	if err != nil || got.DisplayName != "Zed" {
		t.Fatalf("UpdateProfile = %+v, %v; want display name Zed", got, err)
	}
	_, err = e.auth.UpdateProfile(t.Context(), u.ID, fullauth.ProfileUpdate{})
	wantErr(t, "empty UpdateProfile", err, fullauth.ErrNoFieldsToUpdate)
	for name, bad := range map[string]string{"101 characters": strings.Repeat("n", 101), "NUL": "a\x00b", "invalid UTF-8": "a\xffb"} {
		_, err = e.auth.UpdateProfile(t.Context(), u.ID, fullauth.ProfileUpdate{DisplayName: &bad})
		var ve *fullauth.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("UpdateProfile(%s) err = %v, want *ValidationError", name, err)
		}
	}
}

func TestDeleteUser(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "amy@example.com")
	pair := e.mustLogin(t, "amy@example.com")
	if err := e.auth.DeleteUser(t.Context(), u); err != nil {
		t.Fatalf("DeleteUser err = %v", err)
	}
	e.mustReject(t, pair.AccessToken)
	_, err := e.auth.Refresh(t.Context(), pair.RefreshToken, client)
	wantErr(t, "Refresh after delete", err, fullauth.ErrInvalidToken)
	_, err = e.store.User(t.Context(), u.ID)
	wantErr(t, "User after delete", err, fullauth.ErrNotFound)
	// The email can be registered again.
	e.mustRegister(t, "amy@example.com")
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, nil)
	u := e.mustRegister(t, "bea@example.com")
	pair := e.mustLogin(t, "bea@example.com")

	for _, current := range []string{"", "wrong-password"} {
		err := e.auth.ChangePassword(t.Context(), u, current, "new-password-123")
		wantErr(t, "ChangePassword(current="+current+")", err, fullauth.ErrWrongPassword)
	}
	err := e.auth.ChangePassword(t.Context(), u, goodPassword, "short")
	var ve *fullauth.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ChangePassword(weak) err = %v, want *ValidationError", err)
	}
	if err := e.auth.ChangePassword(t.Context(), u, goodPassword, "new-password-123"); err != nil {
		t.Fatalf("ChangePassword err = %v", err)
	}
	e.mustReject(t, pair.AccessToken)
	if _, _, err := e.auth.Login(t.Context(), "bea@example.com", "new-password-123", client); err != nil {
		t.Errorf("Login with the new password err = %v", err)
	}
}

func TestChangePasswordOAuthOnlyUser(t *testing.T) {
	e := newEnv(t, nil)
	u := &fullauth.User{ID: "0190a000-0000-7000-8000-0000000000bb", Email: "oauth-only@example.com", Active: true}
	if err := e.store.CreateUser(t.Context(), u, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.ChangePassword(t.Context(), u, "", "first-password-1"); err != nil {
		t.Fatalf("ChangePassword for a user without a password err = %v, want nil", err)
	}
	if _, _, err := e.auth.Login(t.Context(), "oauth-only@example.com", "first-password-1", client); err != nil {
		t.Errorf("Login err = %v", err)
	}
}
