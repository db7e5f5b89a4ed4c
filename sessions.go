package fullauth

import (
	"context"
	"slices"
	"time"
)

// SessionInfo is a session as its owner sees it.
type SessionInfo struct {
	Session
	// Current marks the session the request was made in.
	Current bool
}

// SupportsSessions reports whether the store can list and end sessions
// ([SessionStore]).
func (a *Auth) SupportsSessions() bool { return a.sessions != nil }

// Sessions lists the user's live sessions, most recently used first;
// current names the caller's own (the family_id of its access token).
func (a *Auth) Sessions(ctx context.Context, userID, current string) ([]SessionInfo, error) {
	if a.sessions == nil {
		return nil, ErrUnsupported
	}
	list, err := a.sessions.Sessions(ctx, userID, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, len(list))
	for i, s := range list {
		out[i] = SessionInfo{Session: s, Current: current != "" && s.FamilyID == current}
	}
	return out, nil
}

// EndSession signs the user out of one session: its refresh tokens are
// revoked and its access tokens stop working at once (CONTRACT §24.14). A
// session that is not the user's is ErrNotFound; ending an ended session
// again succeeds.
func (a *Auth) EndSession(ctx context.Context, userID, familyID string) error {
	if a.sessions == nil {
		return ErrUnsupported
	}
	found, err := a.sessions.EndSession(ctx, userID, familyID)
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	if err := a.revokeFamilies(ctx, []string{familyID}); err != nil {
		return err
	}
	a.logs.named("sessions").InfoContext(ctx, "Session revoked", "user_id", userID, "family_id", familyID)
	return nil
}

// EndOtherSessions signs the user out of every session but keep and
// returns how many sessions it ended (CONTRACT §24.13: sessions, not rows).
func (a *Auth) EndOtherSessions(ctx context.Context, userID, keep string) (int, error) {
	if a.sessions == nil {
		return 0, ErrUnsupported
	}
	// The count is of sessions as GET /sessions lists them: families with
	// a live row. The store also revokes rows of families whose tokens had
	// all expired, which were no session any more.
	live, err := a.sessions.Sessions(ctx, userID, time.Now())
	if err != nil {
		return 0, err
	}
	families, err := a.sessions.EndOtherSessions(ctx, userID, keep)
	if err != nil {
		return 0, err
	}
	if err := a.revokeFamilies(ctx, families); err != nil {
		return 0, err
	}
	ended := 0
	for _, s := range live {
		if slices.Contains(families, s.FamilyID) {
			ended++
		}
	}
	a.logs.named("sessions").InfoContext(ctx, "Other sessions revoked", "user_id", userID, "count", ended)
	return ended, nil
}
