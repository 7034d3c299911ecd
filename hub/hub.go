// Package hub carries kefu's events from where they happen (a push stored, a reply
// delivered, a conversation assigned) to whoever follows them: the workers, the
// desk, and every console's Server-Sent Events stream. This is the in-memory hub of
// one process; a PostgreSQL LISTEN/NOTIFY one will carry the same small events
// between nodes.
package hub

import (
	"sync"
	"time"

	"kefu"
)

// Hub is a kefu.Publisher that hands each event to every subscriber at once, in
// the order published, and keeps the most recent ones for streams that reconnect.
type Hub struct {
	keep  int
	start uint64 // the number before this hub's first event

	mu   sync.Mutex
	seq  uint64
	ring []kefu.SeqEvent // the last keep events: event n is at ring[n % keep]
	subs map[*subscriber]struct{}
}

var (
	_ kefu.Publisher   = (*Hub)(nil)
	_ kefu.EventSource = (*Hub)(nil)
	_ kefu.EventFeed   = (*Hub)(nil)
)

type subscriber struct{ fn func(kefu.SeqEvent) }

// New returns a hub that keeps the last keep events for catching up (0: 4096).
func New(keep int) *Hub {
	if keep <= 0 {
		keep = 4096
	}
	// Numbers start at the time in microseconds, not at 1, so that a number from
	// before a restart is below the new hub's start (a process would have to
	// publish more than an event per microsecond of its life to reach a later
	// start): a page that reconnects with one is told to reload, never handed
	// other events under numbers it thinks it has seen. They stay below 2^53,
	// exact in a browser's numbers.
	start := uint64(time.Now().UnixMicro())
	return &Hub{keep: keep, start: start, seq: start, ring: make([]kefu.SeqEvent, keep), subs: map[*subscriber]struct{}{}}
}

// Publish numbers the events and hands each to every subscriber. It never waits
// for one: subscribers' functions must return at once (see Follow for a queue).
func (h *Hub) Publish(events ...kefu.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		h.seq++
		s := kefu.SeqEvent{Seq: h.seq, Event: e}
		h.ring[h.seq%uint64(h.keep)] = s
		for sub := range h.subs {
			sub.fn(s)
		}
	}
}

// Subscribe calls fn with every event published from now on, until cancel is
// called. fn runs while the hub publishes: it must not block or publish.
func (h *Hub) Subscribe(fn func(kefu.Event)) (cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.follow(func(s kefu.SeqEvent) { fn(s.Event) })
}

// follow adds a subscriber; h.mu is held.
func (h *Hub) follow(fn func(kefu.SeqEvent)) (cancel func()) {
	sub := &subscriber{fn: fn}
	h.subs[sub] = struct{}{}
	return func() {
		h.mu.Lock()
		delete(h.subs, sub)
		h.mu.Unlock()
	}
}

// Last is the number of the latest event published, 0 before any.
func (h *Hub) Last() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// since returns the events after seq if all are kept; h.mu is held.
func (h *Hub) since(seq uint64) ([]kefu.SeqEvent, bool) {
	if seq < h.start || seq > h.seq || h.seq-seq > uint64(h.keep) {
		return nil, false
	}
	out := make([]kefu.SeqEvent, 0, h.seq-seq)
	for n := seq + 1; n <= h.seq; n++ {
		out = append(out, h.ring[n%uint64(h.keep)])
	}
	return out, true
}
