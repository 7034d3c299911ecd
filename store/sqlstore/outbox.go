package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"kefu"
)

// Enqueue stores an outbound message as queued, once allow approves the ledger.
//
// Touching the customer row first serialises enqueues for one customer: PostgreSQL
// holds its row lock to the end of the transaction, and SQLite has one writer
// anyway. The ledger read inside the transaction then sees every message queued
// before, so two concurrent sends cannot both take the last allowance.
func (s *Store) Enqueue(ctx context.Context, req *kefu.OutboundRequest, now time.Time, allow func(kefu.QuotaLedger) error) (*kefu.Message, error) {
	if err := req.Content.Validate(); err != nil {
		return nil, err
	}
	fields, err := json.Marshal(req.Content.Fields())
	if err != nil {
		return nil, err
	}
	key := "o:" + req.Key
	if req.Key == "" {
		key = "o:" + randomHex(16)
	}
	var id int64
	err = s.inWriteTx(ctx, func(tx *sql.Tx) error {
		w := s.inTx(tx)
		// The lock first: concurrent requests with one key then find each other.
		if _, err := w.exec(ctx, lockCustomerSQL, req.AppID, req.OpenID); err != nil {
			return err
		}
		if req.Key != "" {
			err := w.scan(ctx, findOutboundSQL, []any{req.AppID, key}, &id)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return err // found (an idempotent repeat) or failed
			}
		}
		if err := s.checkMedia(ctx, w, req); err != nil {
			return err
		}
		ledger, err := s.ledger(ctx, w, req.AppID, req.OpenID, now, true)
		if err != nil {
			return err
		}
		if err := allow(ledger); err != nil {
			return err
		}
		return w.scan(ctx, insertOutboundSQL,
			[]any{req.AppID, req.OpenID, req.AppID, req.OpenID, string(req.Content.Kind), string(req.Content.Kind), key,
				req.Content.Summary(), string(fields), millis(now), millis(now), millis(now), req.Content.Media}, &id)
	})
	if err != nil {
		return nil, err
	}
	return s.Message(ctx, id)
}

// The statements Enqueue runs in its transaction, prepared when the store opens.
const (
	findOutboundSQL = `SELECT id FROM messages WHERE appid = ? AND dedup_key = ?`
	lockCustomerSQL = `UPDATE customers SET session_from = session_from WHERE appid = ? AND openid = ?`
	mediaExistsSQL  = `SELECT 1 FROM media WHERE media_key = ? AND appid = ?`
	ledgerSendsSQL  = `SELECT status, received_at, next_attempt_at, done_at, err_code FROM messages
		WHERE appid = ? AND openid = ? AND direction = 'out' AND received_at > ? ORDER BY id`
	insertOutboundSQL = `INSERT INTO messages
		(appid, openid, conversation_id, direction, kind, msg_type, dedup_key, content, fields,
		 create_time, received_at, status, next_attempt_at, media_key)
		VALUES (?, ?, (SELECT id FROM conversations WHERE appid = ? AND openid = ? AND status = 'open'),
		 'out', ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING id`
)

var txQueries = []string{findOutboundSQL, lockCustomerSQL, mediaExistsSQL, ledgerSendsSQL, insertOutboundSQL, quotaGrantsSQL,
	claimOutboundSQL, finishOutboundSQL, requeueOutboundSQL, readyProbeSQL, queueSQL}

// checkMedia refuses content naming an image the app does not have.
func (s *Store) checkMedia(ctx context.Context, w on, req *kefu.OutboundRequest) error {
	if req.Content.Media == "" {
		return nil
	}
	var one int
	err := w.scan(ctx, mediaExistsSQL, []any{req.Content.Media, req.AppID}, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return kefu.Errorf(kefu.EInvalid, "no stored image %q for app %s: store the image first", req.Content.Media, req.AppID)
	}
	return err
}

// Ledger returns the customer's quota ledger at now.
func (s *Store) Ledger(ctx context.Context, appID, openID string, now time.Time, withQueued bool) (kefu.QuotaLedger, error) {
	return s.ledger(ctx, s.onRead(), appID, openID, now, withQueued)
}

// ledgerHorizon is how far back the ledger reads. A window lasts at most the longest
// grant; the state at now can depend on a window that was live when the latest one
// opened, hence twice that.
func (s *Store) ledgerHorizon() time.Duration {
	return 2 * max(s.rules.UserMessage.Window, s.rules.EnterSession.Window)
}

func (s *Store) ledger(ctx context.Context, q on, appID, openID string, now time.Time, withQueued bool) (kefu.QuotaLedger, error) {
	since := now.Add(-s.ledgerHorizon())
	var l kefu.QuotaLedger
	grants, err := s.quotaGrants(ctx, q, appID, openID, since)
	if err != nil {
		return l, err
	}
	l.Grants = grants
	rows, err := q.query(ctx, ledgerSendsSQL,
		appID, openID, millis(since))
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var queued, attempted, done int64
		var code int
		if err := rows.Scan(&status, &queued, &attempted, &done, &code); err != nil {
			return l, err
		}
		switch kefu.DeliveryStatus(status) {
		case kefu.StatusSent:
			l.Sends = append(l.Sends, fromMillis(done))
		case kefu.StatusQueued, kefu.StatusSending:
			if withQueued {
				l.Pending = append(l.Pending, fromMillis(queued))
			}
		case kefu.StatusFailed:
			// Dated by the start of the refused attempt (set by the claim): what
			// WeChat judged was the window as it stood then.
			if code == kefu.WxWindowClosed || code == kefu.WxQuotaUsedUp {
				l.Corrections = append(l.Corrections, kefu.QuotaCorrection{At: fromMillis(attempted), Code: code})
			}
		}
	}
	return l, rows.Err()
}

