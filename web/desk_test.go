package web

import (
	"bytes"
	"fmt"
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
