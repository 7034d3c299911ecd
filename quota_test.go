package kefu

import (
	"testing"
	"time"
)

// userMessage and enterSession are the grants the default rules record for a push
// at the given instant.
func userMessage(at time.Time) QuotaGrant {
	r := DefaultQuotaRules().UserMessage
	return QuotaGrant{Kind: KindText, Sends: r.Sends, GrantedAt: at, ExpiresAt: at.Add(r.Window)}
}

func enterSession(at time.Time) QuotaGrant {
	r := DefaultQuotaRules().EnterSession
	return QuotaGrant{Kind: KindEnter, Sends: r.Sends, GrantedAt: at, ExpiresAt: at.Add(r.Window)}
}

// sendsAt returns n send times, a second apart, from start.
func sendsAt(start time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * time.Second)
	}
	return out
}

func concat(parts ...[]time.Time) []time.Time {
	var out []time.Time
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestDefaultQuotaRules(t *testing.T) {
	r := DefaultQuotaRules()
	if r.UserMessage != (Grant{Sends: 5, Window: 48 * time.Hour}) {
		t.Errorf("UserMessage = %+v, want 5 within 48h", r.UserMessage)
	}
	if r.EnterSession != (Grant{Sends: 2, Window: time.Minute}) {
		t.Errorf("EnterSession = %+v, want 2 within 1m", r.EnterSession)
	}
}

func TestGrantFor(t *testing.T) {
	r := DefaultQuotaRules()
	tests := []struct {
		name string
		m    *Inbound
		want Grant
		ok   bool
	}{
		{"text", &Inbound{Kind: KindText, OpenID: "o1"}, r.UserMessage, true},
		{"image", &Inbound{Kind: KindImage, OpenID: "o1"}, r.UserMessage, true},
		{"card", &Inbound{Kind: KindCard, OpenID: "o1"}, r.UserMessage, true},
		{"enter", &Inbound{Kind: KindEnter, OpenID: "o1", Event: EventEnterSession}, r.EnterSession, true},
		{"text without user", &Inbound{Kind: KindText}, Grant{}, false},
		{"enter without user", &Inbound{Kind: KindEnter}, Grant{}, false},
		{"debug demo", &Inbound{Kind: KindDebugDemo, OpenID: "o1"}, Grant{}, false},
		{"other event", &Inbound{Kind: KindOther, OpenID: "o1", Event: "subscribe_msg_popup_event"}, Grant{}, false},
	}
	for _, tc := range tests {
		got, ok := r.GrantFor(tc.m)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: GrantFor = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	legacy := QuotaRules{UserMessage: Grant{Sends: 3, Window: 48 * time.Hour}, EnterSession: Grant{Sends: 1, Window: time.Minute}}
	if g, _ := legacy.GrantFor(&Inbound{Kind: KindEnter, OpenID: "o1"}); g.Sends != 1 {
		t.Errorf("legacy rules: enter grants %d sends, want 1", g.Sends)
	}
}

func TestComputeQuota(t *testing.T) {
	const day = 24 * time.Hour
	h48 := t0.Add(48 * time.Hour)
	closedAt := func(at time.Time) QuotaState { return QuotaState{ExpiresAt: at} }
	open := func(n int, until time.Time) QuotaState { return QuotaState{Open: true, Remaining: n, ExpiresAt: until} }

	tests := []struct {
		name   string
		grants []QuotaGrant
		sends  []time.Time
		now    time.Time
		want   QuotaState
	}{
		{"nothing", nil, nil, t0, QuotaState{}},
		{"sends without any grant", nil, sendsAt(t0, 3), t0.Add(time.Hour), QuotaState{}},

		// A user message: 5 sends within 48 hours.
		{"message, at once", []QuotaGrant{userMessage(t0)}, nil, t0, open(5, h48)},
		{"message, a day on", []QuotaGrant{userMessage(t0)}, nil, t0.Add(day), open(5, h48)},
		{"message, one send", []QuotaGrant{userMessage(t0)}, sendsAt(t0.Add(time.Minute), 1), t0.Add(time.Hour), open(4, h48)},
		{"message, four sends", []QuotaGrant{userMessage(t0)}, sendsAt(t0.Add(time.Minute), 4), t0.Add(time.Hour), open(1, h48)},
		{"message, five sends", []QuotaGrant{userMessage(t0)}, sendsAt(t0.Add(time.Minute), 5), t0.Add(time.Hour), closedAt(h48)},
		{"message, six sends", []QuotaGrant{userMessage(t0)}, sendsAt(t0.Add(time.Minute), 6), t0.Add(time.Hour), closedAt(h48)},
		{"message, twenty sends", []QuotaGrant{userMessage(t0)}, sendsAt(t0.Add(time.Minute), 20), t0.Add(time.Hour), closedAt(h48)},
		{"sends spread over the window", []QuotaGrant{userMessage(t0)},
			[]time.Time{t0.Add(time.Hour), t0.Add(day), t0.Add(47 * time.Hour)}, t0.Add(47 * time.Hour), open(2, h48)},

		// Expiry: the window is closed at exactly ExpiresAt.
		{"message, a nanosecond before expiry", []QuotaGrant{userMessage(t0)}, nil, h48.Add(-time.Nanosecond), open(5, h48)},
		{"message, at expiry", []QuotaGrant{userMessage(t0)}, nil, h48, closedAt(h48)},
		{"message, after expiry", []QuotaGrant{userMessage(t0)}, sendsAt(t0, 2), h48.Add(time.Hour), closedAt(h48)},
		{"send at the expiry instant does not count", []QuotaGrant{userMessage(t0), enterSession(h48.Add(time.Second))},
			[]time.Time{h48}, h48.Add(2 * time.Second), open(2, h48.Add(time.Second+time.Minute))},

		// Entering the chat: 2 sends within a minute.
		{"enter", []QuotaGrant{enterSession(t0)}, nil, t0.Add(30 * time.Second), open(2, t0.Add(time.Minute))},
		{"enter, one send", []QuotaGrant{enterSession(t0)}, sendsAt(t0.Add(time.Second), 1), t0.Add(30 * time.Second), open(1, t0.Add(time.Minute))},
		{"enter, two sends", []QuotaGrant{enterSession(t0)}, sendsAt(t0.Add(time.Second), 2), t0.Add(30 * time.Second), closedAt(t0.Add(time.Minute))},
		{"enter, three sends", []QuotaGrant{enterSession(t0)}, sendsAt(t0.Add(time.Second), 3), t0.Add(30 * time.Second), closedAt(t0.Add(time.Minute))},
		{"enter, at a minute", []QuotaGrant{enterSession(t0)}, nil, t0.Add(time.Minute), closedAt(t0.Add(time.Minute))},
		{"enter, send after the minute", []QuotaGrant{enterSession(t0), enterSession(t0.Add(2 * time.Minute))},
			[]time.Time{t0.Add(90 * time.Second)}, t0.Add(2 * time.Minute), open(2, t0.Add(3*time.Minute))},

		// Grants do not accumulate: the count becomes the larger, the expiry the later.
		{"message then enter", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			nil, t0.Add(time.Hour), open(5, h48)},
		{"message, 4 sends, then enter", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 4), t0.Add(time.Hour), open(2, h48)},
		{"message, 5 sends, then enter", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 5), t0.Add(time.Hour), open(2, h48)},
		{"message, 5 sends, enter, a day later", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 5), t0.Add(day), open(2, h48)},
		{"message, 5 sends, enter, 2 more sends", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			concat(sendsAt(t0.Add(time.Minute), 5), sendsAt(t0.Add(time.Hour+time.Second), 2)), t0.Add(2 * time.Hour), closedAt(h48)},
		{"message, 2 sends, enter keeps 3", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 2), t0.Add(time.Hour), open(3, h48)},
		{"enter then message", []QuotaGrant{enterSession(t0), userMessage(t0.Add(30 * time.Second))},
			sendsAt(t0.Add(time.Second), 1), t0.Add(31 * time.Second), open(5, t0.Add(30*time.Second+48*time.Hour))},
		{"two messages", []QuotaGrant{userMessage(t0), userMessage(t0.Add(day))},
			sendsAt(t0.Add(time.Minute), 3), t0.Add(day), open(5, t0.Add(72*time.Hour))},
		{"two messages, sends after the second", []QuotaGrant{userMessage(t0), userMessage(t0.Add(day))},
			concat(sendsAt(t0.Add(time.Minute), 3), sendsAt(t0.Add(day+time.Minute), 2)), t0.Add(60 * time.Hour), open(3, t0.Add(72*time.Hour))},
		{"two enters", []QuotaGrant{enterSession(t0), enterSession(t0.Add(30 * time.Second))},
			sendsAt(t0.Add(time.Second), 2), t0.Add(31 * time.Second), open(2, t0.Add(90*time.Second))},
		{"enters never stack above 2", []QuotaGrant{enterSession(t0), enterSession(t0.Add(time.Second)), enterSession(t0.Add(2 * time.Second))},
			nil, t0.Add(3 * time.Second), open(2, t0.Add(time.Minute+2*time.Second))},
		{"messages never stack above 5", []QuotaGrant{userMessage(t0), userMessage(t0.Add(time.Hour)), userMessage(t0.Add(2 * time.Hour))},
			nil, t0.Add(3 * time.Hour), open(5, t0.Add(50*time.Hour))},

		// After expiry a grant starts afresh.
		{"message after expiry", []QuotaGrant{userMessage(t0), userMessage(h48.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 5), h48.Add(time.Hour), open(5, h48.Add(49*time.Hour))},
		{"message at the expiry instant", []QuotaGrant{userMessage(t0), userMessage(h48)},
			sendsAt(t0.Add(time.Minute), 5), h48, open(5, t0.Add(96*time.Hour))},
		{"enter at the instant a message window closes", []QuotaGrant{userMessage(t0), enterSession(h48)},
			nil, h48, open(2, h48.Add(time.Minute))},
		{"enter after a message window expired", []QuotaGrant{userMessage(t0), enterSession(h48.Add(time.Hour))},
			sendsAt(t0.Add(time.Minute), 1), h48.Add(time.Hour), open(2, h48.Add(time.Hour+time.Minute))},
		{"enter after an enter expired", []QuotaGrant{enterSession(t0), enterSession(t0.Add(time.Minute))},
			sendsAt(t0.Add(time.Second), 2), t0.Add(time.Minute), open(2, t0.Add(2*time.Minute))},

		// Sends outside any window do not count.
		{"sends before the first grant", []QuotaGrant{userMessage(t0)},
			sendsAt(t0.Add(-time.Hour), 5), t0, open(5, h48)},
		{"sends between windows", []QuotaGrant{enterSession(t0), userMessage(t0.Add(time.Hour))},
			sendsAt(t0.Add(2*time.Minute), 3), t0.Add(time.Hour), open(5, t0.Add(49*time.Hour))},
		{"send a nanosecond before the grant", []QuotaGrant{enterSession(t0)},
			[]time.Time{t0.Add(-time.Nanosecond)}, t0, open(2, t0.Add(time.Minute))},

		// Events after now are ignored.
		{"grant in the future", []QuotaGrant{userMessage(t0.Add(time.Hour))}, nil, t0, QuotaState{}},
		{"grant a nanosecond in the future", []QuotaGrant{userMessage(t0.Add(time.Nanosecond))}, nil, t0, QuotaState{}},
		{"sends in the future", []QuotaGrant{userMessage(t0)},
			concat(sendsAt(t0.Add(time.Minute), 1), sendsAt(t0.Add(2*time.Hour), 4)), t0.Add(time.Hour), open(4, h48)},
		{"a later grant in the future", []QuotaGrant{enterSession(t0), userMessage(t0.Add(time.Hour))},
			sendsAt(t0.Add(time.Second), 1), t0.Add(30 * time.Second), open(1, t0.Add(time.Minute))},
		{"a later grant in the future, window closed", []QuotaGrant{enterSession(t0), userMessage(t0.Add(time.Hour))},
			nil, t0.Add(2 * time.Minute), closedAt(t0.Add(time.Minute))},

		// A grant and a send at the same instant: the grant counts first.
		{"grant and send together", []QuotaGrant{userMessage(t0)}, []time.Time{t0}, t0, open(4, h48)},
		{"enter and send together", []QuotaGrant{enterSession(t0)}, []time.Time{t0, t0}, t0, closedAt(t0.Add(time.Minute))},
		{"enter and send together, one left", []QuotaGrant{enterSession(t0)}, []time.Time{t0}, t0.Add(time.Second), open(1, t0.Add(time.Minute))},
		{"fresh grant and send at the old expiry", []QuotaGrant{enterSession(t0), enterSession(t0.Add(time.Minute))},
			[]time.Time{t0.Add(time.Minute)}, t0.Add(time.Minute), open(1, t0.Add(2*time.Minute))},
		{"refresh and send together after 5 sends", []QuotaGrant{userMessage(t0), enterSession(t0.Add(time.Hour))},
			concat(sendsAt(t0.Add(time.Minute), 5), []time.Time{t0.Add(time.Hour)}), t0.Add(time.Hour), open(1, h48)},

		// Input order does not matter.
		{"grants out of order", []QuotaGrant{enterSession(t0.Add(time.Hour)), userMessage(t0)},
			sendsAt(t0.Add(time.Minute), 5), t0.Add(time.Hour), open(2, h48)},
		{"sends out of order", []QuotaGrant{enterSession(t0)},
			[]time.Time{t0.Add(20 * time.Second), t0.Add(-time.Second), t0.Add(10 * time.Second)}, t0.Add(30 * time.Second), closedAt(t0.Add(time.Minute))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeQuota(tc.grants, tc.sends, tc.now)
			if got.Open != tc.want.Open || got.Remaining != tc.want.Remaining || !got.ExpiresAt.Equal(tc.want.ExpiresAt) {
				t.Errorf("ComputeQuota at %v = %+v, want %+v", tc.now.Sub(t0), got, tc.want)
			}
			if got.Remaining < 0 {
				t.Errorf("Remaining = %d, negative", got.Remaining)
			}
			if got.Open != (got.Remaining > 0) {
				t.Errorf("Open = %v with Remaining %d", got.Open, got.Remaining)
			}
		})
	}
}

