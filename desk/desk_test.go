package desk_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu"
)

var ctx = context.Background()

// Waiting conversations form a FIFO queue; entering the chat alone puts nobody
// in it.
func TestQueueIsFIFO(t *testing.T) {
	e := newEnv(t, false)
	e.push("oEnterOnly", kefu.KindEnter)
	var want []int64
	for _, u := range []string{"o1", "o2", "o3"} {
		want = append(want, e.write(u))
		e.clock.Advance(time.Second)
	}
	e.write("o1") // a second message joins the open conversation
	if got := e.queue(); !slices.Equal(got, want) {
		t.Fatalf("queue %v, want %v", got, want)
	}
	a := e.agent("a", 5, false, kefu.Online)
	if err := e.desk.Accept(ctx, a, want[1]); err != nil {
		t.Fatal(err)
	}
	if got := e.queue(); !slices.Equal(got, []int64{want[0], want[2]}) {
		t.Fatalf("after accepting the second: %v", got)
	}
}

// With auto-accept, online agents with room get waiting conversations at once, as
// they arrive and as capacity frees: least loaded first, then longest idle.
func TestAutoAssignByLoadThenIdle(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 2, true, kefu.Online)
	e.clock.Advance(time.Minute)
	b := e.agent("b", 1, true, kefu.Online)
	manual := e.agent("m", 5, false, kefu.Online) // takes nothing automatically
	c1 := e.write("o1")
	if e.owner(c1) != a.ID {
		t.Fatalf("first conversation went to %d, want a (both empty; a idle longer)", e.owner(c1))
	}
	c2 := e.write("o2")
	if e.owner(c2) != b.ID {
		t.Fatalf("second went to %d, want b (less loaded)", e.owner(c2))
	}
	c3 := e.write("o3")
	if e.owner(c3) != a.ID {
		t.Fatalf("third went to %d, want a (b is full)", e.owner(c3))
	}
	c4 := e.write("o4") // everyone with auto-accept is full: it waits
	if e.owner(c4) != 0 {
		t.Fatalf("fourth went to %d, want the queue", e.owner(c4))
	}
	_ = manual
	// Capacity frees: b closes, and the waiting one goes to b at once.
	if err := e.desk.Close(ctx, e.fresh(b), c2, 1<<40); err != nil {
		t.Fatal(err)
	}
	e.sweep()
	if e.owner(c4) != b.ID {
		t.Fatalf("after b closed one: the waiting conversation is with %d, want b", e.owner(c4))
	}
}

// Two agents accepting one conversation at once: one gets it, the other is told.
func TestConcurrentAccept(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			e := newEnv(t, pg)
			var agents []*kefu.Agent
			for _, l := range []string{"a", "b", "c", "d"} {
				agents = append(agents, e.agent(l, 5, false, kefu.Online))
			}
			for round := range 5 {
				conv := e.write("o" + string(rune('0'+round)))
				var wg sync.WaitGroup
				errs := make(chan error, len(agents))
				for _, a := range agents {
					wg.Add(1)
					go func() { defer wg.Done(); errs <- e.desk.Accept(ctx, a, conv) }()
				}
				wg.Wait()
				close(errs)
				won := 0
				for err := range errs {
					if err == nil {
						won++
					} else if kefu.ErrorCodeOf(err) != kefu.EConflict {
						t.Fatal(err)
					}
				}
				if won != 1 || e.owner(conv) == 0 {
					t.Fatalf("round %d: %d agents got it", round, won)
				}
			}
		})
	}
}

// An active conversation with no message either way for 30 minutes closes; the
// customer's next message opens a new, waiting one.
func TestIdleCloseAndTheNextConversation(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, false, kefu.Online)
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(29 * time.Minute)
	e.write("o1") // activity: the idle time starts again
	e.clock.Advance(29 * time.Minute)
	e.sweep()
	if r := e.routing(conv); r.State != kefu.Active {
		t.Fatalf("closed after 29 idle minutes: %+v", r)
	}
	e.clock.Advance(time.Minute)
	e.sweep()
	if r := e.routing(conv); r.State != kefu.Closed || r.CloseReason != kefu.CloseIdle {
		t.Fatalf("after 30 idle minutes: %+v", r)
	}
	next := e.write("o1")
	if next == conv || e.routing(next).State != kefu.Waiting {
		t.Fatalf("the next message: conversation %d (%+v), want a new waiting one", next, e.routing(next))
	}
}

// A conversation that waited long is not closed as idle the moment it is taken.
func TestIdleCountsFromAccept(t *testing.T) {
	e := newEnv(t, false)
	conv := e.write("o1")
	e.clock.Advance(2 * time.Hour)
	a := e.agent("a", 5, false, kefu.Online)
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	e.sweep()
	if e.routing(conv).State != kefu.Active {
		t.Fatal("closed as idle right after a long wait")
	}
}

// Going offline returns an agent's conversations to the head of the queue.
func TestOfflineReturnsConversationsToTheHead(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, false, kefu.Online)
	mine := e.write("o1")
	e.clock.Advance(time.Second)
	later := e.write("o2")
	if err := e.desk.Accept(ctx, a, mine); err != nil {
		t.Fatal(err)
	}
	if err := e.desk.SetStatus(ctx, e.fresh(a), kefu.Offline); err != nil {
		t.Fatal(err)
	}
	if got := e.queue(); !slices.Equal(got, []int64{mine, later}) {
		t.Fatalf("queue after going offline: %v, want the returned one first", got)
	}
	if err := e.desk.Accept(ctx, e.fresh(a), later); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("an offline agent accepting: %v", err)
	}
}

