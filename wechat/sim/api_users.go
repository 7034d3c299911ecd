package sim

import (
	"fmt"
	"slices"
	"time"

	"kefu"
)

// user is one openid of one app, as the API server sees it.
type user struct {
	remaining   int       // sends left in the window
	expiresAt   time.Time // when the window closes; zero: never opened
	exchangedAt time.Time // last user message or successful send (typing's 30 s rule)
	typingUntil time.Time // typing indicator shown until then
	received    []Delivery
}

// Delivery is one message that reached a user through the send API.
type Delivery struct {
	Seq        int       `json:"seq"` // 1, 2, … per user: a duplicate send shows as an extra Seq
	At         time.Time `json:"at"`
	MsgType    string    `json:"msgtype"`            // text, image, link or miniprogrampage
	Text       string    `json:"text,omitempty"`     // text: the content
	MediaID    string    `json:"media_id,omitempty"` // image: the image (bytes via API.Media)
	Link       *Link     `json:"link,omitempty"`
	Card       *Card     `json:"miniprogrampage,omitempty"`
	BusinessID string    `json:"businessid,omitempty"`
}

// Link is a link message (图文链接) as sent.
type Link struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	ThumbURL    string `json:"thumb_url"`
}

// Card is a mini-program card (小程序卡片) as sent; ThumbMediaID names its image.
type Card struct {
	Title        string `json:"title"`
	AppID        string `json:"appid"`
	PagePath     string `json:"pagepath"`
	ThumbMediaID string `json:"thumb_media_id"`
}

// UserMessage records that openID wrote to appID's customer service, as the push side
// does when a simulated user sends anything: the reply window opens or widens with
// Rules.UserMessage (not accumulating, docs/protocol.md §12), and it counts as a message
// exchange for typing's 30 s rule. It fails only for an unknown app or empty openid.
func (a *API) UserMessage(appID, openID string) error {
	return a.userActed(appID, openID, a.opts.Rules.UserMessage, true)
}

// UserEntered records that openID entered appID's customer-service chat
// (user_enter_tempsession): the window opens or widens with Rules.EnterSession. An
// entry is an event, not a message, so it does not count as an exchange for typing.
func (a *API) UserEntered(appID, openID string) error {
	return a.userActed(appID, openID, a.opts.Rules.EnterSession, false)
}

// AddUser records that openID is a user of appID who has not acted yet. WeChat knows
// every user of a mini program by an openid of that app, so the send and typing APIs
// answer such a user 45015 (no reply window), and only an openid that is not the
// app's 40003 (docs/protocol.md §11–§12). It fails only for an unknown app or empty openid.
func (a *API) AddUser(appID, openID string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.addUser(appID, openID)
	return err
}

// addUser returns the user openID of appID, added if new. The caller holds a.mu.
func (a *API) addUser(appID, openID string) (*user, error) {
	if openID == "" {
		return nil, fmt.Errorf("sim: empty openid")
	}
	ap, ok := a.apps[appID]
	if !ok {
		return nil, fmt.Errorf("sim: unknown app %q", appID)
	}
	u := ap.users[openID]
	if u == nil {
		u = &user{}
		ap.users[openID] = u
	}
	return u, nil
}

func (a *API) userActed(appID, openID string, g kefu.Grant, exchange bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, err := a.addUser(appID, openID)
	if err != nil {
		return err
	}
	now := a.now()
	u.grant(g, now)
	if exchange {
		u.exchangedAt = now
	}
	return nil
}

// grant applies one qualifying action. Inside a live window the count becomes the
// larger of what is left and the grant, and the expiry the later of the two; outside
// one the grant starts afresh. This max() reading of "不累加" is UNCONFIRMED
// (docs/protocol.md §12) and matches kefu.ComputeQuota.
func (u *user) grant(g kefu.Grant, now time.Time) {
	end := now.Add(g.Window)
	if now.Before(u.expiresAt) {
		u.remaining = max(u.remaining, g.Sends)
		if end.After(u.expiresAt) {
			u.expiresAt = end
		}
		return
	}
	u.remaining, u.expiresAt = g.Sends, end
}

// mayReceive applies the send conditions: 45015 outside a window (or before the
// user's first action), 45047 when its sends are used up.
func (u *user) mayReceive(now time.Time) *apiError {
	if !now.Before(u.expiresAt) {
		return fail(codeOutOfTime)
	}
	if u.remaining <= 0 {
		return fail(codeOutOfCount)
	}
	return nil
}

// user finds a user the send and typing APIs may address: 40003 for an openid that is
// not the app's (neither added nor ever acted). The caller holds a.mu.
func (ap *app) user(openID string) (*user, *apiError) {
	u, ok := ap.users[openID]
	if !ok {
		return nil, fail(codeInvalidOpenID)
	}
	return u, nil
}

// lookupUser is for the observing methods. The caller holds a.mu.
func (a *API) lookupUser(appID, openID string) *user {
	if ap, ok := a.apps[appID]; ok {
		return ap.users[openID]
	}
	return nil
}

// Received returns, oldest first, every message delivered to openID of appID.
func (a *API) Received(appID, openID string) []Delivery {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u := a.lookupUser(appID, openID); u != nil {
		return slices.Clone(u.received)
	}
	return nil
}

// Typing reports whether the user sees the typing indicator now (15 s after Typing,
// until CancelTyping or a send).
func (a *API) Typing(appID, openID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.lookupUser(appID, openID)
	return u != nil && a.now().Before(u.typingUntil)
}

// Quota returns the user's reply window now, as WeChat counts it.
func (a *API) Quota(appID, openID string) kefu.QuotaState {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.lookupUser(appID, openID)
	if u == nil {
		return kefu.QuotaState{}
	}
	st := kefu.QuotaState{Remaining: u.remaining, ExpiresAt: u.expiresAt}
	if !a.now().Before(u.expiresAt) {
		st.Remaining = 0
	}
	st.Open = st.Remaining > 0
	return st
}