// TestComputeQuotaDoesNotReorderInput checks that the caller's slices are left as given.
func TestComputeQuotaDoesNotReorderInput(t *testing.T) {
	grants := []QuotaGrant{enterSession(t0.Add(time.Hour)), userMessage(t0)}
	sends := []time.Time{t0.Add(2 * time.Minute), t0.Add(time.Minute)}
	ComputeQuota(grants, sends, t0.Add(2*time.Hour))
	if !grants[0].GrantedAt.Equal(t0.Add(time.Hour)) || !sends[0].Equal(t0.Add(2*time.Minute)) {
		t.Errorf("ComputeQuota reordered its input: %v, %v", grants, sends)
	}
}

// TestComputeQuotaWalk replays a day of one customer minute by minute against the
// state the rules predict, so that every boundary is crossed once.
func TestComputeQuotaWalk(t *testing.T) {
	grants := []QuotaGrant{enterSession(t0), userMessage(t0.Add(10 * time.Minute))}
	sends := []time.Time{t0.Add(10 * time.Second), t0.Add(20 * time.Second), t0.Add(30 * time.Second)}
	for _, step := range []struct {
		at   time.Duration
		want QuotaState
	}{
		{5 * time.Second, QuotaState{Open: true, Remaining: 2, ExpiresAt: t0.Add(time.Minute)}},
		{10 * time.Second, QuotaState{Open: true, Remaining: 1, ExpiresAt: t0.Add(time.Minute)}},
		{20 * time.Second, QuotaState{ExpiresAt: t0.Add(time.Minute)}},
		{30 * time.Second, QuotaState{ExpiresAt: t0.Add(time.Minute)}},
		{time.Minute, QuotaState{ExpiresAt: t0.Add(time.Minute)}},
		{10 * time.Minute, QuotaState{Open: true, Remaining: 5, ExpiresAt: t0.Add(10*time.Minute + 48*time.Hour)}},
		{48*time.Hour + 10*time.Minute, QuotaState{ExpiresAt: t0.Add(10*time.Minute + 48*time.Hour)}},
	} {
		got := ComputeQuota(grants, sends, t0.Add(step.at))
		if got.Open != step.want.Open || got.Remaining != step.want.Remaining || !got.ExpiresAt.Equal(step.want.ExpiresAt) {
			t.Errorf("at +%v: %+v, want %+v", step.at, got, step.want)
		}
	}
}
