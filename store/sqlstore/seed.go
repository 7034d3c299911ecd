package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SeedSpec says what SeedHistory writes: a mini program's history for
// benchmarks of the console's reads.
type SeedSpec struct {
	AppID     string
	Customers int // each with one conversation
	Messages  int // in all, spread evenly over the customers, alternately in and out
	// The first Waiting conversations wait in the queue, the next Active are with
	// Agent, and the rest are closed.
	Waiting, Active int
	Agent           int64
	// Until is the last message's time. The open conversations' messages fall in
	// the ten minutes before it (they were taken just now, so kefu serve does not
	// close them as idle at once); the closed ones' in the 30 days before that.
	Until time.Time
}

// seedClock gives each seeded message its time: open conversations' messages in
// the last ten minutes, the closed ones' spread evenly over the 30 days before.
type seedClock struct {
	open, per            int
	recentFrom, pastFrom time.Time
	recentStep, pastStep time.Duration
}

func newSeedClock(spec SeedSpec, per int) seedClock {
	open := spec.Waiting + spec.Active
	recentFrom := spec.Until.Add(-10 * time.Minute)
	c := seedClock{open: open, per: per, recentFrom: recentFrom, pastFrom: recentFrom.Add(-30 * 24 * time.Hour)}
	if n := open * per; n > 0 {
		c.recentStep = 10 * time.Minute / time.Duration(n)
	}
	if n := (spec.Customers - open) * per; n > 0 {
		c.pastStep = 30 * 24 * time.Hour / time.Duration(n)
	}
	return c
}

// at is the time of customer c's i-th message.
func (k seedClock) at(c, i int) time.Time {
	if c < k.open {
		return k.recentFrom.Add(time.Duration(c*k.per+i) * k.recentStep)
	}
	return k.pastFrom.Add(time.Duration((c-k.open)*k.per+i) * k.pastStep)
}

// SeedHistory writes spec's customers, conversations, routing and messages with
// large multi-row statements: a million messages in seconds, where pushing them
// would take minutes. It is for benchmarks only: the rows are plausible, not real
// (no raw documents, no reply allowances).
func (s *Store) SeedHistory(ctx context.Context, spec SeedSpec) error {
	if spec.Customers <= 0 || spec.Messages < spec.Customers {
		return fmt.Errorf("seed: want at least one message per customer")
	}
	per := spec.Messages / spec.Customers
	clock := newSeedClock(spec, per)
	const chunk = 500 // customers per transaction
	for first := 0; first < spec.Customers; first += chunk {
		last := min(first+chunk, spec.Customers)
		err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
			return s.seedChunk(ctx, tx, spec, first, last, clock)
		})
		if err != nil {
			return err
		}
	}
	if s.dialect.name == "postgres" {
		// What autovacuum would do a minute later: plans for the new sizes.
		if _, err := s.write.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) seedChunk(ctx context.Context, tx *sql.Tx, spec SeedSpec, first, last int, clock seedClock) error {
	per, start := clock.per, clock.pastFrom
	openid := func(c int) string { return fmt.Sprintf("oSeed%09d", c) }
	var rows [][]any
	for c := first; c < last; c++ {
		rows = append(rows, []any{spec.AppID, openid(c), "seed", millis(start)})
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO customers (appid, openid, session_from, first_seen)`, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for c := first; c < last; c++ {
		status := "closed"
		if c < spec.Waiting+spec.Active {
			status = "open"
		}
		rows = append(rows, []any{spec.AppID, openid(c), status, millis(clock.at(c, 0))})
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO conversations (appid, openid, status, opened_at)`, rows); err != nil {
		return err
	}
	convs := map[string]int64{}
	r, err := tx.QueryContext(ctx, s.q(`SELECT id, openid FROM conversations WHERE appid = ? AND openid >= ? AND openid <= ?`),
		spec.AppID, openid(first), openid(last-1))
	if err != nil {
		return err
	}
	for r.Next() {
		var id int64
		var o string
		if err := r.Scan(&id, &o); err != nil {
			r.Close()
			return err
		}
		convs[o] = id
	}
	r.Close()
	rows = rows[:0]
	for c := first; c < last; c++ {
		state, agent, assigned := "closed", any(spec.Agent), millis(clock.at(c, 0))
		switch {
		case c < spec.Waiting:
			state, agent, assigned = "waiting", nil, int64(0)
		case c < spec.Waiting+spec.Active:
			state, assigned = "active", millis(spec.Until)
		}
		rows = append(rows, []any{convs[openid(c)], spec.AppID, openid(c), state, agent, millis(clock.at(c, 0)), assigned})
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO conversation_routing (conversation_id, appid, openid, state, agent_id, queued_at, assigned_at)`, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for c := first; c < last; c++ {
		for i := range per {
			n := c*per + i
			at := millis(clock.at(c, i))
			dir, kind := "in", "text"
			status := ""
			if i%2 == 1 {
				dir, status = "out", "sent"
			}
			text := fmt.Sprintf("历史消息 %d：你好，我的订单还没有发货，能帮我查一下吗？", n)
			rows = append(rows, []any{spec.AppID, openid(c), convs[openid(c)], dir, kind, kind,
				fmt.Sprintf("seed:%d", n), text, at / 1000 * 1000, at, status})
			if len(rows) == 500 {
				if err := s.insertMessageRows(ctx, tx, rows); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
	}
	return s.insertMessageRows(ctx, tx, rows)
}

func (s *Store) insertMessageRows(ctx context.Context, tx *sql.Tx, rows [][]any) error {
	return s.insertRows(ctx, tx, `INSERT INTO messages (appid, openid, conversation_id, direction, kind, msg_type,
		dedup_key, content, create_time, received_at, status)`, rows)
}

// insertRows inserts rows of equal length with one statement.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, head string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	group := "(" + placeholders(len(rows[0])) + ")"
	var b strings.Builder
	b.WriteString(head + " VALUES ")
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
		args = append(args, r...)
	}
	_, err := tx.ExecContext(ctx, s.q(b.String()), args...)
	return err
}
