package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"kefu"
)

// testAutoAssignReads: what the desk reads at every new conversation. Only the
// agents who take work automatically now are candidates, loads count active
// conversations, and the queue is read head first as far as asked.
func testAutoAssignReads(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	takes := e.agent(t, "takes", testAppID)
	away := e.agent(t, "away", testAppID)
	manual := e.agent(t, "manual", testAppID)
	off := e.agent(t, "disabled", testAppID)
	elsewhere := e.agent(t, "elsewhere")
	boss := e.agent(t, "boss") // an admin serves every mini program
	boss.Role = kefu.RoleAdmin
	for _, a := range []*kefu.Agent{takes, away, manual, off, elsewhere, boss} {
		a.AutoAccept = a != manual
		a.Disabled = a == off
		if err := e.store.UpdateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		status := kefu.Online
		if a == away {
			status = kefu.Away
		}
		if err := e.store.SetPresence(ctx, a.ID, status, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.store.AutoAcceptors(ctx, testAppID)
	slices.SortFunc(got, func(a, b *kefu.Agent) int { return cmp.Compare(a.ID, b.ID) })
	if err != nil || len(got) != 2 || got[0].ID != takes.ID || len(got[0].Apps) != 1 || got[1].ID != boss.ID {
		t.Fatalf("AutoAcceptors = %+v, %v; want %q and the admin", got, err, takes.Login)
	}

	var convs []int64
	for i, openid := range []string{"o1", "o2", "o3", "o4"} {
		c := e.conversation(t, openid, int64(i+1))
		ok, err := e.queue(ctx, c, e.clock.Now())
		mustChange(t, "queue", ok, err, true)
		convs = append(convs, c)
		e.clock.Advance(time.Second)
	}
	e.store.Assign(ctx, convs[0], takes.ID, e.clock.Now())
	e.store.Assign(ctx, convs[1], takes.ID, e.clock.Now())
	e.store.Assign(ctx, convs[2], manual.ID, e.clock.Now())
	loads, err := e.store.Loads(ctx, []int64{takes.ID, manual.ID, away.ID})
	if err != nil || loads[takes.ID] != 2 || loads[manual.ID] != 1 || loads[away.ID] != 0 {
		t.Fatalf("Loads = %v, %v", loads, err)
	}

	c5 := e.conversation(t, "o5", 5)
	ok, err := e.queue(ctx, c5, e.clock.Now())
	mustChange(t, "queue", ok, err, true)
	head, err := e.store.Waiting(ctx, []string{testAppID}, 1)
	if err != nil || len(head) != 1 || head[0].ConversationID != convs[3] {
		t.Fatalf("Waiting(limit 1) = %+v, %v; want the head, %d", head, err, convs[3])
	}
	if n, err := e.store.CountWaiting(ctx, []string{testAppID}); err != nil || n != 2 {
		t.Fatalf("CountWaiting = %d, %v; want 2", n, err)
	}
	if n, err := e.store.CountWaiting(ctx, []string{"wx_other"}); err != nil || n != 0 {
		t.Fatalf("CountWaiting(another app) = %d, %v", n, err)
	}
}

// testQueueTogether: several conversations queue in one write, each at its own
// time, and only those that were not on the desk are reported queued.
func testQueueTogether(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	already := e.conversation(t, "o1", 1)
	if ok, err := e.queue(ctx, already, e.clock.Now()); !ok || err != nil {
		t.Fatalf("queue: %v %v", ok, err)
	}
	a := e.conversation(t, "o2", 2)
	b := e.conversation(t, "o3", 3)
	now := e.clock.Now()
	got, err := e.store.QueueConversations(ctx, []kefu.QueueItem{
		{ConversationID: b, At: now.Add(2 * time.Second)},
		{ConversationID: already, At: now},
		{ConversationID: a, At: now.Add(time.Second)},
		{ConversationID: 999999, At: now}, // no such conversation
	})
	if err != nil || len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("QueueConversations = %v, %v; want [%d %d]", got, err, b, a)
	}
	w, err := e.store.Waiting(ctx, []string{testAppID}, 0)
	if err != nil || len(w) != 3 || w[0].ConversationID != already || w[1].ConversationID != a || w[2].ConversationID != b {
		t.Fatalf("the queue: %+v, %v; want %d, %d, %d by their times", w, err, already, a, b)
	}
}
