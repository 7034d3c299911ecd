package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu"
)

// TestDeskListsTheHeadOfALongQueue: a flood of new conversations does not make
// every page load them all; the count says how many wait.
func TestDeskListsTheHeadOfALongQueue(t *testing.T) {
	e := newEnv(t)
	for i := range queueShown + 5 {
		e.clock.Advance(time.Second)
		e.write(app1, fmt.Sprintf("oFlood%03d", i), "hi")
	}
	d := decode[deskView](t, e.signIn("a1").get("/console/api/desk"))
	if len(d.Waiting) != queueShown || d.WaitingTotal != queueShown+6 {
		t.Fatalf("waiting: %d listed, total %d; want %d listed of %d", len(d.Waiting), d.WaitingTotal, queueShown, queueShown+6)
	}
	if d.Waiting[0].Conversation != e.conv1 {
		t.Fatalf("the list starts with %d, want the head of the queue %d", d.Waiting[0].Conversation, e.conv1)
	}
}

// TestFramesAreEncodedOnce: streams share an event's frame, and a slot taken by
// a later event gives the earlier one a fresh, correct frame.
func TestFramesAreEncodedOnce(t *testing.T) {
	var f frames
	e := kefu.SeqEvent{Seq: 7, Event: kefu.Event{Kind: kefu.EventMessageStored, AppID: app1, OpenID: "o1", MessageID: 3}}
	a, b := f.of(e), f.of(e)
	if &a[0] != &b[0] {
		t.Fatal("the second stream encoded the event again")
	}
	want := "id: 7\nevent: message.stored\ndata: {\"kind\":\"message.stored\",\"app\":\"" + app1 + "\",\"openid\":\"o1\",\"message\":3,"
	if !bytes.HasPrefix(a, []byte(want)) || !bytes.HasSuffix(a, []byte("}\n\n")) {
		t.Fatalf("frame %q", a)
	}
	later := kefu.SeqEvent{Seq: 7 + uint64(len(f.ring)), Event: kefu.Event{Kind: kefu.EventAgentStatus, AgentID: 2}}
	f.of(later)
	if again := f.of(e); !bytes.Equal(again, a) {
		t.Fatalf("after its slot was reused: %q, want %q", again, a)
	}
}

// TestSignInComesOnline: an offline agent who signs in is online, ready to
// accept; one who chose away stays away.
func TestSignInComesOnline(t *testing.T) {
	e := newEnv(t)
	d := decode[deskView](t, e.signIn("a1").get("/console/api/desk"))
	if d.Me.Status != string(kefu.Online) {
		t.Fatalf("after sign-in: %s, want online", d.Me.Status)
	}
	a2, err := e.store.AgentByLogin(context.Background(), "a2")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.desk.SetStatus(context.Background(), a2, kefu.Away); err != nil {
		t.Fatal(err)
	}
	if d := decode[deskView](t, e.signIn("a2").get("/console/api/desk")); d.Me.Status != string(kefu.Away) {
		t.Fatalf("an away agent signed in: %s, want away", d.Me.Status)
	}
}

// TestRefusalsCarryTheirKey: the page gets a key to say a refusal in the agent's
// language.
func TestRefusalsCarryTheirKey(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("a1")
	if resp := c.do(http.MethodPost, "/console/api/status", strings.NewReader(`{"status":"away"}`), "application/json"); resp.StatusCode != 200 {
		t.Fatalf("status: %d", resp.StatusCode)
	}
	resp := c.do(http.MethodPost, fmt.Sprintf("/console/api/conversations/%d/accept", e.conv1), nil, "")
	got := decode[apiError](t, resp)
	if resp.StatusCode != http.StatusConflict || got.Key != "not_online" || got.Error == "" {
		t.Fatalf("accepting while away: %d %+v", resp.StatusCode, got)
	}
}
