package desk_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/sim/simtest"
)

// TestMissedEventsAreRepaired: when the desk is too far behind to take a
// message's event, the message is not left off the desk: the next sweep queues
// its conversation.
func TestMissedEventsAreRepaired(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	// The desk is not running: its work queue fills and stays full.
	for i := range 10000 {
		e.desk.Notice(kefu.Event{Kind: kefu.EventMessageStored, AppID: appID, OpenID: fmt.Sprintf("oNoise%d", i)})
	}
	m := &kefu.Inbound{AppID: appID, OpenID: "oMissed", CreateTime: e.clock.Now().Unix(), MsgType: "text",
		Kind: kefu.KindText, MsgID: 9001, Content: "hello?", ReceivedAt: e.clock.Now()}
	res, err := e.store.Ingest(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	e.desk.Notice(kefu.Event{Kind: kefu.EventMessageStored, AppID: appID, OpenID: "oMissed",
		ConversationID: res.ConversationID, MessageID: res.MessageID, MessageKind: kefu.KindText, At: m.ReceivedAt})
	if slices.Contains(e.queue(), res.ConversationID) {
		t.Fatal("queued before any sweep: the test does not test the repair")
	}
	e.sweep()
	if !slices.Contains(e.queue(), res.ConversationID) {
		t.Fatalf("after a sweep the queue is %v; the missed conversation %d is not in it", e.queue(), res.ConversationID)
	}
}

// TestABatchOfMessages: events handled together queue each new conversation
// once, at its first message's time, in order, and leave known ones alone.
func TestABatchOfMessages(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	known := e.write("oKnown")
	var events []kefu.Event
	store := func(openID string) int64 {
		e.msgID++
		m := &kefu.Inbound{AppID: appID, OpenID: openID, CreateTime: e.clock.Now().Unix(), MsgType: "text",
			Kind: kefu.KindText, MsgID: e.msgID, Content: "hi", ReceivedAt: e.clock.Now()}
		res, err := e.store.Ingest(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, kefu.Event{Kind: kefu.EventMessageStored, AppID: appID, OpenID: openID,
			ConversationID: res.ConversationID, MessageID: res.MessageID, MessageKind: kefu.KindText, At: m.ReceivedAt})
		e.clock.Advance(time.Second)
		return res.ConversationID
	}
	b := store("oB")
	store("oKnown")
	a := store("oA")
	store("oB")
	for _, ev := range events {
		e.desk.Notice(ev)
	}
	if err := e.desk.OnMessage(ctx, events[0]); err != nil { // handled alone first: still queued once
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- e.desk.Run(runCtx) }()
	defer func() { stop(); <-done }()
	simtest.WaitFor(t, func() bool { return len(e.queue()) == 3 }, "three conversations in the queue")
	if q := e.queue(); !slices.Equal(q, []int64{known, b, a}) {
		t.Fatalf("queue %v, want %v", q, []int64{known, b, a})
	}
	if r := e.routing(b); !r.QueuedAt.Equal(events[0].At) {
		t.Fatalf("queued at %v, want its first message's time %v", r.QueuedAt, events[0].At)
	}
}

// TestConversationsFollowTheAgentsMiniPrograms: an agent taken off a mini
// program (here, or from the command line while kefu runs) does not keep its
// conversations; a disabled agent goes offline and keeps none.
func TestConversationsFollowTheAgentsMiniPrograms(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	a := e.agent("a", 5, false, kefu.Online)
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	a = e.fresh(a)
	a.Apps = nil
	if err := e.store.UpdateAgent(ctx, a); err != nil { // as kefu agent update does
		t.Fatal(err)
	}
	e.sweep()
	if owner := e.owner(conv); owner != 0 {
		t.Fatalf("after the sweep the conversation is with %d, want back in the queue", owner)
	}

	b := e.agent("b", 5, false, kefu.Online)
	if err := e.desk.Accept(ctx, b, conv); err != nil {
		t.Fatal(err)
	}
	b = e.fresh(b)
	b.Disabled = true
	if err := e.store.UpdateAgent(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := e.desk.AgentChanged(ctx, b); err != nil { // as the admin page does
		t.Fatal(err)
	}
	if owner := e.owner(conv); owner != 0 || e.fresh(b).Status != kefu.Offline {
		t.Fatalf("a disabled agent: conversation with %d, status %s; want the queue and offline", owner, e.fresh(b).Status)
	}
}
