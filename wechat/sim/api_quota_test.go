package sim

import (
	"fmt"
	"testing"
	"time"

	"kefu"
)

// step is one move in a quota scenario: a user action, the clock moving, or a send
// with the errcode it must get.
type step struct {
	wrote, entered bool
	advance        time.Duration
	sends          int // this many sends, each wanting want
	want           int
}

var (
	wrote   = step{wrote: true}
	entered = step{entered: true}
)

func wait(d time.Duration) step  { return step{advance: d} }
func sendOK(n int) step          { return step{sends: n, want: codeOK} }
func sendFails(code int) step    { return step{sends: 1, want: code} }
func sendsThenFull(n int) []step { return []step{sendOK(n), sendFails(codeOutOfCount)} }
func steps(parts ...any) (s []step) {
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			s = append(s, p)
		case []step:
			s = append(s, p...)
		}
	}
	return s
}

func TestQuotaStateMachine(t *testing.T) {
	tests := []struct {
		name    string
		rules   kefu.QuotaRules
		steps   []step
		expires time.Duration // if set: the window's expiry, from the start, at the end
	}{
		{name: "user message allows 5", steps: steps(wrote, sendsThenFull(5))},
		{name: "window lasts 48 h", steps: steps(wrote, wait(48*time.Hour-time.Second), sendOK(1), wait(time.Second), sendFails(codeOutOfTime))},
		{name: "used up, then closed", steps: steps(wrote, sendsThenFull(5), wait(48*time.Hour), sendFails(codeOutOfTime))},
		{name: "enter allows 2", steps: steps(entered, sendsThenFull(2)), expires: time.Minute},
		{name: "enter window lasts 1 minute", steps: steps(entered, wait(59*time.Second), sendOK(1), wait(time.Second), sendFails(codeOutOfTime))},
		{name: "legacy enter allows 1",
			rules: kefu.QuotaRules{UserMessage: kefu.Grant{Sends: 5, Window: 48 * time.Hour}, EnterSession: kefu.Grant{Sends: 1, Window: time.Minute}},
			steps: steps(entered, sendsThenFull(1))},
		{name: "enter after 5 used: 2 more, expiry unchanged",
			steps:   steps(wrote, sendOK(5), wait(time.Hour), entered, sendsThenFull(2)),
			expires: 48 * time.Hour},
		{name: "enter with sends left does not add",
			steps:   steps(wrote, sendOK(2), entered, sendsThenFull(3)),
			expires: 48 * time.Hour},
		{name: "message does not accumulate",
			steps:   steps(wrote, sendOK(2), wait(time.Hour), wrote, sendsThenFull(5)),
			expires: 49 * time.Hour},
		{name: "message inside enter window widens it",
			steps:   steps(entered, sendOK(1), wait(10*time.Second), wrote, sendsThenFull(5)),
			expires: 48*time.Hour + 10*time.Second},
		{name: "enter after the window closed starts afresh",
			steps:   steps(wrote, wait(49*time.Hour), entered, sendsThenFull(2)),
			expires: 49*time.Hour + time.Minute},
		{name: "new message after the window closed",
			steps: steps(wrote, sendOK(5), wait(48*time.Hour), sendFails(codeOutOfTime), wrote, sendsThenFull(5))},
		{name: "refused sends use nothing",
			steps: steps(wrote, sendOK(5), sendFails(codeOutOfCount), sendFails(codeOutOfCount), entered, sendsThenFull(2))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, APIOptions{Rules: tc.rules, TokenTTL: 1000 * time.Hour})
			tok := h.token()
			for i, s := range tc.steps {
				switch {
				case s.wrote:
					h.wrote("u1")
				case s.entered:
					h.entered("u1")
				case s.advance > 0:
					h.clock.Advance(s.advance)
				}
				for range s.sends {
					r := h.sendText(tok, "u1", "reply")
					wantCode(t, fmt.Sprintf("step %d", i), r, s.want)
				}
			}
			if tc.expires > 0 {
				if got := h.api.Quota(testApp, "u1").ExpiresAt; !got.Equal(testStart.Add(tc.expires)) {
					t.Fatalf("window expires %v, want start+%v", got, tc.expires)
				}
			}
		})
	}
}

func TestUserActionsNeedAKnownApp(t *testing.T) {
	h := newHarness(t, APIOptions{})
	if err := h.api.UserMessage("wxnobody", "u1"); err == nil {
		t.Fatal("UserMessage for an unknown app succeeded")
	}
	if err := h.api.UserEntered(testApp, ""); err == nil {
		t.Fatal("UserEntered with an empty openid succeeded")
	}
	if got := h.api.Received("wxnobody", "u1"); got != nil {
		t.Fatalf("Received for an unknown app: %v", got)
	}
}
