package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"kefu"
)

// ingestStatements are prepared once on the writer and reused by every batch.
type ingestStatements struct {
	insertMessage, findDuplicate, upsertCustomer, upsertConversation, linkMessage, insertGrant *sql.Stmt
}

const (
	sqlInsertMessage = `INSERT INTO messages
		(appid, openid, direction, kind, msg_type, event, wx_msgid, dedup_key, content, fields, raw, create_time, received_at)
		VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (appid, dedup_key) DO NOTHING
		RETURNING id`
	sqlFindDuplicate = `SELECT id, COALESCE(conversation_id, 0) FROM messages WHERE appid = ? AND dedup_key = ?`
	// CASE rather than max()/GREATEST(), which the two databases spell differently.
	sqlUpsertCustomer = `INSERT INTO customers (appid, openid, session_from, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (appid, openid) DO UPDATE SET
			last_seen = CASE WHEN excluded.last_seen > customers.last_seen THEN excluded.last_seen ELSE customers.last_seen END,
			session_from = CASE WHEN excluded.session_from <> '' THEN excluded.session_from ELSE customers.session_from END`
	sqlUpsertConversation = `INSERT INTO conversations (appid, openid, status, opened_at, last_message_at)
		VALUES (?, ?, 'open', ?, ?)
		ON CONFLICT (appid, openid) WHERE status = 'open' DO UPDATE SET
			last_message_at = CASE WHEN excluded.last_message_at > conversations.last_message_at
				THEN excluded.last_message_at ELSE conversations.last_message_at END
		RETURNING id`
	sqlLinkMessage = `UPDATE messages SET conversation_id = ? WHERE id = ?`
	sqlInsertGrant = `INSERT INTO quota_grants (appid, openid, message_id, kind, sends, granted_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
)

func prepareIngest(ctx context.Context, s *Store) (*ingestStatements, error) {
	st := &ingestStatements{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.insertMessage, sqlInsertMessage},
		{&st.findDuplicate, sqlFindDuplicate},
		{&st.upsertCustomer, sqlUpsertCustomer},
		{&st.upsertConversation, sqlUpsertConversation},
		{&st.linkMessage, sqlLinkMessage},
		{&st.insertGrant, sqlInsertGrant},
	} {
		stmt, err := s.write.PrepareContext(ctx, s.q(p.query))
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare ingest: %w", err)
		}
		*p.dst = stmt
	}
	return st, nil
}

func (st *ingestStatements) close() {
	for _, s := range []*sql.Stmt{st.insertMessage, st.findDuplicate, st.upsertCustomer, st.upsertConversation, st.linkMessage, st.insertGrant} {
		if s != nil {
			s.Close()
		}
	}
}

// ingestBatch stores a batch of pushes inside one transaction, in three passes
// that take row locks in the same global order in every transaction — messages by
// dedup key, then customers and conversations by openid — so that concurrent batches
// (PostgreSQL runs several, and several kefu nodes may share it) cannot deadlock even
// when WeChat's retries of one push land in two of them.
func (s *Store) ingestBatch(ctx context.Context, tx *sql.Tx, st *ingestStatements, batch []*ingestRequest) error {
	sort.SliceStable(batch, func(i, j int) bool {
		a, b := batch[i].msg, batch[j].msg
		if a.AppID != b.AppID {
			return a.AppID < b.AppID
		}
		return a.DedupKey() < b.DedupKey()
	})
	// Pass 1: the messages. The unique dedup key decides, race-free on both
	// databases, whether a push is new; only a new push touches anything else.
	var fresh []*ingestRequest
	for _, r := range batch {
		r.res = kefu.IngestResult{}
		inserted, err := s.insertMessage(ctx, tx, st, r.msg, &r.res.MessageID)
		if err != nil {
			return err
		}
		if !inserted {
			r.res.Duplicate = true
		} else if r.msg.FromCustomer() {
			fresh = append(fresh, r)
		}
	}
	// Pass 2: customers, conversations and grants, by customer.
	sort.SliceStable(fresh, func(i, j int) bool {
		a, b := fresh[i].msg, fresh[j].msg
		if a.AppID != b.AppID {
			return a.AppID < b.AppID
		}
		return a.OpenID < b.OpenID
	})
	for _, r := range fresh {
		if err := s.recordCustomerPush(ctx, tx, st, r.msg, &r.res); err != nil {
			return err
		}
	}
	// Pass 3: a retry reports the stored message and its conversation, which pass 2
	// may just have set when the original was in this same batch.
	for _, r := range batch {
		if r.res.Duplicate {
			if err := tx.StmtContext(ctx, st.findDuplicate).QueryRowContext(ctx, r.msg.AppID, r.msg.DedupKey()).
				Scan(&r.res.MessageID, &r.res.ConversationID); err != nil {
				return fmt.Errorf("find stored duplicate: %w", err)
			}
		}
	}
	return nil
}

// insertMessage inserts m unless its dedup key is taken, reporting which.
func (s *Store) insertMessage(ctx context.Context, tx *sql.Tx, st *ingestStatements, m *kefu.Inbound, id *int64) (bool, error) {
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = s.clock.Now()
	}
	var fields string
	if f := m.Fields(); f != nil {
		b, err := json.Marshal(f)
		if err != nil {
			return false, err
		}
		fields = string(b)
	}
	err := tx.StmtContext(ctx, st.insertMessage).QueryRowContext(ctx,
		m.AppID, m.OpenID, string(m.Kind), m.MsgType, m.Event, m.MsgID, m.DedupKey(),
		m.Summary(), fields, m.Raw, m.CreateTime*1000, millis(m.ReceivedAt),
	).Scan(id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	return true, nil
}

// recordCustomerPush upserts the customer, opens or extends their conversation,
// links the message to it and records the reply allowance the push grants.
func (s *Store) recordCustomerPush(ctx context.Context, tx *sql.Tx, st *ingestStatements, m *kefu.Inbound, res *kefu.IngestResult) error {
	received := millis(m.ReceivedAt)
	if _, err := tx.StmtContext(ctx, st.upsertCustomer).ExecContext(ctx,
		m.AppID, m.OpenID, m.SessionFrom, received, received); err != nil {
		return fmt.Errorf("upsert customer: %w", err)
	}
	if err := tx.StmtContext(ctx, st.upsertConversation).QueryRowContext(ctx,
		m.AppID, m.OpenID, received, received).Scan(&res.ConversationID); err != nil {
		return fmt.Errorf("open conversation: %w", err)
	}
	if _, err := tx.StmtContext(ctx, st.linkMessage).ExecContext(ctx, res.ConversationID, res.MessageID); err != nil {
		return fmt.Errorf("link message: %w", err)
	}
	if grant, ok := s.rules.GrantFor(m); ok {
		at := m.ActionTime()
		if _, err := tx.StmtContext(ctx, st.insertGrant).ExecContext(ctx,
			m.AppID, m.OpenID, res.MessageID, string(m.Kind), grant.Sends,
			millis(at), millis(at.Add(grant.Window))); err != nil {
			return fmt.Errorf("record quota grant: %w", err)
		}
	}
	return nil
}
