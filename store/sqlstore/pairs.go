package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kefu"
)

// The statements of the signed-pair record. Only pushes to plaintext-mode apps
// carry a pair, so pushes in the other modes never run them.
const (
	recordPairSQL = `INSERT INTO push_pairs (appid, ts, nonce, body_hash, seen_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (appid, ts, nonce) DO NOTHING`
	pairHashSQL   = `SELECT body_hash FROM push_pairs WHERE appid = ? AND ts = ? AND nonce = ?`
	prunePairsSQL = `DELETE FROM push_pairs WHERE seen_at < ?`
)

// prunePairsEvery is how often old pairs are deleted, at most.
const prunePairsEvery = time.Minute

// checkPairs records the signed pairs of the pushes in reqs and returns those that
// go on to be stored. A push whose pair was recorded before with another body is
// refused (kefu.ErrPairReused), unless its body was authenticated by its own
// signature (a sealed push). Running inside the ingest transaction makes the record
// and the message one commit, and the primary key makes the check hold across nodes
// sharing the database and across restarts.
func (s *Store) checkPairs(ctx context.Context, tx *sql.Tx, reqs []*ingestRequest) ([]*ingestRequest, error) {
	out := reqs[:0:0]
	w := s.inTx(tx)
	var now time.Time
	for _, r := range reqs {
		p := r.msg.Pair
		if p == nil {
			out = append(out, r)
			continue
		}
		if now.IsZero() {
			now = s.clock.Now()
		}
		res, err := w.exec(ctx, recordPairSQL, r.key.appID, p.Timestamp, p.Nonce, p.BodyHash, millis(now))
		if err != nil {
			return nil, fmt.Errorf("record signed pair: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 0 && !p.Sealed {
			var hash string
			err := w.scan(ctx, pairHashSQL, []any{r.key.appID, p.Timestamp, p.Nonce}, &hash)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("read signed pair: %w", err)
			}
			if err == nil && hash != p.BodyHash {
				r.refused = kefu.ErrPairReused
				continue
			}
		}
		out = append(out, r)
	}
	if !now.IsZero() {
		if err := s.prunePairs(ctx, w, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prunePairs deletes, once a minute at most, the pairs older than the time they
// are kept: by then the timestamp window refuses their URLs anyway.
func (s *Store) prunePairs(ctx context.Context, w on, now time.Time) error {
	last := s.pairsPruned.Load()
	if now.UnixMilli()-last < prunePairsEvery.Milliseconds() || !s.pairsPruned.CompareAndSwap(last, now.UnixMilli()) {
		return nil
	}
	if _, err := w.exec(ctx, prunePairsSQL, millis(now.Add(-s.pairTTL))); err != nil {
		return fmt.Errorf("prune signed pairs: %w", err)
	}
	return nil
}
