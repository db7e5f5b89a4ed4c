package authhttp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fullauth/fullauth"
)

// publicError is an answer whose message is public by contract and
// specific to its route ("User not found", "Session not found").
type publicError struct {
	status  int
	message string
}

func (e *publicError) Error() string { return "authhttp: " + e.message }

var (
	errUserNotFound    = &publicError{http.StatusNotFound, "User not found"}
	errSessionNotFound = &publicError{http.StatusNotFound, "Session not found"}
)

// sessionRoutes are mounted when the store can list sessions (CONTRACT §3.7).
func (h *Handler) sessionRoutes() []route {
	if !h.auth.SupportsSessions() {
		return nil
	}
	return []route{
		{"GET /sessions", guardUser, h.listSessions},
		{"DELETE /sessions/{family_id}", guardUser, h.endSession},
		{"POST /sessions/revoke-others", guardUser, h.endOtherSessions},
	}
}

// adminRoutes are mounted for the capabilities the store has: role routes
// with roles, permission routes with permissions (CONTRACT §3.4), user
// management with user listing. A missing capability is never a 500.
func (h *Handler) adminRoutes() []route {
	var out []route
	if h.auth.SupportsRoles() {
		out = append(out,
			route{"POST /admin/assign-role", guardSuperuser, h.assignRole},
			route{"POST /admin/remove-role", guardSuperuser, h.removeRole})
	}
	if h.auth.SupportsPermissions() {
		out = append(out,
			route{"POST /admin/assign-permission", guardSuperuser, h.assignPermission},
			route{"POST /admin/remove-permission", guardSuperuser, h.removePermission},
			route{"GET /admin/role-permissions/{role_name}", guardSuperuser, h.rolePermissions})
	}
	if h.auth.SupportsUserList() {
		out = append(out,
			route{"GET /admin/users", guardSuperuser, h.listUsers},
			route{"GET /admin/users/{user_id}", guardSuperuser, h.getUser},
			route{"POST /admin/users/{user_id}/activate", guardSuperuser, h.activateUser},
			route{"POST /admin/users/{user_id}/deactivate", guardSuperuser, h.deactivateUser},
			route{"DELETE /admin/users/{user_id}", guardSuperuser, h.deleteUser})
	}
	return out
}

