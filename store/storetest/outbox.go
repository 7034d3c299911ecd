package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"kefu"
)

// allowAll approves any ledger; refuseAll none.
func allowAll(kefu.QuotaLedger) error { return nil }

func (e *env) enqueue(t *testing.T, openid, text string) *kefu.Message {
	t.Helper()
	m, err := e.store.Enqueue(context.Background(), &kefu.OutboundRequest{
		AppID: testAppID, OpenID: openid, Content: kefu.Content{Kind: kefu.KindText, Text: text},
	}, e.clock.Now(), allowAll)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return m
}

func testEnqueueAndDeliver(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	m := e.enqueue(t, "o1", "hello <b>there</b>")
	if m.Direction != kefu.DirectionOut || m.Status != kefu.StatusQueued || m.Kind != kefu.KindText || m.Content != "hello <b>there</b>" {
		t.Fatalf("queued message = %+v", m)
	}
	if m.ConversationID == 0 {
		t.Errorf("the outbound message belongs to no conversation")
	}
	due, err := e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if err != nil || len(due) != 1 || due[0].ID != m.ID {
		t.Fatalf("DueOutbound = %v, %v; want the queued message", due, err)
	}
	_, ok, err := e.store.ClaimOutbound(ctx, m.ID, e.clock.Now())
	if err != nil || !ok {
		t.Fatalf("ClaimOutbound = %v, %v", ok, err)
	}
	if _, ok, _ := e.store.ClaimOutbound(ctx, m.ID, e.clock.Now()); ok {
		t.Fatalf("a message was claimed twice")
	}
	e.clock.Advance(time.Second)
	if err := e.store.FinishOutbound(ctx, m.ID, kefu.DeliveryResult{Status: kefu.StatusSent, At: e.clock.Now()}); err != nil {
		t.Fatalf("FinishOutbound: %v", err)
	}
	got, err := e.store.Message(ctx, m.ID)
	if err != nil || got.Status != kefu.StatusSent || got.Attempts != 1 || !got.DoneAt.Equal(e.clock.Now()) {
		t.Fatalf("after sending: %+v, %v", got, err)
	}
	err = e.store.FinishOutbound(ctx, m.ID, kefu.DeliveryResult{Status: kefu.StatusFailed, At: e.clock.Now()})
	wantCode(t, err, kefu.EConflict)
	// The send counts in the ledger; the customer's last activity is still theirs.
	l, err := e.store.Ledger(ctx, testAppID, "o1", e.clock.Now(), false)
	if err != nil || len(l.Sends) != 1 || len(l.Grants) != 1 {
		t.Fatalf("Ledger = %+v, %v", l, err)
	}
	if st := l.At(e.clock.Now()); st.Remaining != 4 {
		t.Errorf("after one send: %+v, want 4 left", st)
	}
}

