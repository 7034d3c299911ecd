package desk_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"kefu"
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
