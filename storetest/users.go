package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fullauth/fullauth"
)

func testUsers(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		// Two users whose fields differ in every way, so a store that mixes
		// columns up or drops one is caught.
		a := newUser()
		b := &fullauth.User{
			ID:        newUserID(),
			Email:     newEmail(),
			Active:    false,
			Verified:  false,
			Superuser: true,
			CreatedAt: baseTime().Add(-48 * time.Hour),
		}
		mustNil(t, "CreateUser(a)", s.CreateUser(ctx(t), a, newPasswordHash()))
		mustNil(t, "CreateUser(b)", s.CreateUser(ctx(t), b, ""))
		for _, want := range []*fullauth.User{a, b} {
			wantEqual(t, "User("+want.ID+")", mustUser(t, s, want.ID), want)
			got, err := s.UserByEmail(ctx(t), want.Email)
			mustNil(t, "UserByEmail("+want.Email+")", err)
			wantEqual(t, "UserByEmail("+want.Email+")", got, want)
		}
	})

	t.Run("UserByEmailIgnoresCase", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		for _, email := range []string{strings.ToUpper(u.Email), upperFirst(u.Email)} {
			got, err := s.UserByEmail(ctx(t), email)
			mustNil(t, "UserByEmail("+email+")", err)
			wantEqual(t, "UserByEmail("+email+")", got, u)
		}
	})

	t.Run("TimesKeepTheInstant", func(t *testing.T) {
		s := newStore(t)
		u := newUser()
		u.CreatedAt = time.Date(2024, 2, 29, 23, 59, 58, 0, otherZone)
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, ""))
		got := mustUser(t, s, u.ID)
		if !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("User().CreatedAt = %s, want %s (the same instant as %s)",
				fmtTime(got.CreatedAt), fmtTime(u.CreatedAt.UTC()), fmtTime(u.CreatedAt))
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := newStore(t)
		id := newUserID()
		u, err := s.User(ctx(t), id)
		if !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("User(missing) = %+v, %v; want ErrNotFound", u, err)
		}
		u, err = s.UserByEmail(ctx(t), newEmail())
		if !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("UserByEmail(missing) = %+v, %v; want ErrNotFound", u, err)
		}
	})

	t.Run("DuplicateEmail", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		for _, email := range []string{u.Email, strings.ToUpper(u.Email), upperFirst(u.Email)} {
			dup := newUser()
			dup.Email = email
			err := s.CreateUser(ctx(t), dup, "")
			if !errors.Is(err, fullauth.ErrExists) {
				t.Errorf("CreateUser(duplicate %q) err = %v, want ErrExists", email, err)
			}
			if got, err := s.User(ctx(t), dup.ID); !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("after a refused CreateUser, User(its id) = %+v, %v; want ErrNotFound", got, err)
			}
		}
		wantEqual(t, "User(original)", mustUser(t, s, u.ID), u)
	})

	t.Run("ConcurrentCreateSameEmail", func(t *testing.T) {
		s := newStore(t)
		email := newEmail()
		errs := make([]error, raceN)
		race(raceN, func(i int) {
			u := newUser()
			u.Email = email
			errs[i] = s.CreateUser(ctx(t), u, "")
		})
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, fullauth.ErrExists):
				t.Errorf("CreateUser #%d err = %v, want nil or ErrExists", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent CreateUser calls with one email succeeded, want exactly 1", won, raceN)
		}
	})

	t.Run("UpdateEachField", func(t *testing.T) {
		tests := []struct {
			name string
			upd  func() fullauth.UserUpdate
		}{
			{"Email", func() fullauth.UserUpdate {
				e := newEmail()
				return fullauth.UserUpdate{Email: &e}
			}},
			{"ActiveOff", func() fullauth.UserUpdate { return fullauth.UserUpdate{Active: ptr(false)} }},
			{"ActiveOn", func() fullauth.UserUpdate { return fullauth.UserUpdate{Active: ptr(true)} }},
			{"VerifiedOff", func() fullauth.UserUpdate { return fullauth.UserUpdate{Verified: ptr(false)} }},
			{"VerifiedOn", func() fullauth.UserUpdate { return fullauth.UserUpdate{Verified: ptr(true)} }},
			{"SuperuserOn", func() fullauth.UserUpdate { return fullauth.UserUpdate{Superuser: ptr(true)} }},
			{"SuperuserOff", func() fullauth.UserUpdate { return fullauth.UserUpdate{Superuser: ptr(false)} }},
			{"DisplayName", func() fullauth.UserUpdate {
				return fullauth.UserUpdate{DisplayName: ptr("Renamed " + randomHex(3))}
			}},
			{"DisplayNameCleared", func() fullauth.UserUpdate { return fullauth.UserUpdate{DisplayName: ptr("")} }},
			{"Several", func() fullauth.UserUpdate {
				e := newEmail()
				return fullauth.UserUpdate{Email: &e, Active: ptr(false), Superuser: ptr(true), DisplayName: ptr("Several")}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				for _, start := range []bool{false, true} {
					u := newUser()
					u.Active, u.Verified, u.Superuser = start, start, start
					hash := newPasswordHash()
					mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, hash))
					upd := tc.upd()
					want := applyUpdate(*u, upd)
					got, err := s.UpdateUser(ctx(t), u.ID, upd)
					mustNil(t, "UpdateUser", err)
					wantEqual(t, "UpdateUser() result", got, &want)
					wantEqual(t, "User() after UpdateUser", mustUser(t, s, u.ID), &want)
					byEmail, err := s.UserByEmail(ctx(t), want.Email)
					mustNil(t, "UserByEmail(new email)", err)
					wantEqual(t, "UserByEmail() after UpdateUser", byEmail, &want)
					if got, err := s.PasswordHash(ctx(t), u.ID); err != nil || got != hash {
						t.Errorf("PasswordHash() after UpdateUser = %q, %v; want %q, nil", got, err, hash)
					}
				}
			})
		}
	})

	t.Run("UpdateEmpty", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		got, err := s.UpdateUser(ctx(t), u.ID, fullauth.UserUpdate{})
		mustNil(t, "UpdateUser(empty)", err)
		wantEqual(t, "UpdateUser(empty) result", got, u)
		wantEqual(t, "User() after UpdateUser(empty)", mustUser(t, s, u.ID), u)
	})

	t.Run("UpdateEmailFreesOldEmail", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		old, next := u.Email, newEmail()
		_, err := s.UpdateUser(ctx(t), u.ID, fullauth.UserUpdate{Email: &next})
		mustNil(t, "UpdateUser(email)", err)
		if got, err := s.UserByEmail(ctx(t), old); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("UserByEmail(old email) = %+v, %v; want ErrNotFound", got, err)
		}
		got, err := s.UserByEmail(ctx(t), strings.ToUpper(next))
		mustNil(t, "UserByEmail(new email, upper-cased)", err)
		if got.ID != u.ID {
			t.Errorf("UserByEmail(new email).ID = %q, want %q", got.ID, u.ID)
		}
		other := newUser()
		other.Email = old
		wantErr(t, "CreateUser(with the email given up)", s.CreateUser(ctx(t), other, ""), nil)
	})

	t.Run("UpdateEmailToItsOwn", func(t *testing.T) {
		s := newStore(t)
		u := mustCreateUser(t, s)
		email := u.Email
		got, err := s.UpdateUser(ctx(t), u.ID, fullauth.UserUpdate{Email: &email})
		mustNil(t, "UpdateUser(same email)", err)
		wantEqual(t, "UpdateUser(same email) result", got, u)
	})

	t.Run("UpdateEmailClash", func(t *testing.T) {
		s := newStore(t)
		u, other := mustCreateUser(t, s), mustCreateUser(t, s)
		for _, email := range []string{other.Email, strings.ToUpper(other.Email)} {
			got, err := s.UpdateUser(ctx(t), u.ID, fullauth.UserUpdate{Email: &email, DisplayName: ptr("clash")})
			if !errors.Is(err, fullauth.ErrExists) {
				t.Errorf("UpdateUser(email of another user %q) = %+v, %v; want ErrExists", email, got, err)
			}
		}
		wantEqual(t, "User() after a clashing UpdateUser", mustUser(t, s, u.ID), u)
		wantEqual(t, "User(other) after a clashing UpdateUser", mustUser(t, s, other.ID), other)
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		s := newStore(t)
		id := newUserID()
		for _, upd := range []fullauth.UserUpdate{{}, {DisplayName: ptr("ghost")}, {Email: ptr(newEmail())}} {
			got, err := s.UpdateUser(ctx(t), id, upd)
			if !errors.Is(err, fullauth.ErrNotFound) {
				t.Errorf("UpdateUser(missing, %s) = %+v, %v; want ErrNotFound", describeUpdate(upd), got, err)
			}
		}
		if got, err := s.User(ctx(t), id); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("after UpdateUser(missing), User() = %+v, %v; want ErrNotFound", got, err)
		}
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		s := newStore(t)
		u := newUser()
		want := *u
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, ""))
		scribble(u)
		got := mustUser(t, s, want.ID)
		scribble(got)
		byEmail, err := s.UserByEmail(ctx(t), want.Email)
		mustNil(t, "UserByEmail", err)
		scribble(byEmail)
		updated, err := s.UpdateUser(ctx(t), want.ID, fullauth.UserUpdate{})
		mustNil(t, "UpdateUser(empty)", err)
		scribble(updated)
		wantEqual(t, "User() after the caller changed earlier results", mustUser(t, s, want.ID), &want)
	})
}

