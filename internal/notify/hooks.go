package notify

import (
	"context"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
)

// newUserJSON renders u as the "user" of webhook payloads, in the API's
// shape. Hooks do not carry roles, so roles is always empty rather than a
// guess.
func newUserJSON(u *fullauth.User) *authhttp.UserJSON {
	if u == nil {
		return nil
	}
	return authhttp.NewUserJSON(u, nil)
}

// Hooks returns base with every event also delivered: each event is queued
// as a webhook when one is configured, and the two send hooks queue their
// email when SMTP is configured. When neither is configured and base has
// no sender of its own, the send hooks log the recipient and link at INFO
// instead. base's own functions still run, after the queueing, and their
// errors are returned.
func (n *Notifier) Hooks(base fullauth.Hooks) fullauth.Hooks {
	h := base
	if n.webhookURL != "" {
		h.AfterRegister = n.userEvent("after_register", base.AfterRegister)
		h.AfterLogin = n.userEvent("after_login", base.AfterLogin)
		h.AfterPasswordChange = n.userEvent("after_password_change", base.AfterPasswordChange)
		h.AfterPasswordReset = n.userEvent("after_password_reset", base.AfterPasswordReset)
		h.AfterEmailVerify = n.userEvent("after_email_verify", base.AfterEmailVerify)
		h.AfterLogout = func(ctx context.Context, userID string) error {
			n.webhook(ctx, "after_logout", map[string]any{"user_id": userID})
			if base.AfterLogout != nil {
				return base.AfterLogout(ctx, userID)
			}
			return nil
		}
		h.AfterOAuthLogin = func(ctx context.Context, u *fullauth.User, provider string, created bool) error {
			n.webhook(ctx, "after_oauth_login", map[string]any{"user": newUserJSON(u), "provider": provider, "is_new_user": created})
			if base.AfterOAuthLogin != nil {
				return base.AfterOAuthLogin(ctx, u, provider, created)
			}
			return nil
		}
		h.AfterOAuthRegister = func(ctx context.Context, u *fullauth.User, provider string) error {
			n.webhook(ctx, "after_oauth_register", map[string]any{"user": newUserJSON(u), "provider": provider})
			if base.AfterOAuthRegister != nil {
				return base.AfterOAuthRegister(ctx, u, provider)
			}
			return nil
		}
		h.AfterLockout = func(ctx context.Context, identifier string) error {
			n.webhook(ctx, "after_lockout", map[string]any{"identifier": identifier})
			if base.AfterLockout != nil {
				return base.AfterLockout(ctx, identifier)
			}
			return nil
		}
	}
	h.SendVerificationEmail = n.sender(verificationEmail, base.SendVerificationEmail)
	h.SendPasswordResetEmail = n.sender(resetEmail, base.SendPasswordResetEmail)
	return h
}

// userEvent builds a hook that reports the user as event, then runs next.
func (n *Notifier) userEvent(event string, next func(context.Context, *fullauth.User) error) func(context.Context, *fullauth.User) error {
	return func(ctx context.Context, u *fullauth.User) error {
		n.webhook(ctx, event, map[string]any{"user": newUserJSON(u)})
		if next != nil {
			return next(ctx, u)
		}
		return nil
	}
}

// sender builds a send hook for kind that chains to next.
func (n *Notifier) sender(kind emailKind, next func(ctx context.Context, email, token string) error) func(ctx context.Context, email, token string) error {
	nothingConfigured := n.smtp == nil && n.webhookURL == ""
	if nothingConfigured && next != nil {
		// base delivers it; logging a live link beside it would only leak it.
		return next
	}
	return func(ctx context.Context, email, token string) error {
		link := n.link(kind, token)
		if n.smtp != nil {
			n.queueEmail(ctx, kind, email, link)
		}
		if n.webhookURL != "" {
			n.webhook(ctx, kind.spec().event, map[string]any{"email": email, "token": token})
		}
		if nothingConfigured {
			n.emailLog.InfoContext(ctx, kind.spec().logMessage, "to", email, "link", link)
		}
		if next != nil {
			return next(ctx, email, token)
		}
		return nil
	}
}
