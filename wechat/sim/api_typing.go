package sim

import (
	"net/http"
	"time"
)

type typingRequest struct {
	ToUser     string `json:"touser"`
	Command    string `json:"command"`
	BusinessID string `json:"businessid"`
}

// serveTyping is customerServiceMessage.setTyping on both its paths (docs/protocol.md
// §10.2). Checks run in this order: token, body, command (45072), user (40003 for an
// openid not of the app), send conditions (45015/45047: "impossible if the send
// conditions are not met"), then for
// Typing only: an exchange in the last 30 s (45080) and not already typing (45081).
// CancelTyping succeeds whether or not the indicator is on. Typing uses no quota
// (UNCONFIRMED, docs/protocol.md §12).
func (a *API) serveTyping(w http.ResponseWriter, r *http.Request) {
	ap, e := a.authorize(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var req typingRequest
	if e := decodeJSON(w, r, &req); e != nil {
		writeError(w, e)
		return
	}
	until, changed, e := a.setTyping(ap, &req)
	if e != nil {
		writeError(w, e)
		return
	}
	if changed && a.opts.OnTyping != nil {
		a.opts.OnTyping(ap.id, req.ToUser, until)
	}
	writeJSON(w, okBody)
}

// setTyping applies a typing command; changed reports whether the indicator changed.
func (a *API) setTyping(ap *app, req *typingRequest) (until time.Time, changed bool, _ *apiError) {
	if req.Command != "Typing" && req.Command != "CancelTyping" {
		return time.Time{}, false, fail(codeBadCommand)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, e := ap.user(req.ToUser)
	if e != nil {
		return time.Time{}, false, e
	}
	now := a.now()
	if e := u.mayReceive(now); e != nil {
		return time.Time{}, false, e
	}
	typing := now.Before(u.typingUntil)
	if req.Command == "CancelTyping" {
		u.typingUntil = time.Time{}
		return time.Time{}, typing, nil
	}
	if u.exchangedAt.IsZero() || now.Sub(u.exchangedAt) > typingExchange {
		return time.Time{}, false, fail(codeNoExchange)
	}
	if typing {
		return time.Time{}, false, fail(codeAlreadyTyping)
	}
	u.typingUntil = now.Add(typingLasts)
	return u.typingUntil, true, nil
}
