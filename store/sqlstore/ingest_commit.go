package sqlstore

import (
	"context"
	"errors"
	"math/bits"

	"kefu"
)

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

// ingestStatements are the multi-row statements a batch of pushes runs.
var ingestStatements = []multiRow{findStoredSQL, upsertCustomersSQL, findConversationsSQL,
	openConversationsSQL, insertMessagesSQL, recordedSignaturesSQL}

// newIngest prepares ingest's statements and starts the group commit of pushes:
// one loop on SQLite, which has one writer; several on PostgreSQL, whose commits
// overlap. Batches are cut to a power of two, the largest statement size.
func (s *Store) newIngest(ctx context.Context, maxBatch int) (*groupCommit[*ingestRequest], error) {
	if maxBatch <= 0 {
		maxBatch = 256
	}
	maxBatch = 1 << (bits.Len(uint(maxBatch)) - 1)
	if err := s.warmMulti(ctx, maxBatch, ingestStatements...); err != nil {
		return nil, err
	}
	return newGroupCommit(s, s.dialect.writers, maxBatch, s.ingestBatch, s.ingestEnded), nil
}

// Ingest stores m exactly once and returns after the commit that holds it. If ctx
// ends first the push may still be committed; WeChat's retry then finds it.
func (s *Store) Ingest(ctx context.Context, m *kefu.Inbound) (kefu.IngestResult, error) {
	if s.ingest == nil {
		return kefu.IngestResult{}, errNoIngest
	}
	req := &ingestRequest{msg: m, key: keyOf(m), done: make(chan struct{})}
	if err := s.ingest.hand(ctx, req); err != nil {
		return kefu.IngestResult{}, err
	}
	select {
	case <-req.done:
		return req.res, req.err
	case <-ctx.Done():
		return kefu.IngestResult{}, ctx.Err()
	}
}

// ingestEnded answers the pushes of a batch that committed, or of one that failed,
// and then publishes what the batch stored: WeChat's "success" waits for the
// commit, never for the event's subscribers.
func (s *Store) ingestEnded(batch []*ingestRequest, err error) {
	if err != nil {
		s.ingestFailed()
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
	if err == nil {
		s.committed(batch)
	}
}

// committed tells the batch's size to OnBatch and publishes what it stored: each
// new message, and each conversation a message opened. Retries and refused pushes
// stored nothing and publish nothing.
func (s *Store) committed(batch []*ingestRequest) {
	if s.onBatch != nil {
		s.onBatch(len(batch))
	}
	events := make([]kefu.Event, 0, len(batch))
	for _, r := range batch {
		if r.refused != nil || r.res.Duplicate {
			continue
		}
		m := r.msg
		e := kefu.Event{Kind: kefu.EventMessageStored, AppID: m.AppID, OpenID: m.OpenID,
			ConversationID: r.res.ConversationID, MessageID: r.res.MessageID, MessageKind: m.Kind, At: m.ReceivedAt}
		events = append(events, e)
		if r.res.ConversationOpened {
			e.Kind = kefu.EventConversationOpened
			events = append(events, e)
		}
	}
	if len(events) > 0 {
		s.publisher.Publish(events...)
	}
}
