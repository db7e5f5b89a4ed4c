package authhttp

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/fullauth/fullauth"
)

// Success messages of CONTRACT §3.
const (
	msgRegistered     = "If this email isn't already registered, a verification email has been sent."
	msgVerifySent     = "If eligible, a verification email has been sent."
	msgResetSent      = "If the email exists, a reset link has been sent."
	msgEmailVerified  = "Email verified."
	msgPasswordReset  = "Password has been reset."
	msgPasswordChange = "Password changed successfully."
)

// routes lists every operation the handler serves: the auth, profile and
// verify groups always, sessions and admin as the store allows.
func (h *Handler) routes() []route {
	base := []route{
		{"POST /register", guardNone, h.register},
		{"POST /login", guardNone, h.login},
		{"POST /refresh", guardNone, h.refresh},
		{"POST /logout", guardNone, h.logout},
		{"GET /me", guardUser, h.me},
		{"GET /me/verified", guardVerified, h.me},
		{"PATCH /me", guardUser, h.updateMe},
		{"DELETE /me", guardUser, h.deleteMe},
		{"POST /change-password", guardUser, h.changePassword},
		{"POST /verify-email/request", guardUser, h.requestVerification},
		{"POST /verify-email/confirm", guardNone, h.confirmEmail},
		{"POST /password-reset/request", guardNone, h.requestReset},
		{"POST /password-reset/confirm", guardNone, h.confirmReset},
	}
	return append(append(base, h.sessionRoutes()...), h.adminRoutes()...)
}

// UserJSON is the user object of every response.
type UserJSON struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	IsActive    bool     `json:"is_active"`
	IsVerified  bool     `json:"is_verified"`
	IsSuperuser bool     `json:"is_superuser"`
	DisplayName *string  `json:"display_name"`
	Roles       []string `json:"roles"`
}

// userJSON renders u with its roles as stored now.
func (h *Handler) userJSON(r *http.Request, u *fullauth.User) (*UserJSON, error) {
	roles, err := h.auth.UserRoles(r.Context(), u)
	if err != nil {
		return nil, err
	}
	return NewUserJSON(u, roles), nil
}

// NewUserJSON renders u with the given roles (nil means none) in the shape
// every response and webhook uses.
func NewUserJSON(u *fullauth.User, roles []string) *UserJSON {
	if roles == nil {
		roles = []string{}
	}
	out := &UserJSON{ID: u.ID, Email: u.Email, IsActive: u.Active, IsVerified: u.Verified, IsSuperuser: u.Superuser, Roles: roles}
	if u.DisplayName != "" {
		name := u.DisplayName
		out.DisplayName = &name
	}
	return out
}

// respondUser answers with the user JSON of u.
func (h *Handler) respondUser(w http.ResponseWriter, r *http.Request, status int, u *fullauth.User) error {
	roles, err := h.auth.UserRoles(r.Context(), u)
	if err != nil {
		return err
	}
	writeBody(w, status, appendUserJSON(nil, u, roles))
	return nil
}

