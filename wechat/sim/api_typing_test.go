package sim

import (
	"sync"
	"testing"
	"time"
)

func TestTypingRules(t *testing.T) {
	type move struct {
		wrote, entered bool
		advance        time.Duration
		command        string // Typing, CancelTyping or anything else
		send           bool   // a text send, which must succeed
		want           int    // errcode of command
		typing         bool   // Typing() after the move
	}
	tests := []struct {
		name  string
		moves []move
	}{
		{"typing right after a message", []move{{wrote: true}, {command: "Typing", typing: true}}},
		{"typing lasts 15 s", []move{{wrote: true}, {command: "Typing", typing: true},
			{advance: 15*time.Second - time.Millisecond, typing: true}, {advance: time.Millisecond, typing: false}}},
		{"already typing", []move{{wrote: true}, {command: "Typing", typing: true},
			{advance: 14 * time.Second, command: "Typing", want: codeAlreadyTyping, typing: true},
			{advance: time.Second, command: "Typing", typing: true}}},
		{"exchange 30 s ago is recent enough", []move{{wrote: true}, {advance: 30 * time.Second, command: "Typing", typing: true}}},
		{"exchange 31 s ago is not", []move{{wrote: true}, {advance: 31 * time.Second, command: "Typing", want: codeNoExchange}}},
		{"entering is no exchange", []move{{entered: true}, {command: "Typing", want: codeNoExchange}}},
		{"a send is an exchange", []move{{wrote: true}, {advance: 20 * time.Second, send: true},
			{advance: 20 * time.Second, command: "Typing", typing: true}}},
		{"a send cancels typing", []move{{wrote: true}, {command: "Typing", typing: true}, {send: true, typing: false}}},
		{"CancelTyping", []move{{wrote: true}, {command: "Typing", typing: true}, {command: "CancelTyping", typing: false},
			{command: "Typing", typing: true}}},
		{"CancelTyping when not typing", []move{{wrote: true}, {command: "CancelTyping"}}},
		{"bad command", []move{{wrote: true}, {command: "typing", want: codeBadCommand}}},
		{"empty command", []move{{wrote: true}, {command: " ", want: codeBadCommand}}},
		{"outside the window", []move{{wrote: true}, {advance: 48 * time.Hour, command: "Typing", want: codeOutOfTime}}},
		{"window used up", []move{{entered: true}, {send: true}, {send: true}, {command: "Typing", want: codeOutOfCount}}},
		{"typing uses no quota", []move{{wrote: true}, {send: true}, {send: true}, {send: true}, {send: true},
			{command: "Typing", typing: true}, {command: "CancelTyping"}, {command: "Typing", typing: true}, {send: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, APIOptions{TokenTTL: 1000 * time.Hour})
			tok := h.token()
			for i, m := range tc.moves {
				h.clock.Advance(m.advance)
				switch {
				case m.wrote:
					h.wrote("u1")
				case m.entered:
					h.entered("u1")
				case m.send:
					wantCode(t, "send", h.sendText(tok, "u1", "hi"), codeOK)
				case m.command != "":
					wantCode(t, m.command, h.typing(tok, "u1", m.command), m.want)
				}
				if got := h.api.Typing(testApp, "u1"); got != m.typing {
					t.Fatalf("move %d: Typing() = %v, want %v", i, got, m.typing)
				}
			}
		})
	}
}

func TestTypingUnknownUserAndBusinessPath(t *testing.T) {
	h := newHarness(t, APIOptions{})
	tok := h.token()
	wantCode(t, "stranger", h.typing(tok, "stranger", "Typing"), codeInvalidOpenID)
	// A user of the app who never acted has no window, so no typing either.
	if err := h.api.AddUser(testApp, "u7"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "user who never acted", h.typing(tok, "u7", "Typing"), codeOutOfTime)
	wantCode(t, "user who never acted", h.typing(tok, "u7", "CancelTyping"), codeOutOfTime)
	if h.api.AddUser("wxnosuchapp", "u7") == nil {
		t.Error("AddUser added a user to an unknown app")
	}
	h.wrote("u1")
	r := h.postJSON("/cgi-bin/message/custom/business/typing", tok, `{"touser":"u1","command":"Typing"}`)
	if r.ErrCode != 0 || r.ErrMsg != "ok" {
		t.Fatalf("business/typing: %+v", r)
	}
	wantCode(t, "malformed", h.postJSON("/cgi-bin/message/custom/typing", tok, `{"touser":`), codeDataFormat)
}

func TestOnTyping(t *testing.T) {
	type change struct {
		openID string
		until  time.Time
	}
	var (
		mu      sync.Mutex
		changes []change
	)
	h := newHarness(t, APIOptions{OnTyping: func(appID, openID string, until time.Time) {
		mu.Lock()
		changes = append(changes, change{openID, until})
		mu.Unlock()
	}})
	tok := h.token()
	h.wrote("u1")
	wantCode(t, "Typing", h.typing(tok, "u1", "Typing"), codeOK)
	wantCode(t, "send", h.sendText(tok, "u1", "hi"), codeOK)
	wantCode(t, "send", h.sendText(tok, "u1", "again"), codeOK) // not typing: no change
	wantCode(t, "Typing", h.typing(tok, "u1", "Typing"), codeOK)
	wantCode(t, "CancelTyping", h.typing(tok, "u1", "CancelTyping"), codeOK)
	want := []change{{"u1", testStart.Add(15 * time.Second)}, {"u1", time.Time{}}, {"u1", testStart.Add(15 * time.Second)}, {"u1", time.Time{}}}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != len(want) {
		t.Fatalf("OnTyping calls %v, want %v", changes, want)
	}
	for i := range want {
		if changes[i].openID != want[i].openID || !changes[i].until.Equal(want[i].until) {
			t.Fatalf("OnTyping call %d: %v, want %v", i, changes[i], want[i])
		}
	}
}
