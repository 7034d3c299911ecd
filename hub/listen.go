package hub

import "sync"

// Listener is a bounded queue of events for one consumer that may be slow, such as
// an agent's browser. When the consumer falls behind by more than the queue holds,
// the listener stops (C is closed) and Lost reports true: the consumer must then
// reload its state, since events were dropped. Publishing never waits for it.
type Listener struct {
	c      chan Sequenced
	cancel func()

	mu     sync.Mutex
	closed bool
	lost   bool
}

// Listen returns a Listener that queues up to buffer events, filtered by keep (nil
// keeps all). keep runs while the hub publishes: it must be quick.
func (h *Hub) Listen(buffer int, keep func(Sequenced) bool) *Listener {
	l := &Listener{c: make(chan Sequenced, buffer)}
	l.cancel = h.follow(func(e Sequenced) {
		if keep != nil && !keep(e) {
			return
		}
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
	})
	return l
}

// C delivers the events; it is closed when the listener stops.
func (l *Listener) C() <-chan Sequenced { return l.c }

// Lost reports whether the listener stopped because its consumer fell behind.
func (l *Listener) Lost() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Close stops the listener.
func (l *Listener) Close() {
	l.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.c)
	}
}