func testOutboxOrderPerCustomer(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	e.ingest(t, e.text("o2", 2, "hi"))
	a1 := e.enqueue(t, "o1", "a1")
	a2 := e.enqueue(t, "o1", "a2")
	b1 := e.enqueue(t, "o2", "b1")
	due, err := e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if err != nil || len(due) != 2 || due[0].ID != a1.ID || due[1].ID != b1.ID {
		t.Fatalf("DueOutbound = %v, %v; want the first message of each customer", ids(due), err)
	}
	// While a1 is being sent, nothing else of o1 is due.
	if _, ok, err := e.store.ClaimOutbound(ctx, a1.ID, e.clock.Now()); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	due, _ = e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if len(due) != 1 || due[0].ID != b1.ID {
		t.Fatalf("while a1 is sending, due = %v; want only b1", ids(due))
	}
	// a1 waits for a retry: a2 still waits behind it.
	retry := e.clock.Now().Add(time.Minute)
	if err := e.store.FinishOutbound(ctx, a1.ID, kefu.DeliveryResult{Status: kefu.StatusQueued, RetryAt: retry, ErrCode: -1, Reason: "busy"}); err != nil {
		t.Fatal(err)
	}
	due, _ = e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if len(due) != 1 || due[0].ID != b1.ID {
		t.Fatalf("while a1 waits, due = %v; want only b1", ids(due))
	}
	e.clock.Advance(time.Minute)
	due, _ = e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if len(due) != 2 || due[0].ID != a1.ID {
		t.Fatalf("after the wait, due = %v; want a1 and b1", ids(due))
	}
	got, _ := e.store.Message(ctx, a1.ID)
	if got.ErrCode != -1 || got.ErrReason != "busy" || got.Status != kefu.StatusQueued {
		t.Errorf("a1 waiting: %+v", got)
	}
	// A claim checks the due time: a message put back to wait is not taken early.
	if _, ok, _ := e.store.ClaimOutbound(ctx, b1.ID, e.clock.Now().Add(-time.Hour)); ok {
		t.Errorf("a message was claimed before it was due")
	}
	n, ok, err := e.store.ClaimOutbound(ctx, a1.ID, e.clock.Now())
	if !ok || err != nil || n != 2 {
		t.Fatalf("second claim of a1 = %d %v %v; want attempt 2", n, ok, err)
	}
	if next, err := e.store.NextOutbound(ctx, testAppID, "o1", e.clock.Now()); next != nil || err != nil {
		t.Fatalf("NextOutbound while a1 is sending = %v, %v; want nothing", next, err)
	}
	e.store.FinishOutbound(ctx, a1.ID, kefu.DeliveryResult{Status: kefu.StatusSent, At: e.clock.Now()})
	next, err := e.store.NextOutbound(ctx, testAppID, "o1", e.clock.Now())
	if err != nil || next == nil || next.ID != a2.ID {
		t.Fatalf("NextOutbound after a1 = %v, %v; want a2", next, err)
	}
	due, _ = e.store.DueOutbound(ctx, e.clock.Now(), 10)
	if len(due) != 2 || due[0].ID != a2.ID || due[1].ID != b1.ID {
		t.Fatalf("after a1 was sent, due = %v; want a2 and b1", ids(due))
	}
}

// testEnqueueSameKeyConcurrently: requests racing with one idempotency key all get
// the one message.
func testEnqueueSameKeyConcurrently(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	var wg sync.WaitGroup
	got := make(chan int64, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := e.store.Enqueue(ctx, &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1", Key: "same",
				Content: kefu.Content{Kind: kefu.KindText, Text: "once"}}, e.clock.Now(), allowAll)
			if err != nil {
				t.Errorf("Enqueue: %v", err)
				return
			}
			got <- m.ID
		}()
	}
	wg.Wait()
	close(got)
	first := int64(0)
	for id := range got {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Fatalf("one key gave messages %d and %d", first, id)
		}
	}
}

// testLedgerCountsQueuedAtNow: messages still queued use the window as it is when
// they go, so a fresh grant is not taken to cover them twice.
func testLedgerCountsQueuedAtNow(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.enter("o1", ""))
	e.enqueue(t, "o1", "a")
	e.enqueue(t, "o1", "b")
	e.clock.Advance(10 * time.Second)
	e.ingest(t, e.text("o1", 1, "hi"))
	e.clock.Advance(time.Second)
	l, err := e.store.Ledger(ctx, testAppID, "o1", e.clock.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	if st := l.At(e.clock.Now()); st.Remaining != 3 {
		t.Errorf("with two queued after a new message: %+v; want 3 left", st.QuotaState)
	}
}

