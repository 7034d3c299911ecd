package hub

import (
	"sync"

	"kefu"
)

// listener is a kefu.Subscription: a bounded queue that stops when full.
type listener struct {
	c      chan kefu.SeqEvent
	cancel func()

	mu     sync.Mutex
	closed bool
	lost   bool
}

// Follow subscribes to the events after seq that keep takes, with those already
// published returned as past when they are all kept. Both are taken under one
// lock, so nothing falls between them.
func (h *Hub) Follow(seq uint64, buffer int, keep func(kefu.SeqEvent) bool) ([]kefu.SeqEvent, kefu.Subscription, bool) {
	l := &listener{c: make(chan kefu.SeqEvent, buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	past, ok := h.since(seq)
	if keep != nil {
		kept := past[:0:0]
		for _, e := range past {
			if keep(e) {
				kept = append(kept, e)
			}
		}
		past = kept
	}
	l.cancel = h.follow(func(e kefu.SeqEvent) {
		if keep == nil || keep(e) {
			l.offer(e)
		}
	})
	return past, l, ok
}

// offer queues e, or stops the listener if its consumer has fallen behind.
func (l *listener) offer(e kefu.SeqEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	select {
	case l.c <- e:
	default:
		l.lost, l.closed = true, true
		close(l.c)
	}
}

func (l *listener) C() <-chan kefu.SeqEvent { return l.c }

func (l *listener) Lost() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

func (l *listener) Close() {
	l.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.c)
	}
}
