package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"kefu"
)

// conversation stores a text from openid and returns its conversation's id.
func (e *env) conversation(t *testing.T, openid string, msgID int64) int64 {
	t.Helper()
	res := e.ingest(t, e.text(openid, msgID, "hello"))
	if res.ConversationID == 0 {
		t.Fatalf("no conversation for %s", openid)
	}
	return res.ConversationID
}

// queue puts one conversation in its queue, saying whether it was queued.
func (e *env) queue(ctx context.Context, conv int64, at time.Time) (bool, error) {
	ids, err := e.store.QueueConversations(ctx, []kefu.QueueItem{{ConversationID: conv, At: at}})
	return len(ids) == 1, err
}

func mustChange(t *testing.T, what string, ok bool, err error, want bool) {
	t.Helper()
	if err != nil || ok != want {
		t.Fatalf("%s: %v, %v; want %v", what, ok, err, want)
	}
}

// testDeskRouting: a conversation is queued once, given to one agent, moved,
// put back at its old place, and closed; every write tells whether it won.
func testDeskRouting(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	a, b := e.agent(t, "a", testAppID), e.agent(t, "b", testAppID)
	first := e.conversation(t, "o1", 1)
	e.clock.Advance(time.Second)
	second := e.conversation(t, "o2", 2)

	ok, err := e.queue(ctx, first, e.clock.Now().Add(-time.Second))
	mustChange(t, "queue", ok, err, true)
	ok, err = e.queue(ctx, first, e.clock.Now())
	mustChange(t, "queue again", ok, err, false)
	ok, err = e.queue(ctx, second, e.clock.Now())
	mustChange(t, "queue the second", ok, err, true)
	w, err := e.store.Waiting(ctx, []string{testAppID}, 0)
	if err != nil || len(w) != 2 || w[0].ConversationID != first || w[0].State != kefu.Waiting || w[0].OpenID != "o1" {
		t.Fatalf("Waiting = %+v, %v", w, err)
	}

	ok, err = e.store.Assign(ctx, first, a.ID, e.clock.Now())
	mustChange(t, "assign", ok, err, true)
	ok, err = e.store.Assign(ctx, first, b.ID, e.clock.Now())
	mustChange(t, "assign what is taken", ok, err, false)
	ok, err = e.store.Reassign(ctx, first, b.ID, a.ID, e.clock.Now())
	mustChange(t, "reassign from one who has it not", ok, err, false)
	ok, err = e.store.Reassign(ctx, first, a.ID, b.ID, e.clock.Now())
	mustChange(t, "reassign", ok, err, true)
	if act, err := e.store.ActiveRoutings(ctx, b.ID); err != nil || len(act) != 1 || act[0].ConversationID != first {
		t.Fatalf("b's conversations: %+v, %v", act, err)
	}
	if err := e.store.MarkRead(ctx, first, b.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Put back, it goes ahead of the one that came after it.
	ok, err = e.store.Requeue(ctx, first, b.ID)
	mustChange(t, "requeue", ok, err, true)
	if w, _ := e.store.Waiting(ctx, []string{testAppID}, 0); len(w) != 2 || w[0].ConversationID != first || w[0].AgentID != 0 {
		t.Fatalf("after requeue: %+v", w)
	}

	// Idle close only if nothing came since.
	e.store.Assign(ctx, second, a.ID, e.clock.Now())
	last, err := e.store.LastActivity(ctx, second)
	if err != nil || last.IsZero() {
		t.Fatalf("LastActivity = %v, %v", last, err)
	}
	ok, err = e.store.CloseConversation(ctx, second, e.clock.Now(), kefu.CloseIdle, kefu.CloseGuard{IdleSince: last.Add(-time.Second)})
	mustChange(t, "idle close with a newer message", ok, err, false)
	ok, err = e.store.CloseConversation(ctx, second, e.clock.Now(), kefu.CloseByAgent, kefu.CloseGuard{SeenID: 1})
	mustChange(t, "close by an agent who has not seen the latest message", ok, err, false)
	ok, err = e.store.CloseConversation(ctx, second, e.clock.Now(), kefu.CloseIdle, kefu.CloseGuard{IdleSince: last, SeenID: 2})
	mustChange(t, "idle close", ok, err, true)
	r, err := e.store.Routing(ctx, second)
	if err != nil || r.State != kefu.Closed || r.CloseReason != kefu.CloseIdle || r.AgentID != a.ID || r.ClosedLastID != 2 {
		t.Fatalf("closed routing: %+v, %v", r, err)
	}
	ok, err = e.store.CloseConversation(ctx, second, e.clock.Now(), kefu.CloseByAgent, kefu.CloseGuard{})
	mustChange(t, "close again", ok, err, false)
	// The customer's next message opens a new conversation, not on the desk yet.
	third := e.conversation(t, "o2", 3)
	if third == second {
		t.Fatal("a message after the close joined the closed conversation")
	}
	if _, err := e.store.Routing(ctx, third); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("the new conversation's routing: %v", err)
	}
	ok, err = e.queue(ctx, second, e.clock.Now())
	mustChange(t, "queue a closed conversation", ok, err, false)
	// Reopened only while the customer has no other open conversation.
	ok, err = e.store.ReopenConversation(ctx, second, e.clock.Now())
	mustChange(t, "reopen beside an open conversation", ok, err, false)
	ok, err = e.store.CloseConversation(ctx, third, e.clock.Now(), kefu.CloseByAgent, kefu.CloseGuard{})
	mustChange(t, "close the third", ok, err, true)
	ok, err = e.store.ReopenConversation(ctx, second, e.clock.Now())
	mustChange(t, "reopen", ok, err, true)
	if r, err := e.store.Routing(ctx, second); err != nil || r.State != kefu.Waiting || r.AgentID != 0 {
		t.Fatalf("reopened routing: %+v, %v", r, err)
	}
	// A customer message whose conversation is not on the desk is found.
	fourth := e.conversation(t, "o3", 4)
	un, err := e.store.Unrouted(ctx)
	if err != nil || len(un) != 1 || un[0].ConversationID != fourth {
		t.Fatalf("Unrouted = %+v, %v; want conversation %d", un, err, fourth)
	}
}

