package authhttp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fullauth/fullauth"
)

// BearerToken returns the credential of an "Authorization: Bearer …"
// header (the scheme compared case-insensitively), or "".
func BearerToken(r *http.Request) string {
	// Indexing with the canonical key is Header.Get without its
	// canonicalising; this runs on every authenticated request.
	v := r.Header["Authorization"]
	if len(v) == 0 {
		return ""
	}
	scheme, cred, ok := strings.Cut(v[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(cred)
}

// accessToken finds the request's access token: the bearer header wins,
// then the access cookie (CONTRACT §2.1).
func (h *Handler) accessToken(r *http.Request) string {
	if raw := BearerToken(r); raw != "" || h.cookies == nil {
		return raw
	}
	return value(r, h.cookies.c.AccessName)
}

// Authenticate attaches the user of a valid access token to the request
// context ([fullauth.UserFrom], [ClaimsFrom]) and passes every request on,
// with or without one. When revocation state cannot be read it answers 503
// instead: a token that might be revoked is never accepted.
func (h *Handler) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fullauth.UserFrom(r.Context()) == nil {
			if raw := h.accessToken(r); raw != "" {
				ctx, err := h.auth.AuthenticateContext(r.Context(), raw)
				switch {
				case err == nil:
					r = r.WithContext(ctx)
				case errors.Is(err, fullauth.ErrUnavailable):
					h.writeError(w, r, err)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// RequireUser answers 401 unless the request carries a valid access token
// of an active user; it authenticates the request itself if needed.
func (h *Handler) RequireUser(next http.Handler) http.Handler {
	return h.require(next, func(*fullauth.User) bool { return true })
}

// RequireVerified is RequireUser for users who verified their email; others
// get 403.
func (h *Handler) RequireVerified(next http.Handler) http.Handler {
	return h.require(next, func(u *fullauth.User) bool { return u.Verified })
}

// RequireSuperuser is RequireUser for superusers; others get 403.
func (h *Handler) RequireSuperuser(next http.Handler) http.Handler {
	return h.require(next, func(u *fullauth.User) bool { return u.Superuser })
}

func (h *Handler) require(next http.Handler, allowed func(*fullauth.User) bool) http.Handler {
	check := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := fullauth.UserFrom(r.Context())
		switch {
		case u == nil:
			h.writeError(w, r, fullauth.ErrInvalidToken)
		case !allowed(u):
			h.writeError(w, r, fullauth.ErrForbidden)
		default:
			next.ServeHTTP(w, r)
		}
	})
	return h.Authenticate(check)
}

// RequireRole is RequireUser for users holding any of the roles, as
// [fullauth.Auth.HasRole] decides (superusers pass); others get 403.
func (h *Handler) RequireRole(roles ...string) func(http.Handler) http.Handler {
	return h.requireCheck(func(r *http.Request, u *fullauth.User) (bool, error) {
		return h.auth.HasRole(r.Context(), u, roles...)
	})
}

// RequirePermission is RequireUser for users holding any of the
// permissions through their roles (superusers pass); others get 403. With
// a store that keeps no permissions, only superusers pass.
func (h *Handler) RequirePermission(perms ...string) func(http.Handler) http.Handler {
	return h.requireCheck(func(r *http.Request, u *fullauth.User) (bool, error) {
		ok, err := h.auth.HasPermission(r.Context(), u, perms...)
		if errors.Is(err, fullauth.ErrUnsupported) {
			return false, nil
		}
		return ok, err
	})
}

// requireCheck builds a guard from a check that may need the store.
func (h *Handler) requireCheck(check func(*http.Request, *fullauth.User) (bool, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := check(r, fullauth.UserFrom(r.Context()))
			switch {
			case err != nil:
				h.writeError(w, r, err)
			case !ok:
				h.writeError(w, r, fullauth.ErrForbidden)
			default:
				next.ServeHTTP(w, r)
			}
		})
		return h.RequireUser(inner)
	}
}
