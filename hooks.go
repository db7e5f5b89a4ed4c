package fullauth

import "context"

// Hooks are optional callbacks fired by the flows. A nil field is off.
//
// The After* hooks run after the change they report has been stored, on the
// request's goroutine. A hook that panics or returns an error is logged and
// skipped; it never changes the outcome of the request. Hooks that do slow
// work (sending mail, calling webhooks) should hand it off themselves.
type Hooks struct {
	AfterRegister       func(ctx context.Context, u *User) error
	AfterLogin          func(ctx context.Context, u *User) error
	AfterLogout         func(ctx context.Context, userID string) error
	AfterPasswordChange func(ctx context.Context, u *User) error
	AfterPasswordReset  func(ctx context.Context, u *User) error
	AfterEmailVerify    func(ctx context.Context, u *User) error
	AfterOAuthLogin     func(ctx context.Context, u *User, provider string, created bool) error
	AfterOAuthRegister  func(ctx context.Context, u *User, provider string) error
	// AfterLockout fires when failed logins lock an identifier.
	AfterLockout func(ctx context.Context, identifier string) error

	// SendVerificationEmail delivers an email-verification token. It fires on
	// registration (CONTRACT §24.5) and on an explicit request.
	SendVerificationEmail func(ctx context.Context, email, token string) error
	// SendPasswordResetEmail delivers a password-reset token.
	SendPasswordResetEmail func(ctx context.Context, email, token string) error
}
