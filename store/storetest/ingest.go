package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu"
)

func testIngestText(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	res := e.ingest(t, e.text("o1", 1001, "你好"))
	if res.Duplicate || res.MessageID == 0 || res.ConversationID == 0 {
		t.Fatalf("Ingest = %+v", res)
	}
	ms := e.messages(t, kefu.MessageFilter{})
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1", len(ms))
	}
	m := ms[0]
	if m.ID != res.MessageID || m.ConversationID != res.ConversationID || m.Content != "你好" ||
		m.WxMsgID != 1001 || m.Direction != kefu.DirectionIn || m.Kind != kefu.KindText || m.OpenID != "o1" ||
		string(m.Raw) != `{"MsgType":"text"}` || !m.CreateTime.Equal(Start) {
		t.Fatalf("stored %+v", m)
	}
	c, err := e.store.Customer(ctx, testAppID, "o1")
	if err != nil || !c.FirstSeen.Equal(Start) {
		t.Fatalf("Customer = %+v, %v", c, err)
	}
	conv, err := e.store.OpenConversation(ctx, testAppID, "o1")
	if err != nil || conv.ID != res.ConversationID || conv.Status != kefu.ConversationOpen {
		t.Fatalf("OpenConversation = %+v, %v", conv, err)
	}
	if q := e.quota(t, "o1"); !q.Open || q.Remaining != 5 || !q.ExpiresAt.Equal(Start.Add(48*time.Hour)) {
		t.Fatalf("quota after a message = %+v", q)
	}

	// A later message extends the same conversation and the customer's last_seen.
	e.clock.Advance(time.Hour)
	res2 := e.ingest(t, e.text("o1", 1002, "还在吗"))
	if res2.ConversationID != res.ConversationID {
		t.Fatalf("second message opened conversation %d, want %d", res2.ConversationID, res.ConversationID)
	}
	c, _ = e.store.Customer(ctx, testAppID, "o1")
	conv, _ = e.store.OpenConversation(ctx, testAppID, "o1")
	if !c.LastSeen.Equal(Start.Add(time.Hour)) || !conv.LastMessageAt.Equal(Start.Add(time.Hour)) {
		t.Fatalf("last seen %v, conversation last message %v", c.LastSeen, conv.LastMessageAt)
	}
	if q := e.quota(t, "o1"); !q.ExpiresAt.Equal(Start.Add(49 * time.Hour)) {
		t.Fatalf("quota after second message = %+v", q)
	}
}

func testIngestDuplicate(t *testing.T, e *env) {
	e.createApp(t)
	first := e.ingest(t, e.text("o1", 42, "once"))
	e.clock.Advance(5 * time.Second) // WeChat retries after its 5 s timeout
	retry := e.text("o1", 42, "once")
	retry.CreateTime = Start.Unix()
	dup := e.ingest(t, retry)
	if !dup.Duplicate || dup.MessageID != first.MessageID || dup.ConversationID != first.ConversationID {
		t.Fatalf("retry = %+v, first = %+v", dup, first)
	}
	if ms := e.messages(t, kefu.MessageFilter{}); len(ms) != 1 {
		t.Fatalf("%d messages after a retry, want 1", len(ms))
	}
	c, _ := e.store.Customer(context.Background(), testAppID, "o1")
	if !c.LastSeen.Equal(Start) {
		t.Fatalf("a duplicate moved last_seen to %v", c.LastSeen)
	}
	grants, _ := e.store.QuotaGrants(context.Background(), testAppID, "o1", Start.Add(-time.Hour))
	if len(grants) != 1 {
		t.Fatalf("%d grants after a retry, want 1", len(grants))
	}
}

func testEventDedup(t *testing.T, e *env) {
	e.createApp(t)
	a := e.ingest(t, e.enter("o1", "order-1"))
	b := e.ingest(t, e.enter("o1", "order-1"))
	if a.Duplicate || !b.Duplicate {
		t.Fatalf("same enter event twice: %+v then %+v", a, b)
	}
	// Same user and second, another event: a different push.
	other := e.enter("o1", "")
	other.Event, other.Kind = "wxa_media_check", kefu.KindOther
	if r := e.ingest(t, other); r.Duplicate {
		t.Fatalf("another event in the same second was taken for a retry")
	}
	// Same event a second later: a new entry.
	e.clock.Advance(time.Second)
	if r := e.ingest(t, e.enter("o1", "order-1")); r.Duplicate {
		t.Fatalf("a later enter event was taken for a retry")
	}
	c, err := e.store.Customer(context.Background(), testAppID, "o1")
	if err != nil || c.SessionFrom != "order-1" {
		t.Fatalf("customer %+v, %v", c, err)
	}
}

