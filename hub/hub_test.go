package hub

import (
	"testing"

	"kefu"
)

func event(id int64) kefu.Event { return kefu.Event{Kind: kefu.EventMessageStored, MessageID: id} }

func TestPublishNumbersAndDelivers(t *testing.T) {
	h := New(4)
	var got []uint64
	cancel := h.follow(func(e Sequenced) { got = append(got, e.Seq) })
	h.Publish(event(1), event(2))
	h.Publish(event(3))
	cancel()
	h.Publish(event(4))
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("delivered %v, want 1 2 3", got)
	}
	if h.Last() != 4 {
		t.Fatalf("Last = %d", h.Last())
	}
}

// A stream that reconnects catches up from the hub while the events are kept, and
// is told to reload once they are not.
func TestSince(t *testing.T) {
	h := New(3)
	if es, ok := h.Since(0); !ok || len(es) != 0 {
		t.Fatalf("Since(0) on an empty hub: %v %v", es, ok)
	}
	for i := range 5 {
		h.Publish(event(int64(i + 1)))
	}
	es, ok := h.Since(2)
	if !ok || len(es) != 3 || es[0].Seq != 3 || es[2].MessageID != 5 {
		t.Fatalf("Since(2) = %v %v, want events 3, 4, 5", es, ok)
	}
	if _, ok := h.Since(1); ok {
		t.Fatal("Since(1) claims events 2 to 5, but only 3 are kept")
	}
	if _, ok := h.Since(9); ok {
		t.Fatal("Since a number this hub never gave (another hub's, before a restart) must ask for a reload")
	}
	if es, ok := h.Since(5); !ok || len(es) != 0 {
		t.Fatalf("Since(latest) = %v %v", es, ok)
	}
}

// A listener that falls behind is stopped and marked lost; publishing never waits.
func TestSlowListenerIsDropped(t *testing.T) {
	h := New(0)
	slow := h.Listen(2, nil)
	odd := h.Listen(10, func(e Sequenced) bool { return e.MessageID%2 == 1 })
	for i := range 5 {
		h.Publish(event(int64(i + 1)))
	}
	var n int
	for range slow.C() {
		n++
	}
	if n != 2 || !slow.Lost() {
		t.Fatalf("slow listener got %d events, lost = %v; want 2 and lost", n, slow.Lost())
	}
	odd.Close()
	var ids []int64
	for e := range odd.C() {
		ids = append(ids, e.MessageID)
	}
	if len(ids) != 3 || odd.Lost() {
		t.Fatalf("filtered listener got %v (lost %v), want 1 3 5", ids, odd.Lost())
	}
}
