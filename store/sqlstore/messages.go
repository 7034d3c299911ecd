package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"kefu"
)

// Messages lists messages of one app (and optionally one customer) in the order
// they were stored, after f.AfterID.
func (s *Store) Messages(ctx context.Context, f kefu.MessageFilter) ([]*kefu.Message, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT ` + messageColumns + ` FROM messages WHERE appid = ? AND id > ?`
	args := []any{f.AppID, f.AfterID}
	if f.OpenID != "" {
		query += ` AND openid = ?`
		args = append(args, f.OpenID)
	}
	if f.BeforeID <= 0 {
		query += ` ORDER BY id LIMIT ?`
		return s.queryMessages(ctx, s.onRead(), query, append(args, limit)...)
	}
	query += ` AND id < ? ORDER BY id DESC LIMIT ?`
	ms, err := s.queryMessages(ctx, s.onRead(), query, append(args, f.BeforeID, limit)...)
	slices.Reverse(ms)
	return ms, err
}

// Message returns one message by id.
func (s *Store) Message(ctx context.Context, id int64) (*kefu.Message, error) {
	ms, err := s.queryMessages(ctx, s.onRead(), `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, kefu.Errorf(kefu.ENotFound, "no message %d", id)
	}
	return ms[0], nil
}

// messageColumns are what scanMessage reads, in its order.
const messageColumns = `id, appid, openid, COALESCE(conversation_id, 0), direction, kind, msg_type, event,
	wx_msgid, dedup_key, content, fields, raw, create_time, received_at,
	status, attempts, next_attempt_at, done_at, err_code, err_reason, media_key, media_state`

func (s *Store) queryMessages(ctx context.Context, q on, query string, args ...any) ([]*kefu.Message, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*kefu.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanMessage(rows *sql.Rows) (*kefu.Message, error) {
	var m kefu.Message
	var direction, kind, fields, status, mediaState string
	var created, received, next, done int64
	if err := rows.Scan(&m.ID, &m.AppID, &m.OpenID, &m.ConversationID, &direction, &kind, &m.MsgType,
		&m.Event, &m.WxMsgID, &m.DedupKey, &m.Content, &fields, &m.Raw, &created, &received,
		&status, &m.Attempts, &next, &done, &m.ErrCode, &m.ErrReason, &m.MediaKey, &mediaState); err != nil {
		return nil, err
	}
	m.Direction, m.Kind = kefu.Direction(direction), kefu.Kind(kind)
	m.Status, m.MediaState = kefu.DeliveryStatus(status), kefu.MediaState(mediaState)
	m.CreateTime, m.ReceivedAt, m.DoneAt = fromMillis(created), fromMillis(received), fromMillis(done)
	m.NextAttempt = fromMillis(next)
	if fields != "" {
		if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// CountByWxMsgID counts stored messages per WeChat MsgId. No index covers wx_msgid,
// so it reads the app's messages once, between the smallest and the largest MsgId
// asked for, rather than once per chunk of MsgIds: it is for checks after a
// benchmark or a test, whose MsgIds lie close together, not for a request path.
func (s *Store) CountByWxMsgID(ctx context.Context, appID string, msgIDs []int64) (map[int64]int, error) {
	counts := make(map[int64]int, len(msgIDs))
	if len(msgIDs) == 0 {
		return counts, nil
	}
	want := make(map[int64]bool, len(msgIDs))
	lo, hi := msgIDs[0], msgIDs[0]
	for _, id := range msgIDs {
		want[id] = true
		lo, hi = min(lo, id), max(hi, id)
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT wx_msgid, COUNT(*) FROM messages
		WHERE appid = ? AND wx_msgid BETWEEN ? AND ? GROUP BY wx_msgid`), appID, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if want[id] {
			counts[id] = n
		}
	}
	return counts, rows.Err()
}

// lastActivitySQL is the time of the latest message of the customer in the row c
// that matches cond, found by walking the customer index backwards.
func lastActivitySQL(cond string) string {
	return `COALESCE((SELECT m.received_at FROM messages m
		WHERE m.appid = c.appid AND m.openid = c.openid AND ` + cond + `
		ORDER BY m.id DESC LIMIT 1), 0)`
}

// Customer returns one customer or an ENotFound error.
func (s *Store) Customer(ctx context.Context, appID, openID string) (*kefu.Customer, error) {
	c := kefu.Customer{AppID: appID, OpenID: openID}
	var first, last int64
	// Last seen is read off the customer's messages rather than kept on the
	// customer, so that ingest does not rewrite the customer row on every message.
	err := s.read.QueryRowContext(ctx, s.q(`SELECT c.session_from, c.first_seen, `+lastActivitySQL("m.conversation_id IS NOT NULL AND m.direction = 'in'")+`,
		(SELECT COUNT(*) FROM conversation_routing v WHERE v.appid = c.appid AND v.openid = c.openid)
		FROM customers c WHERE c.appid = ? AND c.openid = ?`), appID, openID).Scan(&c.SessionFrom, &first, &last, &c.Conversations)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.Errorf(kefu.ENotFound, "no customer %s of app %s", openID, appID)
	}
	c.FirstSeen, c.LastSeen = fromMillis(first), fromMillis(last)
	return &c, err
}

// OpenConversation returns the customer's open conversation or an ENotFound error.
func (s *Store) OpenConversation(ctx context.Context, appID, openID string) (*kefu.Conversation, error) {
	c := kefu.Conversation{AppID: appID, OpenID: openID}
	var status string
	var opened, last, closed int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT c.id, c.status, c.opened_at, `+lastActivitySQL("m.conversation_id = c.id")+`, c.closed_at
		FROM conversations c WHERE c.appid = ? AND c.openid = ? AND c.status = 'open'`), appID, openID).
		Scan(&c.ID, &status, &opened, &last, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.Errorf(kefu.ENotFound, "customer %s has no open conversation", openID)
	}
	c.Status = kefu.ConversationStatus(status)
	c.OpenedAt, c.LastMessageAt, c.ClosedAt = fromMillis(opened), fromMillis(last), fromMillis(closed)
	return &c, err
}

// QuotaGrants returns the customer's grants that were still live at since, oldest first.
func (s *Store) QuotaGrants(ctx context.Context, appID, openID string, since time.Time) ([]kefu.QuotaGrant, error) {
	return s.quotaGrants(ctx, s.onRead(), appID, openID, since)
}

const quotaGrantsSQL = `SELECT kind, grant_sends, grant_at, grant_expires_at FROM messages
	WHERE appid = ? AND openid = ? AND grant_sends > 0 AND grant_expires_at > ? ORDER BY grant_at, id`

func (s *Store) quotaGrants(ctx context.Context, q on, appID, openID string, since time.Time) ([]kefu.QuotaGrant, error) {
	rows, err := q.query(ctx, quotaGrantsSQL,
		appID, openID, millis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kefu.QuotaGrant
	for rows.Next() {
		var g kefu.QuotaGrant
		var kind string
		var granted, expires int64
		if err := rows.Scan(&kind, &g.Sends, &granted, &expires); err != nil {
			return nil, err
		}
		g.Kind, g.GrantedAt, g.ExpiresAt = kefu.Kind(kind), fromMillis(granted), fromMillis(expires)
		out = append(out, g)
	}
	return out, rows.Err()
}