// DueOutbound returns each customer's next message, if due and none before it is
// being sent. The heads are found by one pass over the partial outbox index (the
// repeated status test lets SQLite see that it applies), so a long queue costs a
// scan of its index entries, not a probe per queued row.
func (s *Store) DueOutbound(ctx context.Context, now time.Time, limit int) ([]*kefu.Message, error) {
	return s.queryMessages(ctx, s.onRead(), `SELECT `+messageColumns+` FROM messages
		WHERE id IN (SELECT MIN(id) FROM messages WHERE status IN ('queued', 'sending') GROUP BY appid, openid)
		AND status = 'queued' AND next_attempt_at <= ?
		ORDER BY id LIMIT ?`, millis(now), limit)
}

// NextOutbound returns the customer's oldest unfinished message if it is queued and
// due by now, else nil.
func (s *Store) NextOutbound(ctx context.Context, appID, openID string, now time.Time) (*kefu.Message, error) {
	ms, err := s.queryMessages(ctx, s.onRead(), `SELECT `+messageColumns+` FROM messages
		WHERE appid = ? AND openid = ? AND status IN ('queued', 'sending') ORDER BY id LIMIT 1`, appID, openID)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	if m := ms[0]; m.Status == kefu.StatusQueued && m.NextAttempt.UnixMilli() <= now.UnixMilli() {
		return m, nil
	}
	return nil, nil
}

// ClaimOutbound moves a queued message that is due to sending, if it still is
// queued, and returns its attempts so far, this one included. Concurrent claims
// and results share commits.
func (s *Store) ClaimOutbound(ctx context.Context, id int64, now time.Time) (int, bool, error) {
	var attempts int
	var claimed bool
	err := s.combined(ctx, id, func(ctx context.Context, w on) error {
		err := w.scan(ctx, claimOutboundSQL, []any{millis(now), id, millis(now)}, &attempts)
		claimed = err == nil
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return attempts, claimed && err == nil, err
}

// FinishOutbound ends an attempt on a sending message.
func (s *Store) FinishOutbound(ctx context.Context, id int64, r kefu.DeliveryResult) error {
	var query string
	var args []any
	switch r.Status {
	case kefu.StatusSent, kefu.StatusFailed:
		query, args = finishOutboundSQL, []any{string(r.Status), millis(r.At), r.ErrCode, r.Reason, id}
	case kefu.StatusQueued:
		query, args = requeueOutboundSQL, []any{millis(r.RetryAt), r.ErrCode, r.Reason, id}
	default:
		return kefu.Errorf(kefu.EInvalid, "cannot finish a send as %q", r.Status)
	}
	var n int64
	err := s.combined(ctx, id, func(ctx context.Context, w on) error {
		res, err := w.exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n != 1 {
		err = kefu.Errorf(kefu.EConflict, "message %d is not being sent", id)
	}
	return err
}

// The statements claims and results run in shared transactions.
const (
	claimOutboundSQL = `UPDATE messages SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
		WHERE id = ? AND status = 'queued' AND next_attempt_at <= ? RETURNING attempts`
	finishOutboundSQL = `UPDATE messages SET status = ?, done_at = ?, err_code = ?, err_reason = ?
		WHERE id = ? AND status = 'sending'`
	requeueOutboundSQL = `UPDATE messages SET status = 'queued', next_attempt_at = ?, err_code = ?, err_reason = ?
		WHERE id = ? AND status = 'sending'`
)

// AbandonSending fails messages whose send began before cutoff and never finished.
func (s *Store) AbandonSending(ctx context.Context, cutoff, now time.Time, reason string) ([]*kefu.Message, error) {
	rows, err := s.onWrite().query(ctx, `UPDATE messages SET status = 'failed', done_at = ?, err_code = 0, err_reason = ?
		WHERE status IN ('queued', 'sending') AND status = 'sending' AND next_attempt_at < ?
		RETURNING id, appid, openid, COALESCE(conversation_id, 0), kind`, millis(now), reason, millis(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*kefu.Message
	for rows.Next() {
		var m kefu.Message
		var kind string
		if err := rows.Scan(&m.ID, &m.AppID, &m.OpenID, &m.ConversationID, &kind); err != nil {
			return nil, err
		}
		m.Kind, m.Status, m.ErrReason, m.DoneAt = kefu.Kind(kind), kefu.StatusFailed, reason, now
		out = append(out, &m)
	}
	return out, rows.Err()
}

// inWriteTx runs fn in a transaction on the writer.
func (s *Store) inWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
