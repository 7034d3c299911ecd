package kefu

import (
	"fmt"
	"sort"
	"time"
)

// QuotaLedger is everything a customer's reply window follows from: the grants their
// actions made (recorded at ingest), the sends made since, and what WeChat said when
// it refused a send the ledger had allowed.
type QuotaLedger struct {
	Grants []QuotaGrant
	// Sends are when WeChat accepted outbound messages.
	Sends []time.Time
	// Pending are when messages not yet sent were queued. They will use the window
	// as it is when they go, not as it was when queued, so each counts as a send at
	// the later of its time and the moment asked about: a grant that came after it
	// is not taken to cover it twice.
	Pending []time.Time
	// Corrections are WeChat's refusals (45015, 45047) at the time they came back.
	Corrections []QuotaCorrection
}

// QuotaCorrection is WeChat contradicting the ledger: Code WxWindowClosed says the
// window was closed at At, WxQuotaUsedUp that no sends were left at At. The ledger
// believes WeChat, until the user's next action.
type QuotaCorrection struct {
	At   time.Time
	Code int
}

// QuotaStanding is the state at one moment with the facts that explain it.
type QuotaStanding struct {
	QuotaState
	At        time.Time // the moment it describes
	Source    Kind      // the kind of the last grant that shaped the window (KindEnter or a message kind); "" if none
	Allowance int       // the sends that grant allowed
	Corrected int       // the WeChat errcode that last corrected the window, 0 if none
}

// At folds the ledger into the standing at now. Grants do not accumulate
// (docs/protocol.md §12): a grant inside a live window raises the count to at most the
// grant's own allowance and the expiry to the later of the two; outside a window it
// starts afresh. Sends in a live window use one each. Events after now are ignored.
func (l QuotaLedger) At(now time.Time) QuotaStanding {
	type event struct {
		at    time.Time
		order int // at one instant: grants, then corrections, then sends
		grant *QuotaGrant
		code  int
	}
	events := make([]event, 0, len(l.Grants)+len(l.Sends)+len(l.Pending)+len(l.Corrections))
	for i := range l.Grants {
		events = append(events, event{at: l.Grants[i].GrantedAt, grant: &l.Grants[i]})
	}
	for _, c := range l.Corrections {
		events = append(events, event{at: c.At, order: 1, code: c.Code})
	}
	for _, s := range l.Sends {
		events = append(events, event{at: s, order: 2})
	}
	for _, p := range l.Pending {
		events = append(events, event{at: later(p, now), order: 2})
	}
	sort.SliceStable(events, func(i, j int) bool {
		if events[i].at.Equal(events[j].at) {
			return events[i].order < events[j].order
		}
		return events[i].at.Before(events[j].at)
	})
	st := QuotaStanding{At: now}
	var lastGrant time.Time
	for _, e := range events {
		if e.at.After(now) {
			break
		}
		live := e.at.Before(st.ExpiresAt)
		switch {
		case e.grant != nil:
			g := e.grant
			if live {
				st.Remaining = max(st.Remaining, g.Sends)
				st.ExpiresAt = later(st.ExpiresAt, g.ExpiresAt)
				// The window's allowance is the largest granted in it: a grant
				// that raises nothing does not change what the window is.
				if g.Sends > st.Allowance {
					st.Source, st.Allowance = g.Kind, g.Sends
				}
			} else {
				st.Remaining, st.ExpiresAt = g.Sends, g.ExpiresAt
				st.Source, st.Allowance = g.Kind, g.Sends
			}
			st.Corrected, lastGrant = 0, e.at
		case e.code != 0 && !lastGrant.IsZero() && e.at.Sub(lastGrant) < correctionSlack:
			// WeChat refused a send that crossed a fresh grant in flight: the refusal
			// is about the window before it, which the grant has replaced.
		case e.code == WxWindowClosed:
			if live {
				st.ExpiresAt = e.at
			}
			st.Remaining, st.Corrected = 0, e.code
		case e.code == WxQuotaUsedUp:
			st.Remaining, st.Corrected = 0, e.code
		default:
			if live && st.Remaining > 0 {
				st.Remaining--
			}
		}
	}
	st.Open = now.Before(st.ExpiresAt) && st.Remaining > 0
	if !now.Before(st.ExpiresAt) {
		st.Remaining = 0
	}
	return st
}

// correctionSlack is how close after a grant a WeChat refusal is taken to have
// crossed it: grants are dated by WeChat's CreateTime, cut to the second, and a
// correction by the start of the refused attempt.
const correctionSlack = 2 * time.Second

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// QuotaRule names the rule behind a refusal.
type QuotaRule string

// The two ways a window says no.
const (
	RuleWindow QuotaRule = "window" // no window is open: none granted, or it closed
	RuleCount  QuotaRule = "count"  // the window is open but its sends are used
)

// QuotaRefusal is the error when the ledger says no. Its message names the rule and
// the time the window closed or closes; errors.As finds an *Error with code EQuota.
type QuotaRefusal struct {
	Rule     QuotaRule
	Standing QuotaStanding
}

func (r *QuotaRefusal) Error() string { return r.Standing.Explain() }

// Unwrap lets ErrorCodeOf and ErrorMessageOf see the refusal as an EQuota *Error.
func (r *QuotaRefusal) Unwrap() error {
	return &Error{Code: EQuota, Message: r.Error(), Key: "quota_" + string(r.Rule)}
}

// Refusal returns nil when a send is allowed, else a *QuotaRefusal.
func (s QuotaStanding) Refusal() error {
	if s.Open {
		return nil
	}
	rule := RuleWindow
	if s.At.Before(s.ExpiresAt) {
		rule = RuleCount
	}
	return &QuotaRefusal{Rule: rule, Standing: s}
}

// Explain says in words how the window stands, for agents: how many sends are left
// and until when, or why none are and when that changes.
func (s QuotaStanding) Explain() string {
	if s.ExpiresAt.IsZero() {
		return "no reply window: the user has not written or entered the chat; WeChat allows replies only after the user does"
	}
	closes := stamp(s.ExpiresAt.In(s.At.Location()))
	if s.Open {
		return fmt.Sprintf("%d of %d replies left until %s", s.Remaining, s.Allowance, closes)
	}
	if s.At.Before(s.ExpiresAt) {
		if s.Corrected == WxQuotaUsedUp {
			return fmt.Sprintf("WeChat says the replies allowed since the user's last action are used up (45047); more are allowed when the user writes again (the window closes at %s)", closes)
		}
		return fmt.Sprintf("all %d replies allowed %s are used; more are allowed when the user writes again (the window closes at %s)", s.Allowance, s.sinceWhat(), closes)
	}
	if s.Corrected == WxWindowClosed {
		return fmt.Sprintf("WeChat says the reply window is closed (45015, at %s); it reopens when the user writes again", closes)
	}
	return fmt.Sprintf("the reply window closed at %s, %s; it reopens when the user writes again", closes, s.windowWhat())
}

func (s QuotaStanding) sinceWhat() string {
	if s.Source == KindEnter {
		return "after the user entered the chat"
	}
	return "since the user's last message"
}

func (s QuotaStanding) windowWhat() string {
	if s.Source == KindEnter {
		return "a short while after the user entered the chat"
	}
	return "48 hours after the user's last message"
}

// stamp formats an instant for people, to the second, with its offset. Explain
// shows times in the zone of the clock that asked.
func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05 -07:00") }
