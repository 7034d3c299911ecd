package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
)

// combiner commits the outbox's small writes — a claim before a send, the result
// after — of concurrent senders in shared transactions, as the ingest batcher does
// for pushes: each needs to be durable before its caller goes on, and on SQLite
// every commit is an fsync. Writes that queue while a commit runs share the next.
type combiner struct {
	s    *Store
	reqs chan *write

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	done   chan struct{}
}

// write is one caller's statement. key orders a shared transaction's writes (the
// message id), so that two nodes' transactions take row locks in one order.
type write struct {
	key  int64
	run  func(ctx context.Context, w on) error
	err  error
	done chan struct{}
}

const maxCombined = 64

var errStoreClosed = errors.New("the store is closed")

func newCombiner(s *Store) *combiner {
	c := &combiner{s: s, reqs: make(chan *write, maxCombined), done: make(chan struct{})}
	go c.loop()
	return c
}

// do runs fn in a transaction, perhaps shared with others, and returns once it is
// committed. fn may run more than once (a shared transaction that failed is retried
// write by write), so it must only write its results, never accumulate them.
func (c *combiner) do(ctx context.Context, key int64, fn func(ctx context.Context, w on) error) error {
	w := &write{key: key, run: fn, done: make(chan struct{})}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errStoreClosed
	}
	select {
	case c.reqs <- w:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once handed over, the write may commit whatever the caller's context does:
	// wait for the outcome rather than guess.
	<-w.done
	return w.err
}

func (c *combiner) loop() {
	defer close(c.done)
	batch := make([]*write, 0, maxCombined)
	for first := range c.reqs {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxCombined {
			select {
			case w, ok := <-c.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, w)
			default:
				break fill
			}
		}
		slices.SortFunc(batch, func(a, b *write) int { return int(a.key - b.key) })
		c.commit(batch)
	}
}

// commit runs a batch in one transaction; if that fails, each write alone.
func (c *combiner) commit(batch []*write) {
	ctx := context.Background() // callers' contexts must not abort a shared transaction
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = c.s.inWriteTx(ctx, func(tx *sql.Tx) error {
			w := c.s.inTx(tx)
			for _, b := range batch {
				if err := b.run(ctx, w); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || !c.s.dialect.transient(err) {
			break
		}
	}
	if err == nil || len(batch) == 1 {
		for _, b := range batch {
			b.err = err
			close(b.done)
		}
		return
	}
	for _, b := range batch {
		c.commit([]*write{b})
	}
}

// stop commits what was handed over, then ends the loop.
func (c *combiner) stop() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.reqs)
	}
	c.mu.Unlock()
	<-c.done
}