// SessionJSON is one entry of GET /sessions.
type SessionJSON struct {
	FamilyID   string  `json:"family_id"`
	IPAddress  *string `json:"ip_address"`
	UserAgent  *string `json:"user_agent"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt string  `json:"last_used_at"`
	ExpiresAt  string  `json:"expires_at"`
	Current    bool    `json:"current"`
}

// isoTime renders a time as pydantic does for UTC: ISO 8601 with "Z".
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) error {
	family := ""
	if c := ClaimsFrom(r.Context()); c != nil {
		family = c.FamilyID
	}
	list, err := h.auth.Sessions(r.Context(), fullauth.UserFrom(r.Context()).ID, family)
	if err != nil {
		return err
	}
	out := make([]SessionJSON, len(list))
	for i, s := range list {
		out[i] = SessionJSON{
			FamilyID:   s.FamilyID,
			IPAddress:  nullable(s.IPAddress),
			UserAgent:  nullable(s.UserAgent),
			CreatedAt:  isoTime(s.CreatedAt),
			LastUsedAt: isoTime(s.LastUsedAt),
			ExpiresAt:  isoTime(s.ExpiresAt),
			Current:    s.Current,
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	err := h.auth.EndSession(r.Context(), fullauth.UserFrom(r.Context()).ID, r.PathValue("family_id"))
	if errors.Is(err, fullauth.ErrNotFound) {
		return errSessionNotFound
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request) error {
	c := ClaimsFrom(r.Context())
	if c == nil || c.FamilyID == "" {
		return fullauth.ErrInvalidToken
	}
	n, err := h.auth.EndOtherSessions(r.Context(), fullauth.UserFrom(r.Context()).ID, c.FamilyID)
	if err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, "Signed out "+strconv.Itoa(n)+" other session(s).")
	return nil
}

// roleBody reads {"user_id": string, "role": string}.
func (h *Handler) roleBody(w http.ResponseWriter, r *http.Request) (userID, role string, err error) {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return "", "", err
	}
	// user_id is typed as a UUID whatever the store's keys are (§3.4), and
	// answers carry it in canonical form.
	userID, role = b.uuidField("user_id"), b.str("role")
	return userID, role, b.err()
}

func (h *Handler) assignRole(w http.ResponseWriter, r *http.Request) error {
	userID, role, err := h.roleBody(w, r)
	if err != nil {
		return err
	}
	err = h.auth.AssignRole(r.Context(), fullauth.UserFrom(r.Context()), userID, role)
	if errors.Is(err, fullauth.ErrNotFound) {
		return errUserNotFound
	}
	if err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, "Role '"+role+"' assigned to user "+userID+".")
	return nil
}

func (h *Handler) removeRole(w http.ResponseWriter, r *http.Request) error {
	userID, role, err := h.roleBody(w, r)
	if err != nil {
		return err
	}
	if err := h.auth.RemoveRole(r.Context(), fullauth.UserFrom(r.Context()), userID, role); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, "Role '"+role+"' removed from user "+userID+".")
	return nil
}

// permissionBody reads {"role": string, "permission": string}.
func (h *Handler) permissionBody(w http.ResponseWriter, r *http.Request) (role, permission string, err error) {
	b, err := h.readBody(w, r, false)
	if err != nil {
		return "", "", err
	}
	role, permission = b.str("role"), b.str("permission")
	return role, permission, b.err()
}

func (h *Handler) assignPermission(w http.ResponseWriter, r *http.Request) error {
	role, perm, err := h.permissionBody(w, r)
	if err != nil {
		return err
	}
	if err := h.auth.AssignPermission(r.Context(), fullauth.UserFrom(r.Context()), role, perm); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, "Permission '"+perm+"' assigned to role '"+role+"'.")
	return nil
}

func (h *Handler) removePermission(w http.ResponseWriter, r *http.Request) error {
	role, perm, err := h.permissionBody(w, r)
	if err != nil {
		return err
	}
	if err := h.auth.RemovePermission(r.Context(), fullauth.UserFrom(r.Context()), role, perm); err != nil {
		return err
	}
	writeDetail(w, http.StatusOK, "Permission '"+perm+"' removed from role '"+role+"'.")
	return nil
}

func (h *Handler) rolePermissions(w http.ResponseWriter, r *http.Request) error {
	perms, err := h.auth.RolePermissions(r.Context(), r.PathValue("role_name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, perms)
	return nil
}

// UserPageJSON is the body of GET /admin/users.
type UserPageJSON struct {
	Items  []*UserJSON `json:"items"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

// defaultUserPage is the page size of GET /admin/users without ?limit.
const defaultUserPage = 50

// queryInt reads an optional integer query parameter, reporting a bad one
// in FastAPI's shape.
func queryInt(r *http.Request, name string, def int, errs *[]fieldError) int {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fieldError{Type: "int_parsing", Loc: []any{"query", name},
			Msg: "Input should be a valid integer, unable to parse string as an integer", Input: truncateInput(v)})
	}
	return n
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	var errs []fieldError
	q := fullauth.UserQuery{
		EmailContains: r.URL.Query().Get("email"),
		Limit:         queryInt(r, "limit", defaultUserPage, &errs),
		Offset:        queryInt(r, "offset", 0, &errs),
	}
	if len(errs) > 0 {
		return &fieldErrors{errs}
	}
	users, total, err := h.auth.ListUsers(r.Context(), q)
	if err != nil {
		return err
	}
	page := UserPageJSON{Items: make([]*UserJSON, len(users)), Total: total, Limit: q.Limit, Offset: q.Offset}
	for i := range users {
		if page.Items[i], err = h.userJSON(r, &users[i]); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// writeUser answers with u, or "User not found" for ErrNotFound.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, u *fullauth.User, err error) error {
	if errors.Is(err, fullauth.ErrNotFound) {
		return errUserNotFound
	}
	if err != nil {
		return err
	}
	return h.respondUser(w, r, http.StatusOK, u)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth.User(r.Context(), r.PathValue("user_id"))
	return h.writeUser(w, r, u, err)
}

func (h *Handler) activateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth.SetActive(r.Context(), fullauth.UserFrom(r.Context()), r.PathValue("user_id"), true)
	return h.writeUser(w, r, u, err)
}

func (h *Handler) deactivateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth.SetActive(r.Context(), fullauth.UserFrom(r.Context()), r.PathValue("user_id"), false)
	return h.writeUser(w, r, u, err)
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	err := h.auth.AdminDeleteUser(r.Context(), fullauth.UserFrom(r.Context()), r.PathValue("user_id"))
	if errors.Is(err, fullauth.ErrNotFound) {
		return errUserNotFound
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
