package kefu

import "time"

// Grant is what one kind of user action allows: Sends messages within Window.
type Grant struct {
	Sends  int
	Window time.Duration
}

// QuotaRules are WeChat's reply allowances (下发条件, docs/protocol.md §12). The numbers
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
// WeChat) into the state at now. See QuotaLedger.At for the rules.
func ComputeQuota(grants []QuotaGrant, sends []time.Time, now time.Time) QuotaState {
	return QuotaLedger{Grants: grants, Sends: sends}.At(now).QuotaState
}
