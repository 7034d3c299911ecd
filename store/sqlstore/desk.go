package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"kefu"
)

const routingColumns = `conversation_id, appid, openid, state, COALESCE(agent_id, 0), queued_at, assigned_at, closed_at, close_reason, closed_last_id, read_id`

// lastMessageSQL is the time of the latest message, either way, of the customer of
// conversation c. A customer has one open conversation at a time, so that is the
// open conversation's last activity.
var lastMessageSQL = lastActivitySQL("1 = 1")

// queueSQL puts one open conversation in its queue, unless it is on the desk. The
// WHERE is also what SQLite needs to read ON CONFLICT after a SELECT.
const queueSQL = `INSERT INTO conversation_routing (conversation_id, appid, openid, state, queued_at)
	SELECT id, appid, openid, 'waiting', ? FROM conversations WHERE id = ? AND status = 'open'
	ON CONFLICT (conversation_id) DO NOTHING`

// QueueConversations queues several conversations in one transaction: one commit
// for a burst of new conversations, not one each.
func (s *Store) QueueConversations(ctx context.Context, items []kefu.QueueItem) ([]int64, error) {
	var queued []int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		queued = queued[:0]
		for _, it := range items {
			res, err := s.inTx(tx).exec(ctx, queueSQL, millis(it.At), it.ConversationID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				queued = append(queued, it.ConversationID)
			}
		}
		return nil
	})
	return queued, err
}

// Routing returns a conversation's place on the desk.
func (s *Store) Routing(ctx context.Context, conversationID int64) (*kefu.Routing, error) {
	rs, err := s.routings(ctx, `conversation_id = ?`, conversationID)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, kefu.Errorf(kefu.ENotFound, "conversation %d is not on the desk", conversationID)
	}
	return rs[0], nil
}

// Waiting returns the mini programs' queues, head first.
func (s *Store) Waiting(ctx context.Context, appIDs []string, limit int) ([]*kefu.Routing, error) {
	if len(appIDs) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = math.MaxInt32
	}
	// Not prepared, as no query here with a list of varying length is: each
	// length would be a statement kept for good.
	return scanRoutings(s.read.QueryContext(ctx, s.q(`SELECT `+routingColumns+` FROM conversation_routing
		WHERE state = 'waiting' AND appid IN (`+placeholders(len(appIDs))+`) ORDER BY queued_at, conversation_id LIMIT ?`),
		append(stringArgs(appIDs), limit)...))
}

// CountWaiting returns the length of the mini programs' queues.
func (s *Store) CountWaiting(ctx context.Context, appIDs []string) (int, error) {
	if len(appIDs) == 0 {
		return 0, nil
	}
	var n int
	err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM conversation_routing
		WHERE state = 'waiting' AND appid IN (`+placeholders(len(appIDs))+`)`), stringArgs(appIDs)...).Scan(&n)
	return n, err
}

// Loads counts the agents' active conversations.
func (s *Store) Loads(ctx context.Context, agentIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(agentIDs))
	if len(agentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(agentIDs))
	for i, id := range agentIDs {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT agent_id, COUNT(*) FROM conversation_routing
		WHERE state = 'active' AND agent_id IN (`+placeholders(len(agentIDs))+`) GROUP BY agent_id`), args...)
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
		out[id] = n
	}
	return out, rows.Err()
}

func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, v := range ss {
		args[i] = v
	}
	return args
}

// ActiveRoutings returns an agent's active conversations, or with 0 everyone's.
func (s *Store) ActiveRoutings(ctx context.Context, agentID int64) ([]*kefu.Routing, error) {
	if agentID == 0 {
		return s.routings(ctx, `state = 'active' ORDER BY assigned_at, conversation_id`)
	}
	return s.routings(ctx, `state = 'active' AND agent_id = ? ORDER BY assigned_at, conversation_id`, agentID)
}

// Assign gives a waiting conversation to an agent, if it is still waiting.
func (s *Store) Assign(ctx context.Context, conversationID, agentID int64, at time.Time) (bool, error) {
	return s.changed(ctx, `UPDATE conversation_routing SET state = 'active', agent_id = ?, assigned_at = ?, read_id = 0
		WHERE conversation_id = ? AND state = 'waiting'`, agentID, millis(at), conversationID)
}

