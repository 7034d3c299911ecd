package sim

import (
	"fmt"
	"slices"
	"time"

	"kefu"
)

// WebToolState is where a user stands with WeChat's web customer-service tool
// (网页版客服工具, docs/protocol.md §9 and §13).
type WebToolState string

// The web-tool states. A transfer puts the user in the FIFO queue (waiting), where
// their messages are still pushed to the developer URL; once an agent accepts, they
// go to the web tool instead, until the agent closes the session or it has been idle
// for WebToolRelease.
const (
	WebToolNone     WebToolState = "none"
	WebToolWaiting  WebToolState = "waiting"
	WebToolAccepted WebToolState = "accepted"
)

// webToolSession is one user's state; lastActivity is when an accepted session was
// last used (accepted, or a message went to the web tool).
type webToolSession struct {
	state        WebToolState
	lastActivity time.Time
}

// state returns u's web-tool state at now, ending an accepted session idle for
// release. The 30 minutes are taken as idle time, not session age (UNCONFIRMED,
// docs/protocol.md §9). The caller holds s.mu.
func (u *simUser) state(now time.Time, release time.Duration) WebToolState {
	w := &u.webTool
	if w.state == WebToolAccepted && now.Sub(w.lastActivity) >= release {
		*w = webToolSession{}
	}
	if w.state == "" {
		return WebToolNone
	}
	return w.state
}

// takeForWebTool reports whether the user's message goes to the web tool instead of
// the URL (an agent has accepted them), and if so logs it there. The caller holds s.mu.
func (s *Simulator) takeForWebTool(k userKey, sent *Sent, now time.Time) bool {
	u := s.user(k)
	if sent.Kind == kefu.KindEnter || u.state(now, s.opts.WebToolRelease) != WebToolAccepted {
		return false
	}
	u.webTool.lastActivity = now
	u.webLog = append(u.webLog, sent)
	return true
}

// transferred hands the user's message to the web tool after a transfer reply: the
// message is in the web tool's log, and a user not yet queued joins the end of the
// queue. The caller holds s.mu.
func (s *Simulator) transferred(k userKey, sent *Sent, now time.Time) {
	u := s.user(k)
	u.webLog = append(u.webLog, sent)
	if u.state(now, s.opts.WebToolRelease) == WebToolNone {
		u.webTool = webToolSession{state: WebToolWaiting}
		s.queues[k.appID] = append(s.queues[k.appID], k.openID)
	}
}

// WebToolState returns the user's state with the web tool now.
func (s *Simulator) WebToolState(appID, openID string) WebToolState {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userKey{appID, openID}]
	if u == nil {
		return WebToolNone
	}
	return u.state(s.now(), s.opts.WebToolRelease)
}

// WebToolQueue returns the openids waiting for an agent of appID, first come first.
func (s *Simulator) WebToolQueue(appID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queues[appID])
}

// AcceptWebTool is an agent accepting a waiting user (接入): from now on the user's
// messages go to the web tool, not the developer URL. Only a waiting user can be
// accepted.
func (s *Simulator) AcceptWebTool(appID, openID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := userKey{appID, openID}
	u := s.users[k]
	now := s.now()
	if u == nil || u.state(now, s.opts.WebToolRelease) != WebToolWaiting {
		return fmt.Errorf("sim: %s/%s is not waiting for the web tool", appID, openID)
	}
	s.dequeue(k)
	u.webTool = webToolSession{state: WebToolAccepted, lastActivity: now}
	return nil
}

// CloseWebTool is an agent closing the user's session, or dropping them from the
// queue: their messages are pushed to the developer URL again.
func (s *Simulator) CloseWebTool(appID, openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := userKey{appID, openID}
	s.dequeue(k)
	if u := s.users[k]; u != nil {
		u.webTool = webToolSession{}
	}
}

// dequeue removes k from its app's queue. The caller holds s.mu.
func (s *Simulator) dequeue(k userKey) {
	s.queues[k.appID] = slices.DeleteFunc(s.queues[k.appID], func(id string) bool { return id == k.openID })
}

// WebToolMessages returns, oldest first, the user's messages the web tool received:
// those answered with a transfer and those sent while an agent had accepted them.
func (s *Simulator) WebToolMessages(appID, openID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userKey{appID, openID}]
	if u == nil {
		return nil
	}
	out := make([]Sent, len(u.webLog))
	for i, m := range u.webLog {
		out[i] = *m
	}
	return out
}