func testAbandonSending(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	m := e.enqueue(t, "o1", "x")
	if _, ok, _ := e.store.ClaimOutbound(ctx, m.ID, e.clock.Now()); !ok {
		t.Fatal("claim failed")
	}
	if failed, err := e.store.AbandonSending(ctx, e.clock.Now(), e.clock.Now(), "gone"); err != nil || len(failed) != 0 {
		t.Fatalf("a fresh send was abandoned: %v, %v", failed, err)
	}
	e.clock.Advance(3 * time.Minute)
	failed, err := e.store.AbandonSending(ctx, e.clock.Now().Add(-2*time.Minute), e.clock.Now(), "gone")
	if err != nil || len(failed) != 1 || failed[0].ID != m.ID || failed[0].OpenID != "o1" || failed[0].ConversationID != m.ConversationID {
		t.Fatalf("AbandonSending = %+v, %v; want message %d", failed, err, m.ID)
	}
	got, _ := e.store.Message(ctx, m.ID)
	if got.Status != kefu.StatusFailed || got.ErrReason != "gone" {
		t.Errorf("abandoned message: %+v", got)
	}
}

func testEnqueueIdempotentAndChecked(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	req := &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1", Key: "k1", Content: kefu.Content{Kind: kefu.KindText, Text: "once"}}
	a, err := e.store.Enqueue(ctx, req, e.clock.Now(), allowAll)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.store.Enqueue(ctx, req, e.clock.Now(), allowAll)
	if err != nil || b.ID != a.ID {
		t.Fatalf("second enqueue with the same key: %v, %v; want message %d", b, err, a.ID)
	}
	_, err = e.store.Enqueue(ctx, &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1", Content: kefu.Content{Kind: kefu.KindText}}, e.clock.Now(), allowAll)
	wantCode(t, err, kefu.EInvalid)
	_, err = e.store.Enqueue(ctx, &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1", Content: kefu.Content{Kind: kefu.KindImage, Media: "nope"}}, e.clock.Now(), allowAll)
	wantCode(t, err, kefu.EInvalid)
	refused := kefu.Errorf(kefu.EQuota, "no")
	_, err = e.store.Enqueue(ctx, &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1", Content: kefu.Content{Kind: kefu.KindText, Text: "x"}}, e.clock.Now(),
		func(kefu.QuotaLedger) error { return refused })
	wantCode(t, err, kefu.EQuota)
	if ms := e.messages(t, kefu.MessageFilter{OpenID: "o1"}); len(ms) != 2 {
		t.Errorf("stored %d messages, want the push and one outbound", len(ms))
	}
}

// testEnqueueSerialisesLedger sends concurrently to a customer with 5 sends allowed:
// exactly 5 are queued, whatever the interleaving.
func testEnqueueSerialisesLedger(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	now := e.clock.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	queued, refused := 0, 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.store.Enqueue(ctx, &kefu.OutboundRequest{AppID: testAppID, OpenID: "o1",
				Content: kefu.Content{Kind: kefu.KindText, Text: "x"}}, now, func(l kefu.QuotaLedger) error { return l.At(now).Refusal() })
			mu.Lock()
			defer mu.Unlock()
			switch kefu.ErrorCodeOf(err) {
			case "":
				queued++
			case kefu.EQuota:
				refused++
			default:
				t.Errorf("Enqueue: %v", err)
			}
		}()
	}
	wg.Wait()
	if queued != 5 || refused != 15 {
		t.Errorf("queued %d and refused %d; want 5 and 15", queued, refused)
	}
}

func testLedgerCorrections(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	m := e.enqueue(t, "o1", "x")
	e.clock.Advance(5 * time.Second) // well after the grant: not a refusal crossing it
	e.store.ClaimOutbound(ctx, m.ID, e.clock.Now())
	if err := e.store.FinishOutbound(ctx, m.ID, kefu.DeliveryResult{Status: kefu.StatusFailed, At: e.clock.Now(), ErrCode: kefu.WxQuotaUsedUp, Reason: "used"}); err != nil {
		t.Fatal(err)
	}
	l, err := e.store.Ledger(ctx, testAppID, "o1", e.clock.Now(), true)
	if err != nil || len(l.Corrections) != 1 || l.Corrections[0].Code != kefu.WxQuotaUsedUp {
		t.Fatalf("Ledger = %+v, %v; want the 45047 correction", l, err)
	}
	if st := l.At(e.clock.Now()); st.Open {
		t.Errorf("after 45047 the window is %+v; want no sends left", st)
	}
}

func ids(ms []*kefu.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
