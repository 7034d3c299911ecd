package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"kefu"
)

// The statements of ingest, each written once for a whole batch.
var (
	findStoredSQL = multiRow{
		name:   "find-stored",
		prefix: `SELECT dedup_key, id, COALESCE(conversation_id, 0) FROM messages WHERE appid = ? AND dedup_key IN (`,
		group:  `?`,
		suffix: `)`,
	}
	// An enter event updates the customer's session_from; any other push leaves an
	// existing customer untouched, so it costs no write.
	upsertCustomersSQL = multiRow{
		name:   "upsert-customers",
		prefix: `INSERT INTO customers (appid, openid, session_from, first_seen) VALUES `,
		group:  `(?, ?, ?, ?)`,
		suffix: ` ON CONFLICT (appid, openid) DO UPDATE SET session_from = excluded.session_from
			WHERE excluded.session_from <> ''`,
	}
	findConversationsSQL = multiRow{
		name:   "find-conversations",
		prefix: `SELECT id, appid, openid FROM conversations WHERE status = 'open' AND appid = ? AND openid IN (`,
		group:  `?`,
		suffix: `)`,
	}
	// A conversation another node opened since this batch looked is skipped and
	// then found by a second look.
	openConversationsSQL = multiRow{
		name:   "open-conversations",
		prefix: `INSERT INTO conversations (appid, openid, status, opened_at) VALUES `,
		group:  `(?, ?, 'open', ?)`,
		suffix: ` ON CONFLICT (appid, openid) WHERE status = 'open' DO NOTHING RETURNING id, appid, openid`,
	}
	insertMessagesSQL = multiRow{
		name: "insert-messages",
		prefix: `INSERT INTO messages (appid, openid, conversation_id, direction, kind, msg_type, event, wx_msgid,
			dedup_key, content, fields, raw, create_time, received_at, grant_sends, grant_at, grant_expires_at, url_signature) VALUES `,
		group: `(?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		// The unique dedup key is the last word: a push another kefu node stored
		// since this batch looked is skipped here and reported as a duplicate. The
		// conflict has no target so that the unique URL signature skips a row too
		// (a forgery another node stored meanwhile): that push is then neither
		// inserted nor found, and the batch is retried push by push.
		suffix: ` ON CONFLICT DO NOTHING RETURNING id, appid, dedup_key`,
	}
)

// pushKey identifies a push across apps.
type pushKey struct{ appID, dedupKey string }

// customerKey identifies a customer across apps.
type customerKey struct{ appID, openID string }

func keyOf(m *kefu.Inbound) pushKey { return pushKey{m.AppID, m.DedupKey()} }

// ingestBatch stores a batch of pushes in one transaction with a handful of
// statements, whatever the batch size:
//
//  1. look up which pushes are already stored (WeChat's retries);
//  2. upsert the customers of the new ones;
//  3. find their open conversations, opening those that are missing;
//  4. insert the new messages, each with its conversation and the reply allowance
//     it grants.
//
// Rows are written in a fixed order (by appid, then dedup key or openid), so that
// concurrent batches on PostgreSQL take their row locks in the same order and
// cannot deadlock. Nothing is written for a push that is already stored.
func (s *Store) ingestBatch(ctx context.Context, tx *sql.Tx, batch []*ingestRequest) error {
	for _, r := range batch {
		r.res, r.refused = kefu.IngestResult{}, nil
		if r.msg.ReceivedAt.IsZero() {
			r.msg.ReceivedAt = s.clock.Now()
		}
	}
	sort.SliceStable(batch, func(i, j int) bool {
		a, b := batch[i].key, batch[j].key
		if a.appID != b.appID {
			return a.appID < b.appID
		}
		return a.dedupKey < b.dedupKey
	})
	batch, err := s.checkSignatures(ctx, tx, batch)
	if err != nil {
		return err
	}
	// Two copies of one push in the same batch: the first stands for both.
	var unique []*ingestRequest
	copies := map[*ingestRequest]*ingestRequest{}
	for i, r := range batch {
		if i > 0 && r.key == unique[len(unique)-1].key {
			copies[r] = unique[len(unique)-1]
			continue
		}
		unique = append(unique, r)
	}

	fresh, err := s.markStored(ctx, tx, unique)
	if err != nil {
		return err
	}
	conversations, opened, err := s.openConversations(ctx, tx, fresh)
	if err != nil {
		return err
	}
	raced, err := s.insertMessages(ctx, tx, fresh, conversations, opened)
	if err != nil {
		return err
	}
	if len(raced) > 0 {
		if again, err := s.markStored(ctx, tx, raced); err != nil {
			return err
		} else if len(again) > 0 {
			for _, r := range again {
				if r.recordSignature {
					return errSignatureTaken
				}
			}
			return fmt.Errorf("insert message: %d pushes neither inserted nor found", len(again))
		}
	}
	for r, first := range copies {
		r.res = first.res
		r.res.Duplicate, r.res.ConversationOpened = true, false
	}
	return nil
}

// markStored sets the result of every push that is already stored and returns
// the others.
func (s *Store) markStored(ctx context.Context, tx *sql.Tx, reqs []*ingestRequest) ([]*ingestRequest, error) {
	stored := map[pushKey]kefu.IngestResult{}
	err := inAppChunks(reqs, func(r *ingestRequest) (string, any) { return r.key.appID, r.key.dedupKey },
		func(appID string, args []any, n int) error {
			return s.queryStored(ctx, tx, appID, args, n, stored)
		})
	if err != nil {
		return nil, err
	}
	var fresh []*ingestRequest
	for _, r := range reqs {
		if res, ok := stored[r.key]; ok {
			r.res = res
			r.res.Duplicate = true
			continue
		}
		fresh = append(fresh, r)
	}
	return fresh, nil
}

func (s *Store) queryStored(ctx context.Context, tx *sql.Tx, appID string, args []any, n int, into map[pushKey]kefu.IngestResult) error {
	stmt, err := s.multiStmt(ctx, tx, findStoredSQL, n)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("find stored pushes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var res kefu.IngestResult
		if err := rows.Scan(&key, &res.MessageID, &res.ConversationID); err != nil {
			return err
		}
		into[pushKey{appID, key}] = res
	}
	return rows.Err()
}

// customer is one customer of a batch, with what the batch says of them.
type customer struct {
	key         customerKey
	sessionFrom string
	first       int64 // the earliest push of the batch, in Unix milliseconds
}

// openConversations upserts the customers of the customer-service pushes among
// reqs and finds each one's open conversation, opening those that have none; it
// returns the conversation ids, and which of them it opened.
func (s *Store) openConversations(ctx context.Context, tx *sql.Tx, reqs []*ingestRequest) (ids map[customerKey]int64, opened map[int64]bool, err error) {
	index := map[customerKey]*customer{}
	var customers []*customer
	for _, r := range reqs {
		m := r.msg
		if !m.FromCustomer() {
			continue
		}
		k := customerKey{m.AppID, m.OpenID}
		at := millis(m.ReceivedAt)
		c, ok := index[k]
		if !ok {
			c = &customer{key: k, first: at}
			index[k] = c
			customers = append(customers, c)
		}
		c.first = min(c.first, at)
		if m.SessionFrom != "" {
			c.sessionFrom = m.SessionFrom
		}
	}
	ids = make(map[customerKey]int64, len(customers))
	opened = map[int64]bool{}
	if len(customers) == 0 {
		return ids, opened, nil
	}
	sort.Slice(customers, func(i, j int) bool {
		a, b := customers[i].key, customers[j].key
		return a.appID < b.appID || a.appID == b.appID && a.openID < b.openID
	})
	for _, part := range split(customers) {
		args := make([]any, 0, 4*len(part))
		for _, c := range part {
			args = append(args, c.key.appID, c.key.openID, c.sessionFrom, c.first)
		}
		stmt, err := s.multiStmt(ctx, tx, upsertCustomersSQL, len(part))
		if err != nil {
			return nil, nil, err
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return nil, nil, fmt.Errorf("upsert customers: %w", err)
		}
	}
	if err := s.findConversations(ctx, tx, customers, ids); err != nil {
		return nil, nil, err
	}
	var missing []*customer
	for _, c := range customers {
		if _, ok := ids[c.key]; !ok {
			missing = append(missing, c)
		}
	}
	for _, part := range split(missing) {
		args := make([]any, 0, 3*len(part))
		for _, c := range part {
			args = append(args, c.key.appID, c.key.openID, c.first)
		}
		stmt, err := s.multiStmt(ctx, tx, openConversationsSQL, len(part))
		if err != nil {
			return nil, nil, err
		}
		if err := scanConversationIDs(ctx, stmt, args, ids); err != nil {
			return nil, nil, err
		}
	}
	for _, c := range missing {
		if id, ok := ids[c.key]; ok {
			opened[id] = true
		}
	}
	if len(ids) < len(customers) { // opened meanwhile by another node
		if err := s.findConversations(ctx, tx, customers, ids); err != nil {
			return nil, nil, err
		}
	}
	return ids, opened, nil
}

// findConversations adds the ids of the open conversations of customers (sorted by
// app) that ids lacks.
func (s *Store) findConversations(ctx context.Context, tx *sql.Tx, customers []*customer, ids map[customerKey]int64) error {
	var todo []customerKey
	for _, c := range customers {
		if _, ok := ids[c.key]; !ok {
			todo = append(todo, c.key)
		}
	}
	return inAppChunks(todo, func(k customerKey) (string, any) { return k.appID, k.openID },
		func(appID string, args []any, n int) error {
			stmt, err := s.multiStmt(ctx, tx, findConversationsSQL, n)
			if err != nil {
				return err
			}
			return scanConversationIDs(ctx, stmt, args, ids)
		})
}

func scanConversationIDs(ctx context.Context, stmt *sql.Stmt, args []any, into map[customerKey]int64) error {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("open conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k customerKey
		if err := rows.Scan(&id, &k.appID, &k.openID); err != nil {
			return err
		}
		into[k] = id
	}
	return rows.Err()
}

// insertMessages inserts the new pushes and returns those another node stored
// first.
func (s *Store) insertMessages(ctx context.Context, tx *sql.Tx, reqs []*ingestRequest, conversations map[customerKey]int64, opened map[int64]bool) ([]*ingestRequest, error) {
	byKey := make(map[pushKey]*ingestRequest, len(reqs))
	announced := map[int64]bool{} // the opened conversations whose first message is known
	for _, part := range split(reqs) {
		args := make([]any, 0, 18*len(part))
		for _, r := range part {
			m := r.msg
			byKey[r.key] = r
			var conversation any // NULL for pushes outside customer service
			if id, ok := conversations[customerKey{m.AppID, m.OpenID}]; ok && m.FromCustomer() {
				conversation = id
				r.res.ConversationID = id
				r.res.ConversationOpened = opened[id] && !announced[id]
				announced[id] = true
			}
			fields, err := fieldsJSON(m)
			if err != nil {
				return nil, err
			}
			var sends int
			var grantAt, grantExpires int64
			if g, ok := s.rules.GrantFor(m); ok {
				at := m.ActionTime()
				sends, grantAt, grantExpires = g.Sends, millis(at), millis(at.Add(g.Window))
			}
			var signature any // NULL unless the push's URL signature is to be recorded
			if r.recordSignature {
				signature = m.Signed.Signature
			}
			args = append(args, m.AppID, m.OpenID, conversation, string(m.Kind), m.MsgType, m.Event, m.MsgID,
				r.key.dedupKey, m.Summary(), fields, m.Raw, m.CreateTime*1000, millis(m.ReceivedAt),
				sends, grantAt, grantExpires, signature)
		}
		stmt, err := s.multiStmt(ctx, tx, insertMessagesSQL, len(part))
		if err != nil {
			return nil, err
		}
		if err := scanInserted(ctx, stmt, args, byKey); err != nil {
			return nil, err
		}
	}
	var raced []*ingestRequest
	for _, r := range reqs {
		if r.res.MessageID == 0 {
			raced = append(raced, r)
		}
	}
	return raced, nil
}

// scanInserted records the ids RETURNING gives, matched by key: neither database
// promises RETURNING rows in VALUES order.
func scanInserted(ctx context.Context, stmt *sql.Stmt, args []any, byKey map[pushKey]*ingestRequest) error {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("insert messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k pushKey
		if err := rows.Scan(&id, &k.appID, &k.dedupKey); err != nil {
			return err
		}
		if r, ok := byKey[k]; ok {
			r.res.MessageID = id
		}
	}
	return rows.Err()
}

func fieldsJSON(m *kefu.Inbound) (string, error) {
	f := m.Fields()
	if f == nil {
		return "", nil
	}
	b, err := json.Marshal(f)
	return string(b), err
}

// inAppChunks runs query for the lookups of xs (sorted by app), one app and one
// power-of-two chunk at a time: the IN lists are of one app's keys, and args holds
// the appid and then n keys.
func inAppChunks[T any](xs []T, key func(T) (appID string, k any), query func(appID string, args []any, n int) error) error {
	for start := 0; start < len(xs); {
		appID, _ := key(xs[start])
		end := start + 1
		for end < len(xs) {
			if a, _ := key(xs[end]); a != appID {
				break
			}
			end++
		}
		for _, part := range split(xs[start:end]) {
			args := make([]any, 0, len(part)+1)
			args = append(args, appID)
			for _, x := range part {
				_, k := key(x)
				args = append(args, k)
			}
			if err := query(appID, args, len(part)); err != nil {
				return err
			}
		}
		start = end
	}
	return nil
}

// split cuts a slice into the power-of-two chunks the statement cache keeps.
func split[T any](xs []T) [][]T {
	var out [][]T
	for _, n := range chunks(len(xs)) {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	return out
}