// Reassign moves an active conversation from one agent to another, if the first
// still has it.
func (s *Store) Reassign(ctx context.Context, conversationID, from, to int64, at time.Time) (bool, error) {
	return s.changed(ctx, `UPDATE conversation_routing SET agent_id = ?, assigned_at = ?, read_id = 0
		WHERE conversation_id = ? AND state = 'active' AND agent_id = ?`, to, millis(at), conversationID, from)
}

// Requeue puts an agent's active conversation back at its old place in the queue.
func (s *Store) Requeue(ctx context.Context, conversationID, from int64) (bool, error) {
	return s.changed(ctx, `UPDATE conversation_routing SET state = 'waiting', agent_id = NULL, assigned_at = 0
		WHERE conversation_id = ? AND state = 'active' AND agent_id = ?`, conversationID, from)
}

// CloseConversation closes an open conversation and its routing in one
// transaction, if the guard holds.
func (s *Store) CloseConversation(ctx context.Context, conversationID int64, at time.Time, reason string, guard kefu.CloseGuard) (bool, error) {
	var closed bool
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		// The customer's latest message before the guard is checked: one stored
		// after this has an id above it and reopens the conversation (the desk's
		// reopen check), whether it came before the guard's check or after. Read
		// after the guard, as PostgreSQL's statements each see what has committed
		// by then, it could count a message the guard never saw as seen.
		var lastID int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE((SELECT m.id FROM messages m WHERE m.appid = c.appid
			AND m.openid = c.openid ORDER BY m.id DESC LIMIT 1), 0) FROM conversations c WHERE c.id = ?`), conversationID).Scan(&lastID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		}
		query := `UPDATE conversations AS c SET status = 'closed', closed_at = ? WHERE c.id = ? AND c.status = 'open'`
		args := []any{millis(at), conversationID}
		if !guard.IdleSince.IsZero() {
			query += ` AND ` + lastMessageSQL + ` <= ?`
			args = append(args, millis(guard.IdleSince))
		}
		if guard.SeenID != 0 {
			query += ` AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.appid = c.appid AND m.openid = c.openid
				AND m.id > ? AND m.direction = 'in')`
			args = append(args, guard.SeenID)
		}
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		closed = true
		_, err = tx.ExecContext(ctx, s.q(`UPDATE conversation_routing SET state = 'closed', closed_at = ?, close_reason = ?,
			closed_last_id = ? WHERE conversation_id = ? AND state <> 'closed'`), millis(at), reason, lastID, conversationID)
		return err
	})
	return closed, err
}

// ReopenConversation reopens a closed conversation and requeues it, unless its
// customer has another open one.
func (s *Store) ReopenConversation(ctx context.Context, conversationID int64, at time.Time) (bool, error) {
	var reopened bool
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE conversations AS c SET status = 'open', closed_at = 0
			WHERE c.id = ? AND c.status = 'closed' AND NOT EXISTS (SELECT 1 FROM conversations o
				WHERE o.appid = c.appid AND o.openid = c.openid AND o.status = 'open')`), conversationID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		reopened = true
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO conversation_routing (conversation_id, appid, openid, state, queued_at)
			SELECT id, appid, openid, 'waiting', ? FROM conversations WHERE id = ?
			ON CONFLICT (conversation_id) DO UPDATE SET state = 'waiting', agent_id = NULL, assigned_at = 0,
				closed_at = 0, close_reason = '', queued_at = excluded.queued_at`), millis(at), conversationID)
		return err
	})
	return reopened, err
}

// Unrouted finds the open conversations with a customer's message that are not on
// the desk.
func (s *Store) Unrouted(ctx context.Context) ([]*kefu.Routing, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT c.id, c.appid, c.openid, c.opened_at FROM conversations c
		WHERE c.status = 'open'
		AND NOT EXISTS (SELECT 1 FROM conversation_routing r WHERE r.conversation_id = c.id)
		AND EXISTS (SELECT 1 FROM messages m WHERE m.appid = c.appid AND m.openid = c.openid
			AND m.conversation_id = c.id AND m.direction = 'in' AND m.kind IN ('text', 'image', 'miniprogrampage'))
		ORDER BY c.id`))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*kefu.Routing
	for rows.Next() {
		var r kefu.Routing
		var opened int64
		if err := rows.Scan(&r.ConversationID, &r.AppID, &r.OpenID, &opened); err != nil {
			return nil, err
		}
		r.QueuedAt = fromMillis(opened)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// LastActivity returns when the conversation's customer last had a message stored.
func (s *Store) LastActivity(ctx context.Context, conversationID int64) (time.Time, error) {
	var last int64
	err := s.onRead().scan(ctx, `SELECT `+lastMessageSQL+` FROM conversations c WHERE c.id = ?`, []any{conversationID}, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, kefu.Errorf(kefu.ENotFound, "no conversation %d", conversationID)
	}
	return fromMillis(last), err
}

// MarkRead records how far the conversation's agent has read.
func (s *Store) MarkRead(ctx context.Context, conversationID, agentID, messageID int64) error {
	_, err := s.onWrite().exec(ctx, `UPDATE conversation_routing SET read_id = ?
		WHERE conversation_id = ? AND agent_id = ? AND read_id < ?`, messageID, conversationID, agentID, messageID)
	return err
}

// routings reads the routing rows where selects, by a prepared statement.
func (s *Store) routings(ctx context.Context, where string, args ...any) ([]*kefu.Routing, error) {
	return scanRoutings(s.onRead().query(ctx, `SELECT `+routingColumns+` FROM conversation_routing WHERE `+where, args...))
}

// scanRoutings reads rows of routingColumns.
func scanRoutings(rows *sql.Rows, err error) ([]*kefu.Routing, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*kefu.Routing
	for rows.Next() {
		var r kefu.Routing
		var state string
		var queued, assigned, closed int64
		if err := rows.Scan(&r.ConversationID, &r.AppID, &r.OpenID, &state, &r.AgentID, &queued, &assigned, &closed,
			&r.CloseReason, &r.ClosedLastID, &r.ReadID); err != nil {
			return nil, err
		}
		r.State = kefu.RoutingState(state)
		r.QueuedAt, r.AssignedAt, r.ClosedAt = fromMillis(queued), fromMillis(assigned), fromMillis(closed)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// changed runs one write and reports whether it changed a row: the desk's
// conditional writes tell who won that way.
func (s *Store) changed(ctx context.Context, query string, args ...any) (bool, error) {
	res, err := s.onWrite().exec(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Cards reads each conversation's card: the customer's session-from, latest
// message and unread count, with one query for all.
func (s *Store) Cards(ctx context.Context, routings []*kefu.Routing) ([]*kefu.ConversationCard, error) {
	if len(routings) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(routings)+1)
	args = append(args, kefu.MaxUnread)
	for _, r := range routings {
		args = append(args, r.ConversationID)
	}
	// Not prepared: the list's length varies, and each length would be a
	// statement of its own kept for good.
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT r.conversation_id, COALESCE(cu.session_from, ''), COALESCE((
			SELECT x.id FROM messages x WHERE x.appid = r.appid AND x.openid = r.openid ORDER BY x.id DESC LIMIT 1), 0),
		(SELECT COUNT(*) FROM (SELECT 1 FROM messages u WHERE u.appid = r.appid AND u.openid = r.openid
			AND u.id > r.read_id AND u.conversation_id = r.conversation_id AND u.direction = 'in'
			AND u.kind IN ('text', 'image', 'miniprogrampage') LIMIT ?) unread)
		FROM conversation_routing r LEFT JOIN customers cu ON cu.appid = r.appid AND cu.openid = r.openid
		WHERE r.conversation_id IN (`+placeholders(len(routings))+`)`), args...)
	if err != nil {
		return nil, err
	}
	type extra struct {
		sessionFrom string
		lastID      int64
		unread      int
	}
	byID := map[int64]extra{}
	var lastIDs []any
	for rows.Next() {
		var id int64
		var x extra
		if err := rows.Scan(&id, &x.sessionFrom, &x.lastID, &x.unread); err != nil {
			rows.Close()
			return nil, err
		}
		byID[id] = x
		if x.lastID != 0 {
			lastIDs = append(lastIDs, x.lastID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	last := map[int64]*kefu.Message{}
	if len(lastIDs) > 0 {
		ms, err := s.queryMessages(ctx, s.onRead(), `SELECT `+messageColumns+` FROM messages WHERE id IN (`+placeholders(len(lastIDs))+`)`, lastIDs...)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			m.Raw = nil // cards never show it
			last[m.ID] = m
		}
	}
	out := make([]*kefu.ConversationCard, 0, len(routings))
	for _, r := range routings {
		x := byID[r.ConversationID]
		out = append(out, &kefu.ConversationCard{Routing: *r, SessionFrom: x.sessionFrom, Last: last[x.lastID], Unread: x.unread})
	}
	return out, nil
}
