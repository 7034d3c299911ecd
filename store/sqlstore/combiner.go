package sqlstore

import (
	"context"
	"database/sql"
	"slices"
)

// The outbox's small writes — a claim before a send, the result after — of
// concurrent senders share commits (groupCommit), as ingest's pushes do: each must
// be durable before its sender goes on.

// write is one caller's statement. key orders a shared transaction's writes (the
// message id), so that two nodes' transactions take row locks in one order.
type write struct {
	key  int64
	run  func(ctx context.Context, w on) error
	err  error
	done chan struct{}
}

const maxCombined = 64

func (s *Store) newCombiner() *groupCommit[*write] {
	return newGroupCommit(s, 1, maxCombined, s.writeCombined, func(batch []*write, err error) {
		for _, w := range batch {
			w.err = err
			close(w.done)
		}
	})
}

func (s *Store) writeCombined(ctx context.Context, tx *sql.Tx, batch []*write) error {
	slices.SortFunc(batch, func(a, b *write) int { return int(a.key - b.key) })
	w := s.inTx(tx)
	for _, b := range batch {
		if err := b.run(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// combined runs fn in a transaction, perhaps shared with others, and returns once
// it is committed. fn may run more than once (a shared transaction that failed is
// retried write by write), so it must only set its results, never accumulate them.
func (s *Store) combined(ctx context.Context, key int64, fn func(ctx context.Context, w on) error) error {
	w := &write{key: key, run: fn, done: make(chan struct{})}
	if err := s.combine.hand(ctx, w); err != nil {
		return err
	}
	// Once handed over, the write may commit whatever the caller's context does:
	// wait for the outcome rather than guess.
	<-w.done
	return w.err
}