// Losing every connection for longer than the grace period returns the agent's
// conversations to the queue; coming back within it keeps them.
func TestLostConnections(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, false, kefu.Online)
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	e.desk.Connected(a.ID)
	e.desk.Connected(a.ID) // two tabs
	e.desk.Disconnected(a.ID)
	e.clock.Advance(10 * time.Minute)
	e.sweep()
	if e.owner(conv) != a.ID {
		t.Fatal("lost with one tab still open")
	}
	e.desk.Disconnected(a.ID)
	e.clock.Advance(time.Minute)
	e.desk.Connected(a.ID) // back within the grace
	e.clock.Advance(5 * time.Minute)
	e.sweep()
	if e.owner(conv) != a.ID || e.fresh(a).Status != kefu.Online {
		t.Fatal("lost although the connection came back within the grace")
	}
	e.desk.Disconnected(a.ID)
	e.clock.Advance(2*time.Minute + time.Second)
	e.sweep()
	if e.owner(conv) != 0 || e.fresh(a).Status != kefu.Offline {
		t.Fatalf("after the grace: owner %d, status %s; want the queue and offline", e.owner(conv), e.fresh(a).Status)
	}
}

// Transfer hands a conversation to another online agent of the mini program, or
// back to the queue; nobody else may.
func TestTransfer(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, false, kefu.Online)
	b := e.agent("b", 5, false, kefu.Online)
	away := e.agent("c", 5, false, kefu.Away)
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	if err := e.desk.Transfer(ctx, b, conv, b.ID); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("b taking a's conversation by transfer: %v", err)
	}
	if err := e.desk.Transfer(ctx, a, conv, away.ID); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("transfer to an away agent: %v", err)
	}
	if err := e.desk.Transfer(ctx, a, conv, b.ID); err != nil {
		t.Fatal(err)
	}
	if e.owner(conv) != b.ID {
		t.Fatal("not with b after the transfer")
	}
	if err := e.desk.Requeue(ctx, b, conv); err != nil {
		t.Fatal(err)
	}
	if got := e.queue(); !slices.Equal(got, []int64{conv}) {
		t.Fatalf("queue after transfer to the queue: %v", got)
	}
}

// Away takes no new conversations, automatically or by hand, and keeps its own.
func TestAway(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, true, kefu.Online)
	conv := e.write("o1")
	if e.owner(conv) != a.ID {
		t.Fatal("not assigned while online")
	}
	if err := e.desk.SetStatus(ctx, e.fresh(a), kefu.Away); err != nil {
		t.Fatal(err)
	}
	next := e.write("o2")
	if e.owner(next) != 0 {
		t.Fatal("an away agent got a new conversation")
	}
	if err := e.desk.Accept(ctx, e.fresh(a), next); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("an away agent accepting: %v", err)
	}
	if e.owner(conv) != a.ID {
		t.Fatal("going away lost the agent's conversation")
	}
	if err := e.desk.SetStatus(ctx, e.fresh(a), kefu.Online); err != nil {
		t.Fatal(err)
	}
	if e.owner(next) != a.ID {
		t.Fatal("back online, the waiting conversation was not given")
	}
}

// An agent sees and acts only on the mini programs they serve.
func TestOtherMiniProgramsAreInvisible(t *testing.T) {
	e := newEnv(t, false)
	other := &kefu.Agent{Login: "x", Name: "x", Role: kefu.RoleAgent, Capacity: 5, Status: kefu.Online}
	if err := e.store.CreateAgent(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.Status = kefu.Online
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, other, conv); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("accepting another mini program's conversation: %v, want not found", err)
	}
}

// Closing refuses to hide a message the agent has not been shown; a message that
// lands in a conversation as it closes reopens it.
func TestCloseNeverHidesAMessage(t *testing.T) {
	e := newEnv(t, false)
	a := e.agent("a", 5, false, kefu.Online)
	conv := e.write("o1")
	if err := e.desk.Accept(ctx, a, conv); err != nil {
		t.Fatal(err)
	}
	seen := e.msgID
	e.write("o1") // arrives while the agent decides to close
	if err := e.desk.Close(ctx, e.fresh(a), conv, seen); kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("closing with an unseen message: %v", err)
	}
	if err := e.desk.Close(ctx, e.fresh(a), conv, e.msgID); err != nil {
		t.Fatal(err)
	}
	// A message stored into the conversation as it closed (simulated: its event
	// names the closed conversation with a later message id).
	ev := kefu.Event{Kind: kefu.EventMessageStored, AppID: appID, OpenID: "o1", ConversationID: conv,
		MessageID: e.msgID + 100, MessageKind: kefu.KindText, At: e.clock.Now()}
	if err := e.desk.OnMessage(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if r := e.routing(conv); r.State != kefu.Waiting {
		t.Fatalf("a message in a closed conversation left it %s", r.State)
	}
	// An old event for a message the closer had seen changes nothing.
	e.desk.Accept(ctx, e.fresh(a), conv)
	e.desk.Close(ctx, e.fresh(a), conv, 1<<40)
	ev.MessageID = 1
	e.desk.OnMessage(ctx, ev)
	if r := e.routing(conv); r.State != kefu.Closed {
		t.Fatalf("a stale event reopened the conversation: %s", r.State)
	}
}
