package kefu

import (
	"sort"
	"time"
)

// Grant is what one kind of user action allows: Sends messages within Window.
type Grant struct {
	Sends  int
	Window time.Duration
}

// QuotaRules are WeChat's reply allowances (下发条件, protocol.md §12). The numbers
// differ between WeChat's older and current documents, so they are configurable.
type QuotaRules struct {
	UserMessage  Grant // the user wrote: 5 sends within 48 h
	EnterSession Grant // the user entered the chat: N sends within 1 minute
}

// DefaultQuotaRules follow WeChat's current documents.
func DefaultQuotaRules() QuotaRules {
	return QuotaRules{
		UserMessage:  Grant{Sends: 5, Window: 48 * time.Hour},
		EnterSession: Grant{Sends: 2, Window: time.Minute},
	}
}

// GrantFor returns the allowance an inbound push gives, and false when it gives none
// (events other than entering the chat, pushes with no user).
func (r QuotaRules) GrantFor(m *Inbound) (Grant, bool) {
	if !m.FromCustomer() {
		return Grant{}, false
	}
	if m.Kind == KindEnter {
		return r.EnterSession, true
	}
	return r.UserMessage, true
}

// QuotaGrant is a recorded grant: the user acted at GrantedAt, allowing Sends messages
// until ExpiresAt.
type QuotaGrant struct {
	Kind      Kind
	Sends     int
	GrantedAt time.Time
	ExpiresAt time.Time
}

// QuotaState is how far a customer's reply window reaches at one moment.
type QuotaState struct {
	Open      bool
	Remaining int       // sends left while Open
	ExpiresAt time.Time // when the window closes (or closed); zero if there never was one
}

// ComputeQuota folds grants and sends (the times outbound messages were accepted by
// WeChat) into the state at now. Grants do not accumulate (protocol.md §12): a new
// grant inside a live window raises the count to at most the grant's own allowance and
// the expiry to the later of the two; outside a window it starts afresh.
func ComputeQuota(grants []QuotaGrant, sends []time.Time, now time.Time) QuotaState {
	type event struct {
		at    time.Time
		grant *QuotaGrant
	}
	events := make([]event, 0, len(grants)+len(sends))
	for i := range grants {
		events = append(events, event{at: grants[i].GrantedAt, grant: &grants[i]})
	}
	for _, s := range sends {
		events = append(events, event{at: s})
	}
	// A grant and a send at the same instant: the grant first, since the user's action
	// is what made the send possible.
	sort.SliceStable(events, func(i, j int) bool {
		if events[i].at.Equal(events[j].at) {
			return events[i].grant != nil && events[j].grant == nil
		}
		return events[i].at.Before(events[j].at)
	})
	var st QuotaState
	for _, e := range events {
		if e.at.After(now) {
			break
		}
		live := e.at.Before(st.ExpiresAt)
		if g := e.grant; g != nil {
			if live {
				st.Remaining = max(st.Remaining, g.Sends)
				if g.ExpiresAt.After(st.ExpiresAt) {
					st.ExpiresAt = g.ExpiresAt
				}
			} else {
				st.Remaining, st.ExpiresAt = g.Sends, g.ExpiresAt
			}
			continue
		}
		if live && st.Remaining > 0 {
			st.Remaining--
		}
	}
	st.Open = now.Before(st.ExpiresAt) && st.Remaining > 0
	if !now.Before(st.ExpiresAt) {
		st.Remaining = 0
	}
	return st
}
