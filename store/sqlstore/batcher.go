package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"sync"

	"kefu"
)

// errClosed answers pushes that arrive after Close began.
var errClosed = errors.New("store is closing")

// errNoIngest answers Ingest on a store opened with Options.NoIngest.
var errNoIngest = errors.New("store opened without ingest")

// ingestRequest is one push waiting for its commit.
type ingestRequest struct {
	msg *kefu.Inbound
	key pushKey // computed once: batches sort and match on it
	res kefu.IngestResult
	// refused is set when the push itself is turned away inside a batch that
	// commits (kefu.ErrSignatureReused): it is answered with that, and stored
	// nowhere.
	refused error
	// recordSignature is set when the push's URL signature is stored with it
	// (see checkSignatures).
	recordSignature bool
	err             error
	done            chan struct{}
}

// batcher is the group commit: pushes that arrive while a commit is in progress wait
// together and are committed in the next single transaction. Under load one fsync
// covers many pushes; when idle, a push is committed alone at once. Nothing waits on
// a timer: a measured linger before each commit (as PostgreSQL's commit_delay)
// doubled the batches but lowered throughput and saved no CPU per push.
type batcher struct {
	store    *Store
	stmts    *stmtCache
	requests chan *ingestRequest
	maxBatch int
	onBatch  func(int)
	onMedia  func()

	mu      sync.RWMutex // guards closed against sends on a closed channel
	closed  bool
	writers sync.WaitGroup
}

func newBatcher(ctx context.Context, s *Store, maxBatch int, onBatch func(int), onMedia func()) (*batcher, error) {
	if maxBatch <= 0 {
		maxBatch = 256
	}
	// Batches are cut to a power of two: the largest prepared statement size.
	maxBatch = 1 << (bits.Len(uint(maxBatch)) - 1)
	stmts := newStmtCache(s.write, s.dialect)
	if err := stmts.prepare(ctx, maxBatch, findStoredSQL, upsertCustomersSQL, findConversationsSQL, openConversationsSQL, insertMessagesSQL,
		recordedSignaturesSQL); err != nil {
		stmts.close()
		return nil, err
	}
	b := &batcher{
		store:    s,
		stmts:    stmts,
		requests: make(chan *ingestRequest, maxBatch*s.dialect.writers),
		maxBatch: maxBatch,
		onBatch:  onBatch,
		onMedia:  onMedia,
	}
	for range s.dialect.writers {
		b.writers.Add(1)
		go b.run()
	}
	return b, nil
}

// Ingest stores m exactly once and returns after the commit that holds it. If ctx
// ends first the push may still be committed; WeChat's retry then finds it.
func (s *Store) Ingest(ctx context.Context, m *kefu.Inbound) (kefu.IngestResult, error) {
	req := &ingestRequest{msg: m, key: keyOf(m), done: make(chan struct{})}
	b := s.ingest
	if b == nil {
		return kefu.IngestResult{}, errNoIngest
	}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return kefu.IngestResult{}, errClosed
	}
	select {
	case b.requests <- req:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return kefu.IngestResult{}, ctx.Err()
	}
	select {
	case <-req.done:
		return req.res, req.err
	case <-ctx.Done():
		return kefu.IngestResult{}, ctx.Err()
	}
}

func (b *batcher) run() {
	defer b.writers.Done()
	batch := make([]*ingestRequest, 0, b.maxBatch)
	for first := range b.requests {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < b.maxBatch {
			select {
			case r, ok := <-b.requests:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

// commit stores a batch in one transaction. If any push in it fails, the batch is
// rolled back and each push is retried in a transaction of its own, so one bad push
// cannot fail its neighbours.
func (b *batcher) commit(batch []*ingestRequest) {
	// The requests' own contexts must not abort a shared transaction.
	ctx := context.Background()
	var err error
	for attempt := 0; ; attempt++ {
		err = b.store.inWriteTx(ctx, func(tx *sql.Tx) error {
			return b.store.ingestBatch(ctx, tx, batch)
		})
		// A transaction that lost a lock conflict with another node did nothing;
		// running it again is safe.
		if err == nil || attempt == 2 || !b.store.dialect.transient(err) {
			break
		}
	}
	if err == nil || len(batch) == 1 {
		if err == nil {
			b.committed(batch)
		} else {
			b.store.ingestFailed()
		}
		for _, r := range batch {
			r.err = err
			if err != nil {
				r.res = kefu.IngestResult{}
			} else if r.refused != nil {
				r.res, r.err = kefu.IngestResult{}, r.refused
			}
			close(r.done)
		}
		return
	}
	for _, r := range batch {
		b.commit([]*ingestRequest{r})
	}
}

// stop lets the writers commit what was already handed to them, then ends them.
func (b *batcher) stop() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.requests)
	b.mu.Unlock()
	b.writers.Wait()
	b.stmts.close()
}

// committed tells the hooks about a committed batch.
func (b *batcher) committed(batch []*ingestRequest) {
	if b.onBatch != nil {
		b.onBatch(len(batch))
	}
	if b.onMedia == nil {
		return
	}
	for _, r := range batch {
		if (r.msg.Kind == kefu.KindImage || r.msg.Kind == kefu.KindCard) && !r.res.Duplicate && r.refused == nil {
			b.onMedia()
			return
		}
	}
}
