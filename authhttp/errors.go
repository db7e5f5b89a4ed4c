package authhttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/fullauth/fullauth"
)

// Public messages of CONTRACT §0 and §3.
const (
	msgCredentials = "Could not validate credentials"
	msgForbidden   = "Not enough permissions"
)

// statusOf is the one table from errors to HTTP answers. Text shown to
// clients comes from here or from error types whose message is public by
// contract, never from err.Error().
var statusOf = []struct {
	err     error
	status  int
	message string
}{
	{fullauth.ErrInvalidCredentials, http.StatusUnauthorized, msgCredentials},
	{fullauth.ErrInvalidToken, http.StatusUnauthorized, msgCredentials},
	{fullauth.ErrTokenReused, http.StatusUnauthorized, msgCredentials},
	{fullauth.ErrForbidden, http.StatusForbidden, msgForbidden},
	{fullauth.ErrExists, http.StatusConflict, "A user with this email already exists"},
	{fullauth.ErrWrongPassword, http.StatusBadRequest, "Current password is incorrect"},
	{fullauth.ErrNoFieldsToUpdate, http.StatusBadRequest, "No valid fields to update"},
	{fullauth.ErrRateLimited, http.StatusTooManyRequests, "Too many requests. Try again later."},
	{fullauth.ErrUnavailable, http.StatusServiceUnavailable, "Service temporarily unavailable. Try again later."},
	{fullauth.ErrNotFound, http.StatusNotFound, "Not Found"},
	{fullauth.ErrUnsupported, http.StatusNotFound, "Not Found"},
	{errBodyTooLarge, http.StatusRequestEntityTooLarge, "Request body too large"},
	{errBodyUnreadable, http.StatusBadRequest, "There was an error parsing the body"},
	// The request's context ends only when the client goes away, so nobody
	// reads this answer; its status tells logs and metrics what happened
	// (499, as nginx calls it) instead of a 500 and an error log.
	{context.Canceled, statusClientClosed, "Client Closed Request"},
}

// statusClientClosed is the status recorded for a request whose client
// went away before the answer.
const statusClientClosed = 499

var (
	errBodyTooLarge   = errors.New("authhttp: request body too large")
	errBodyUnreadable = errors.New("authhttp: the request body could not be read")
)

// bearerChallenge is the WWW-Authenticate value of every 401, shared like
// jsonContentType.
var bearerChallenge = []string{"Bearer"}[:1:1]

// unknownFieldsError is the 422 of PATCH /me for keys that are not fields.
type unknownFieldsError struct{ message string }

func (e *unknownFieldsError) Error() string { return "authhttp: " + e.message }

// writeError answers r with the response err maps to. Errors outside the
// table are logged and answered with a bare 500.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve  *fullauth.ValidationError
		re  *fullauth.RetryError
		fe  *fieldErrors
		ufe *unknownFieldsError
		pe  *publicError
	)
	switch {
	case errors.As(err, &pe):
		writeDetail(w, pe.status, pe.message)
		return
	case errors.As(err, &fe):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": fe.list})
		return
	case errors.As(err, &ve):
		writeDetail(w, http.StatusUnprocessableEntity, ve.Message)
		return
	case errors.As(err, &ufe):
		writeDetail(w, http.StatusUnprocessableEntity, ufe.message)
		return
	case errors.As(err, &re):
		secs := ceilSeconds(re.After)
		w.Header().Set("Retry-After", secs)
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(re.Limit))
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", secs)
	}
	for _, row := range statusOf {
		if errors.Is(err, row.err) {
			if row.status == http.StatusUnauthorized {
				w.Header()["Www-Authenticate"] = bearerChallenge
			}
			if row.status >= 500 {
				h.log.WarnContext(r.Context(), "request failed", "method", r.Method, "path", h.routePath(r), "err", err)
			}
			writeDetail(w, row.status, row.message)
			return
		}
	}
	h.log.ErrorContext(r.Context(), "unhandled error", "method", r.Method, "path", h.routePath(r), "err", err)
	writeDetail(w, http.StatusInternalServerError, "Internal Server Error")
}

// routePath is the path of r as the routes know it, without the prefix
// of Options.Prefix.
func (h *Handler) routePath(r *http.Request) string {
	return strings.TrimPrefix(r.URL.Path, h.prefix)
}