func testOtherEvents(t *testing.T, e *env) {
	e.createApp(t)
	for i, ev := range []string{"wxa_media_check", "subscribe_msg_popup_event", "debug_demo"} {
		m := e.enter("o9", "")
		m.Event, m.Kind, m.CreateTime = ev, kefu.KindOther, int64(1000+i)
		if ev == kefu.EventDebugDemo {
			m.Kind = kefu.KindDebugDemo
		}
		m.Raw = []byte(fmt.Sprintf(`{"Event":%q}`, ev))
		if r := e.ingest(t, m); r.Duplicate || r.ConversationID != 0 {
			t.Fatalf("%s: %+v", ev, r)
		}
	}
	// Two unrelated events from one sender in one second, with different
	// documents, are two pushes; the same document again is a retry.
	for _, raw := range []string{`{"trace_id":"a"}`, `{"trace_id":"b"}`, `{"trace_id":"a"}`} {
		m := e.enter("o9", "")
		m.Event, m.Kind, m.CreateTime, m.Raw = "wxa_media_check", kefu.KindOther, 2000, []byte(raw)
		e.ingest(t, m)
	}
	ms := e.messages(t, kefu.MessageFilter{})
	if len(ms) != 5 || string(ms[0].Raw) != `{"Event":"wxa_media_check"}` {
		t.Fatalf("stored %d, first raw %q", len(ms), ms[0].Raw)
	}
	if _, err := e.store.Customer(context.Background(), testAppID, "o9"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("an unrelated event made a customer: %v", err)
	}
	if q := e.quota(t, "o9"); q.Open {
		t.Fatalf("an unrelated event granted a reply window: %+v", q)
	}
}

func testEnterGrants(t *testing.T, e *env) {
	e.createApp(t)
	e.ingest(t, e.enter("o1", "btn"))
	if q := e.quota(t, "o1"); !q.Open || q.Remaining != 2 || !q.ExpiresAt.Equal(Start.Add(time.Minute)) {
		t.Fatalf("after entering: %+v", q)
	}
	e.clock.Advance(2 * time.Minute)
	if q := e.quota(t, "o1"); q.Open {
		t.Fatalf("enter window still open after 2 minutes: %+v", q)
	}
	e.ingest(t, e.text("o1", 7, "hello"))
	e.clock.Advance(10 * time.Second)
	// Entering again inside the 48 h window: no accumulation, the count stays 5
	// and the expiry stays the later one.
	e.ingest(t, e.enter("o1", "btn"))
	q := e.quota(t, "o1")
	if q.Remaining != 5 || !q.ExpiresAt.Equal(Start.Add(2*time.Minute+48*time.Hour)) {
		t.Fatalf("enter inside a message window: %+v", q)
	}
}

// testConcurrentRetries sends every push several times from many goroutines at
// once, the way WeChat's retries can overlap a slow first attempt.
func testConcurrentRetries(t *testing.T, e *env) {
	e.createApp(t)
	const pushes, copies = 60, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := map[int64]int{}
	errs := make(chan error, pushes*copies)
	for c := 0; c < copies; c++ {
		for i := 1; i <= pushes; i++ {
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				res, err := e.store.Ingest(context.Background(), e.text(fmt.Sprintf("o%d", id%7), id, "x"))
				if err != nil {
					errs <- err
					return
				}
				if !res.Duplicate {
					mu.Lock()
					fresh[id]++
					mu.Unlock()
				}
			}(int64(i))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := int64(1); i <= pushes; i++ {
		if fresh[i] != 1 {
			t.Fatalf("push %d reported new %d times", i, fresh[i])
		}
	}
	if ms := e.messages(t, kefu.MessageFilter{}); len(ms) != pushes {
		t.Fatalf("%d messages stored, want %d", len(ms), pushes)
	}
}

func testMessagesFilter(t *testing.T, e *env) {
	e.createApp(t)
	for i := int64(1); i <= 5; i++ {
		e.ingest(t, e.text(fmt.Sprintf("o%d", i%2), i, fmt.Sprint(i)))
	}
	all := e.messages(t, kefu.MessageFilter{})
	if len(all) != 5 || all[0].Content != "1" || all[4].Content != "5" {
		t.Fatalf("all = %d", len(all))
	}
	if page := e.messages(t, kefu.MessageFilter{AfterID: all[1].ID, Limit: 2}); len(page) != 2 || page[0].Content != "3" {
		t.Fatalf("page after 2 = %v", page)
	}
	if odd := e.messages(t, kefu.MessageFilter{OpenID: "o1"}); len(odd) != 3 {
		t.Fatalf("o1 has %d messages, want 3", len(odd))
	}
	if none := e.messages(t, kefu.MessageFilter{AppID: "wx0000000000000009"}); len(none) != 0 {
		t.Fatalf("another app sees %d messages", len(none))
	}
}

func testCountByWxMsgID(t *testing.T, e *env) {
	e.createApp(t)
	var ids []int64
	for i := int64(1); i <= 1200; i += 2 {
		e.ingest(t, e.text("o1", i, ""))
		e.ingest(t, e.text("o1", i, "")) // WeChat's retry
	}
	for i := int64(1); i <= 1200; i++ {
		ids = append(ids, i)
	}
	counts, err := e.store.CountByWxMsgID(context.Background(), testAppID, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 600 || counts[1] != 1 || counts[1199] != 1 || counts[2] != 0 {
		t.Fatalf("%d MsgIds counted; 1: %d, 1199: %d, 2: %d", len(counts), counts[1], counts[1199], counts[2])
	}
	// Only the MsgIds asked for are counted, in any order.
	counts, err = e.store.CountByWxMsgID(context.Background(), testAppID, []int64{1199, 1, 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[1] != 1 || counts[1199] != 1 {
		t.Fatalf("asked for 1199, 1 and 4, counted %v", counts)
	}
}

func testClosedStore(t *testing.T, e *env) {
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "before"))
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Ingest(context.Background(), e.text("o1", 2, "after")); err == nil {
		t.Fatal("a closed store accepted a push")
	}
}
