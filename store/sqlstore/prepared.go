package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// prepared keeps statements prepared once per database handle. SQLite through
// modernc parses a statement's text on every unprepared call, and the outbox runs
// a handful of statements per message: parsing was a third of the sender's CPU.
type prepared struct {
	mu sync.Mutex
	m  map[preparedKey]*sql.Stmt
}

type preparedKey struct {
	db    *sql.DB
	query string
}

// cached returns the statement if it was prepared before.
func (p *prepared) cached(db *sql.DB, query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[preparedKey{db, query}]
}

// get returns the statement, preparing it on db first if needed. The lock is not
// held while preparing: on SQLite's single writer connection a prepare waits for a
// transaction in progress, which may itself be looking up a statement.
func (p *prepared) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st := p.cached(db, query); st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	k := preparedKey{db, query}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[preparedKey]*sql.Stmt)
	}
	if first, ok := p.m[k]; ok {
		st.Close() // prepared twice concurrently: keep the first
		return first, nil
	}
	p.m[k] = st
	return st, nil
}

func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.m {
		st.Close()
	}
	p.m = nil
}

// on is where a statement runs: a database handle, or a transaction on it.
type on struct {
	s  *Store
	db *sql.DB
	tx *sql.Tx // nil outside a transaction
}

func (s *Store) onRead() on         { return on{s: s, db: s.read} }
func (s *Store) onWrite() on        { return on{s: s, db: s.write} }
func (s *Store) inTx(tx *sql.Tx) on { return on{s: s, db: s.write, tx: tx} }

// stmt returns the prepared statement for query, written with ? placeholders.
func (o on) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return o.bound(ctx, o.s.q(query))
}

// bound returns the prepared statement for query, already in the dialect's
// spelling. Inside a transaction it must not prepare on the database handle
// (SQLite's one writer connection is the transaction's), so it uses the cached
// statement, or prepares for this transaction alone; warm (called at open) fills
// the cache for those queries.
func (o on) bound(ctx context.Context, query string) (*sql.Stmt, error) {
	if o.tx == nil {
		return o.s.prepared.get(ctx, o.db, query)
	}
	if st := o.s.prepared.cached(o.db, query); st != nil {
		return o.tx.StmtContext(ctx, st), nil
	}
	return o.tx.PrepareContext(ctx, query)
}

// warm prepares on the writer the statements that run inside transactions.
func (s *Store) warm(ctx context.Context) error {
	for _, q := range txQueries {
		if _, err := s.prepared.get(ctx, s.write, s.q(q)); err != nil {
			return err
		}
	}
	return nil
}

// warmMulti prepares on the writer every power-of-two size up to maxRows of each
// multi-row statement (the cache owns them) and indexes them by name and size: a
// batch then finds its statements without building, rewriting or hashing SQL
// texts of many kilobytes.
func (s *Store) warmMulti(ctx context.Context, maxRows int, stmts ...multiRow) error {
	s.multi = map[stmtKey]*sql.Stmt{}
	for _, m := range stmts {
		for n := 1; n <= maxRows; n *= 2 {
			st, err := s.prepared.get(ctx, s.write, s.q(m.sql(n)))
			if err != nil {
				return fmt.Errorf("prepare %s: %w", m.name, err)
			}
			s.multi[stmtKey{m.name, n}] = st
		}
	}
	return nil
}

// multiStmt returns the statement for n rows of m inside tx; n is a power of two
// no larger than the maxRows given to warmMulti.
func (s *Store) multiStmt(ctx context.Context, tx *sql.Tx, m multiRow, n int) (*sql.Stmt, error) {
	st, ok := s.multi[stmtKey{m.name, n}]
	if !ok {
		return nil, fmt.Errorf("no prepared %s statement for %d rows", m.name, n)
	}
	return tx.StmtContext(ctx, st), nil
}

func (o on) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := o.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (o on) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := o.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// scan runs a query expected to return one row and scans it into dest; no row is
// sql.ErrNoRows.
func (o on) scan(ctx context.Context, query string, args []any, dest ...any) error {
	st, err := o.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}
