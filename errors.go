package fullauth

import (
	"errors"
	"strings"
	"time"
)

// Sentinel errors. Callers branch on them with errors.Is; the HTTP layer maps
// each to one status code in a single table. Failures that could reveal
// whether an account exists all collapse into ErrInvalidCredentials.
var (
	ErrNotFound           = errors.New("fullauth: not found")
	ErrExists             = errors.New("fullauth: already exists")
	ErrInvalidCredentials = errors.New("fullauth: invalid credentials")
	ErrInvalidToken       = errors.New("fullauth: invalid token")
	ErrTokenReused        = errors.New("fullauth: refresh token reused")
	ErrForbidden          = errors.New("fullauth: forbidden")
	ErrWrongPassword      = errors.New("fullauth: current password is incorrect")
	ErrNoFieldsToUpdate   = errors.New("fullauth: no valid fields to update")
	ErrRateLimited        = errors.New("fullauth: too many requests")
	// ErrUnavailable reports that shared state (the KV) could not be read,
	// so a security decision could not be made. Requests fail closed.
	ErrUnavailable = errors.New("fullauth: service unavailable")
	// ErrUnsupported is returned when an operation needs a storage capability
	// the configured store does not implement.
	ErrUnsupported = errors.ErrUnsupported
)

// ValidationError carries a message that is safe to show to the client, such
// as the joined password-policy violations. The HTTP layer answers 422.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return "fullauth: invalid " + e.Field + ": " + e.Message }

// RetryError says when a rate-limited caller may try again. It unwraps to
// ErrRateLimited.
type RetryError struct {
	After     time.Duration
	Limit     int
	Remaining int
}

func (e *RetryError) Error() string { return ErrRateLimited.Error() }
func (e *RetryError) Unwrap() error { return ErrRateLimited }

// ConfigError lists every problem found in a Config. The first problem is
// the one CONTRACT §7.4 would report first, so its message can be printed
// alone where wire-compatible output is wanted.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string { return strings.Join(e.Problems, "\n") }