// testConcurrentAccept: many agents accept one waiting conversation at once; one
// gets it.
func testConcurrentAccept(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	var agents []*kefu.Agent
	for i := range 8 {
		agents = append(agents, e.agent(t, string(rune('a'+i)), testAppID))
	}
	for round := range 5 {
		conv := e.conversation(t, "o"+string(rune('0'+round)), int64(round+1))
		if ok, err := e.queue(ctx, conv, e.clock.Now()); !ok || err != nil {
			t.Fatal(ok, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners := 0
		for _, a := range agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := e.store.Assign(ctx, conv, a.ID, e.clock.Now())
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if winners != 1 {
			t.Fatalf("round %d: %d agents got the conversation", round, winners)
		}
	}
}

// testCards: a card shows the customer's latest message and counts the unread
// ones of the conversation.
func testCards(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	a := e.agent(t, "a", testAppID)
	e.ingest(t, e.enter("o1", "商品详情页"))
	conv := e.conversation(t, "o1", 1)
	e.ingest(t, e.text("o1", 2, "在吗？"))
	e.queue(ctx, conv, e.clock.Now())
	e.store.Assign(ctx, conv, a.ID, e.clock.Now())
	rs, _ := e.store.ActiveRoutings(ctx, a.ID)
	cards, err := e.store.Cards(ctx, rs)
	if err != nil || len(cards) != 1 {
		t.Fatalf("Cards = %v, %v", cards, err)
	}
	c := cards[0]
	if c.SessionFrom != "商品详情页" || c.Last == nil || c.Last.Content != "在吗？" || c.Unread != 2 {
		t.Fatalf("card %+v (last %+v)", c, c.Last)
	}
	e.store.MarkRead(ctx, conv, a.ID, c.Last.ID)
	rs, _ = e.store.ActiveRoutings(ctx, a.ID)
	if cards, _ := e.store.Cards(ctx, rs); cards[0].Unread != 0 {
		t.Fatalf("unread after reading: %d", cards[0].Unread)
	}
}