// TokenJSON is the body of /refresh, and of /login without "user".
type TokenJSON struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken *string   `json:"refresh_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int       `json:"expires_in"`
	User         *UserJSON `json:"user,omitempty"`
}

// writeTokens answers with a token pair, never cached. With the cookie
// transport the tokens are also set as cookies and the body's
// refresh_token is null: page scripts never see it.
func (h *Handler) writeTokens(w http.ResponseWriter, pair *fullauth.TokenPair, user *UserJSON) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	refresh := &pair.RefreshToken
	if h.cookies != nil {
		cfg := h.auth.Config()
		h.cookies.setTokens(w, pair.AccessToken, pair.RefreshToken, cfg.AccessTokenTTL, cfg.RefreshTokenTTL)
		refresh = nil
	}
	writeJSON(w, http.StatusOK, TokenJSON{
		AccessToken:  pair.AccessToken,
		RefreshToken: refresh,
		TokenType:    "bearer",
		ExpiresIn:    pair.ExpiresIn,
		User:         user,
	})
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	email, pw := b.email("email"), b.str("password")
	if err := b.err(); err != nil {
		return err
	}
	if err := h.limit(r, bucketRegister); err != nil {
		return err
	}
	u, err := h.auth.Register(r.Context(), email, pw)
	reveal := h.auth.Config().RevealRegisteredEmails
	switch {
	case err == nil && reveal:
		return h.respondUser(w, r, http.StatusCreated, u)
	case err == nil, errors.Is(err, fullauth.ErrExists) && !reveal:
		writeDetail(w, http.StatusAccepted, msgRegistered)
		return nil
	default:
		return err
	}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	field := h.auth.Config().LoginField
	login, pw := b.str(field), b.str("password")
	if err := b.err(); err != nil {
		return err
	}
	if err := h.limit(r, bucketLogin); err != nil {
		return err
	}
	u, pair, err := h.auth.Login(r.Context(), login, pw, h.client(r))
	if err != nil {
		return err
	}
	out, err := h.userJSON(r, u)
	if err != nil {
		return err
	}
	h.writeTokens(w, pair, out)
	return nil
}

// refreshFrom finds the refresh token: the cookie first (CONTRACT §2.4),
// then the optional {"refresh_token": string|null} body.
func (h *Handler) refreshFrom(w http.ResponseWriter, r *http.Request) (string, error) {
	if h.cookies != nil {
		if raw := value(r, h.cookies.c.RefreshName); raw != "" {
			return raw, nil
		}
	}
	b, err := h.readBody(w, r, true)
	if err != nil {
		return "", err
	}
	raw, _ := b.optStr("refresh_token", false)
	if err := b.err(); err != nil {
		return "", err
	}
	if raw == nil {
		return "", nil
	}
	return *raw, nil
}

func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) error {
	raw, err := h.refreshFrom(w, r)
	if err != nil {
		return err
	}
	if err := h.limit(r, bucketRefresh); err != nil {
		return err
	}
	if raw == "" {
		return fullauth.ErrInvalidToken
	}
	pair, err := h.auth.Refresh(r.Context(), raw, h.client(r))
	if err != nil {
		return err
	}
	h.writeTokens(w, pair, nil)
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	access := h.accessToken(r)
	if access == "" {
		return fullauth.ErrInvalidToken
	}
	raw, err := h.refreshFrom(w, r)
	if err != nil {
		return err
	}
	if err := h.auth.Logout(r.Context(), access, raw); err != nil {
		return err
	}
	if h.cookies != nil {
		h.cookies.clear(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	return h.respondUser(w, r, http.StatusOK, fullauth.UserFrom(r.Context()))
}

// protectedFields may never be changed through PATCH /me; they are dropped
// silently, as the reference does.
var protectedFields = []string{"created_at", "email", "hashed_password", "id", "is_active", "is_superuser", "is_verified", "password", "refresh_tokens", "roles"}

// profileFields are the fields PATCH /me can change.
var profileFields = []string{"display_name"}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	var unknown []string
	left := 0
	for k := range b.fields {
		switch {
		case slices.Contains(protectedFields, k):
		case slices.Contains(profileFields, k):
			left++
		default:
			unknown = append(unknown, k)
			left++
		}
	}
	// The framework's type errors on known fields come first (§3.2), then
	// the handler's own checks.
	var upd fullauth.ProfileUpdate
	if name, present := b.optStr("display_name", false); present {
		if name == nil {
			name = new(string)
		}
		upd.DisplayName = name
	}
	if err := b.err(); err != nil {
		return err
	}
	if left == 0 {
		return fullauth.ErrNoFieldsToUpdate
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &unknownFieldsError{"Unknown fields: " + strings.Join(unknown, ", ")}
	}
	u, err := h.auth.UpdateProfile(r.Context(), fullauth.UserFrom(r.Context()).ID, upd)
	if err != nil {
		return err
	}
	return h.respondUser(w, r, http.StatusOK, u)
}

func (h *Handler) deleteMe(w http.ResponseWriter, r *http.Request) error {
	if err := h.auth.DeleteUser(r.Context(), fullauth.UserFrom(r.Context())); err != nil {
		return err
	}
	if h.cookies != nil {
		h.cookies.clear(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	next := b.str("new_password")
	current, _ := b.optStr("current_password", false)
	if err := b.err(); err != nil {
		return err
	}
	cur := ""
	if current != nil {
		cur = *current
	}
	if err := h.auth.ChangePassword(r.Context(), fullauth.UserFrom(r.Context()), cur, next); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, msgPasswordChange)
	return nil
}

func (h *Handler) requestVerification(w http.ResponseWriter, r *http.Request) error {
	if err := h.limit(r, bucketVerifyEmailRequest); err != nil {
		return err
	}
	if err := h.auth.RequestEmailVerification(r.Context(), fullauth.UserFrom(r.Context())); err != nil {
		return err
	}
	writeDetail(w, http.StatusAccepted, msgVerifySent)
	return nil
}

func (h *Handler) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	tok := b.str("token")
	if err := b.err(); err != nil {
		return err
	}
	if err := h.limit(r, bucketVerifyEmailConfirm); err != nil {
		return err
	}
	if _, err := h.auth.ConfirmEmail(r.Context(), tok); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, msgEmailVerified)
	return nil
}

func (h *Handler) requestReset(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	email := b.email("email")
	if err := b.err(); err != nil {
		return err
	}
	if err := h.limit(r, bucketPasswordResetRequest); err != nil {
		return err
	}
	if err := h.auth.RequestPasswordReset(r.Context(), email); err != nil {
		return err
	}
	writeDetail(w, http.StatusAccepted, msgResetSent)
	return nil
}

func (h *Handler) confirmReset(w http.ResponseWriter, r *http.Request) error {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return err
	}
	tok, pw := b.str("token"), b.str("new_password")
	if err := b.err(); err != nil {
		return err
	}
	if err := h.limit(r, bucketPasswordResetConfirm); err != nil {
		return err
	}
	if _, err := h.auth.ResetPassword(r.Context(), tok, pw); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, msgPasswordReset)
	return nil
}
