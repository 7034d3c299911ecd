package hub

import (
	"testing"
	"time"

	"kefu"
)

func event(id int64) kefu.Event { return kefu.Event{Kind: kefu.EventMessageStored, MessageID: id} }

func TestPublishDelivers(t *testing.T) {
	h := New(4)
	base := h.Last()
	var got []int64
	cancel := h.Subscribe(func(e kefu.Event) { got = append(got, e.MessageID) })
	h.Publish(event(1), event(2))
	h.Publish(event(3))
	cancel()
	h.Publish(event(4))
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("delivered %v, want 1 2 3", got)
	}
	if h.Last() != base+4 {
		t.Fatalf("Last = %d, want %d", h.Last(), base+4)
	}
}

// A stream that reconnects catches up from the hub while the events are kept, and
// is told to reload once they are not; what comes after arrives on the queue.
func TestFollowCatchesUp(t *testing.T) {
	h := New(3)
	base := h.Last()
	if past, sub, ok := h.Follow(base, 8, nil); !ok || len(past) != 0 {
		t.Fatalf("Follow(Last) on an empty hub: %v %v", past, ok)
	} else {
		sub.Close()
	}
	for i := range 5 {
		h.Publish(event(int64(i + 1)))
	}
	past, sub, ok := h.Follow(base+2, 8, nil)
	if !ok || len(past) != 3 || past[0].Seq != base+3 || past[2].MessageID != 5 {
		t.Fatalf("Follow(2) = %v %v, want events 3, 4, 5", past, ok)
	}
	h.Publish(event(6))
	if e := <-sub.C(); e.Seq != base+6 {
		t.Fatalf("after the catch-up came %d, want %d", e.Seq, base+6)
	}
	sub.Close()
	if _, sub, ok := h.Follow(base+1, 8, nil); ok {
		t.Fatal("Follow(1) claims events 2 to 6, but only 3 are kept")
	} else {
		sub.Close()
	}
	if _, sub, ok := h.Follow(base+99, 8, nil); ok {
		t.Fatal("a number this hub never gave must ask for a reload")
	} else {
		sub.Close()
	}
}

// A number from a hub before a restart asks for a reload, even once the new hub
// has published more events than the old one had: it is never taken for one of
// the new hub's events.
func TestNumbersFromBeforeARestart(t *testing.T) {
	old := New(0)
	for i := range 10 {
		old.Publish(event(int64(i)))
	}
	seen := old.Last()
	time.Sleep(time.Millisecond) // the restart takes longer than this
	h := New(0)
	for i := range 100 {
		h.Publish(event(int64(i)))
	}
	if past, sub, ok := h.Follow(seen, 8, nil); ok {
		t.Fatalf("Follow(a number from before the restart) = %d events, ok; want a reload", len(past))
	} else {
		sub.Close()
	}
}

// A subscriber that falls behind is stopped and marked lost; publishing never
// waits. A filter keeps what it is given.
func TestSlowSubscriberIsDropped(t *testing.T) {
	h := New(0)
	_, slow, _ := h.Follow(0, 2, nil)
	_, odd, _ := h.Follow(0, 10, func(e kefu.SeqEvent) bool { return e.MessageID%2 == 1 })
	for i := range 5 {
		h.Publish(event(int64(i + 1)))
	}
	var n int
	for range slow.C() {
		n++
	}
	if n != 2 || !slow.Lost() {
		t.Fatalf("slow subscriber got %d events, lost = %v; want 2 and lost", n, slow.Lost())
	}
	odd.Close()
	var ids []int64
	for e := range odd.C() {
		ids = append(ids, e.MessageID)
	}
	if len(ids) != 3 || odd.Lost() {
		t.Fatalf("filtered subscriber got %v (lost %v), want 1 3 5", ids, odd.Lost())
	}
}
