package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// readyProbeSQL is the write a readiness check commits.
const readyProbeSQL = `UPDATE ready_probe SET checked_at = ? WHERE id = 1`

// readyFor is how long a readiness answer stands before the next check writes
// again, unless an ingest fails meanwhile.
const readyFor = time.Second

// readiness remembers the last readiness probe.
type readiness struct {
	mu      sync.Mutex // one probe at a time; others wait for its answer
	checked time.Time
	err     error
	// stale is set, without the lock, when an ingest commit failed since the last
	// probe: the writer must never wait for a probe.
	stale atomic.Bool
}

// Ready reports whether the store can commit now. A database that answers reads
// but cannot write (a full disk, a read-only file or server) fails every push with
// 503, so readiness rests on a small write that commits: done at most once a
// second, and again at once after an ingest commit failed, so that readiness drops
// with the first failed push and comes back when a write succeeds again.
func (s *Store) Ready(ctx context.Context) error {
	r := &s.ready
	r.mu.Lock()
	defer r.mu.Unlock()
	now := s.clock.Now()
	fresh := !r.checked.IsZero() && now.Sub(r.checked) < readyFor && now.Sub(r.checked) >= 0
	if fresh && !r.stale.Load() {
		return r.err
	}
	r.stale.Store(false)
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := s.inTx(tx).exec(ctx, readyProbeSQL, millis(now))
		return err
	})
	if ctx.Err() != nil {
		// The asker gave up (or the writer was busy past its deadline): that says
		// nothing about the database, so nothing is remembered.
		r.stale.Store(true)
		return fmt.Errorf("readiness check: %w", ctx.Err())
	}
	if err != nil {
		err = fmt.Errorf("the database cannot commit: %w", err)
	}
	r.checked, r.err = now, err
	return err
}

// ingestFailed marks the last readiness answer stale after an ingest commit failed.
func (s *Store) ingestFailed() { s.ready.stale.Store(true) }