func testPasswords(t *testing.T, newStore func(t *testing.T) fullauth.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStore(t)
		u, hash := newUser(), newPasswordHash()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, hash))
		if got, err := s.PasswordHash(ctx(t), u.ID); err != nil || got != hash {
			t.Errorf("PasswordHash() = %q, %v; want %q, nil", got, err, hash)
		}
	})

	t.Run("NoPassword", func(t *testing.T) {
		s := newStore(t)
		u := newUser()
		mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, ""))
		if got, err := s.PasswordHash(ctx(t), u.ID); err != nil || got != "" {
			t.Errorf("PasswordHash(user without password) = %q, %v; want \"\", nil", got, err)
		}
	})

	t.Run("Set", func(t *testing.T) {
		s := newStore(t)
		for _, initial := range []string{"", newPasswordHash()} {
			u := newUser()
			mustNil(t, "CreateUser", s.CreateUser(ctx(t), u, initial))
			for range 2 {
				hash := newPasswordHash()
				mustNil(t, "SetPasswordHash", s.SetPasswordHash(ctx(t), u.ID, hash))
				if got, err := s.PasswordHash(ctx(t), u.ID); err != nil || got != hash {
					t.Errorf("PasswordHash() after SetPasswordHash = %q, %v; want %q, nil", got, err, hash)
				}
			}
			wantEqual(t, "User() after SetPasswordHash", mustUser(t, s, u.ID), u)
		}
	})

	t.Run("OnlyThatUser", func(t *testing.T) {
		s := newStore(t)
		a, b := newUser(), newUser()
		ha, hb := newPasswordHash(), newPasswordHash()
		mustNil(t, "CreateUser(a)", s.CreateUser(ctx(t), a, ha))
		mustNil(t, "CreateUser(b)", s.CreateUser(ctx(t), b, hb))
		mustNil(t, "SetPasswordHash(a)", s.SetPasswordHash(ctx(t), a.ID, newPasswordHash()))
		if got, err := s.PasswordHash(ctx(t), b.ID); err != nil || got != hb {
			t.Errorf("PasswordHash(b) after SetPasswordHash(a) = %q, %v; want %q, nil", got, err, hb)
		}
	})

	t.Run("MissingUser", func(t *testing.T) {
		s := newStore(t)
		id := newUserID()
		if got, err := s.PasswordHash(ctx(t), id); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("PasswordHash(missing user) = %q, %v; want ErrNotFound", got, err)
		}
		// store.go does not say what SetPasswordHash does for a missing
		// user; it may report ErrNotFound or do nothing, but it must not
		// create anything.
		if err := s.SetPasswordHash(ctx(t), id, newPasswordHash()); err != nil && !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("SetPasswordHash(missing user) err = %v, want nil or ErrNotFound", err)
		}
		if got, err := s.User(ctx(t), id); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("after SetPasswordHash(missing user), User() = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := s.PasswordHash(ctx(t), id); !errors.Is(err, fullauth.ErrNotFound) {
			t.Errorf("after SetPasswordHash(missing user), PasswordHash() = %q, %v; want ErrNotFound", got, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// applyUpdate is the reference semantics of UpdateUser.
func applyUpdate(u fullauth.User, upd fullauth.UserUpdate) fullauth.User {
	if upd.Email != nil {
		u.Email = *upd.Email
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if upd.Verified != nil {
		u.Verified = *upd.Verified
	}
	if upd.Superuser != nil {
		u.Superuser = *upd.Superuser
	}
	if upd.DisplayName != nil {
		u.DisplayName = *upd.DisplayName
	}
	return u
}

func describeUpdate(upd fullauth.UserUpdate) string {
	var set []string
	if upd.Email != nil {
		set = append(set, "Email")
	}
	if upd.Active != nil {
		set = append(set, "Active")
	}
	if upd.Verified != nil {
		set = append(set, "Verified")
	}
	if upd.Superuser != nil {
		set = append(set, "Superuser")
	}
	if upd.DisplayName != nil {
		set = append(set, "DisplayName")
	}
	if set == nil {
		return "empty update"
	}
	return "update of " + strings.Join(set, ", ")
}

// scribble changes every field of a user the caller holds, to show that the
// store kept its own copy.
func scribble(u *fullauth.User) {
	u.Email = "scribbled-" + u.Email
	u.Active = !u.Active
	u.Verified = !u.Verified
	u.Superuser = !u.Superuser
	u.DisplayName = "scribbled"
	u.CreatedAt = u.CreatedAt.Add(time.Hour)
}

// upperFirst upper-cases the first letter of the local part and of the
// domain: "ada@example.com" becomes "Ada@Example.com".
func upperFirst(email string) string {
	local, domain, _ := strings.Cut(email, "@")
	return strings.ToUpper(local[:1]) + local[1:] + "@" + strings.ToUpper(domain[:1]) + domain[1:]
}
