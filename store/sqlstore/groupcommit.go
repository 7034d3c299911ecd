package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// errClosed answers writes handed over after Close began.
var errClosed = errors.New("the store is closing")

// groupCommit is the group commit behind the store's durable writes: ingest's
// pushes and the outbox's claims and results. Each caller needs its write durable
// before it goes on, and on SQLite every commit is an fsync, so the items that
// queue while one commit runs share the next transaction: under load one fsync
// covers many, and when idle an item is committed alone at once. Nothing waits on
// a timer: a measured linger before each commit (as PostgreSQL's commit_delay)
// doubled the batches but lowered throughput and saved no CPU.
type groupCommit[T any] struct {
	store *Store
	items chan T
	max   int
	// write writes a batch in one transaction. It may run more than once for the
	// same items (a transaction retried, then each item alone), so it must set its
	// results afresh, never accumulate them.
	write func(ctx context.Context, tx *sql.Tx, batch []T) error
	// ended is told how a batch ended: committed (err nil), or failed, which only a
	// batch of one item is ever reported as.
	ended func(batch []T, err error)

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	loops  sync.WaitGroup
}

// newGroupCommit starts loops commit loops, each committing up to max items at
// once.
func newGroupCommit[T any](s *Store, loops, max int, write func(context.Context, *sql.Tx, []T) error, ended func([]T, error)) *groupCommit[T] {
	g := &groupCommit[T]{store: s, items: make(chan T, max*loops), max: max, write: write, ended: ended}
	for range loops {
		g.loops.Add(1)
		go g.loop()
	}
	return g
}

// hand gives item to the commit loops; its outcome reaches ended. It fails, and
// nothing is handed over, once the store is closing or if ctx ends first.
func (g *groupCommit[T]) hand(ctx context.Context, item T) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return errClosed
	}
	select {
	case g.items <- item:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *groupCommit[T]) loop() {
	defer g.loops.Done()
	batch := make([]T, 0, g.max)
	for first := range g.items {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < g.max {
			select {
			case item, ok := <-g.items:
				if !ok {
					break fill
				}
				batch = append(batch, item)
			default:
				break fill
			}
		}
		g.commit(batch)
	}
}

// commit writes a batch in one transaction. If that fails, each item is retried in
// a transaction of its own, so one bad item cannot fail its neighbours.
func (g *groupCommit[T]) commit(batch []T) {
	// The callers' own contexts must not abort a shared transaction.
	ctx := context.Background()
	var err error
	for attempt := 0; ; attempt++ {
		err = g.store.inWriteTx(ctx, func(tx *sql.Tx) error { return g.write(ctx, tx, batch) })
		// A transaction that lost a lock conflict with another node did nothing;
		// running it again is safe.
		if err == nil || attempt == 2 || !g.store.dialect.transient(err) {
			break
		}
	}
	if err == nil || len(batch) == 1 {
		g.ended(batch, err)
		return
	}
	for i := range batch {
		g.commit(batch[i : i+1])
	}
}

// stop lets the loops commit what was handed over, then ends them.
func (g *groupCommit[T]) stop() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.items)
	}
	g.mu.Unlock()
	g.loops.Wait()
}
