package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"strings"
)

// multiRow is a statement with a repeated group of placeholders: INSERT … VALUES
// (?,?),(?,?) or … IN (?,?,?). Ingest writes a whole batch with one such statement
// per table rather than one statement per push, which is most of what makes group
// commit cheap on CPU as well as on fsyncs.
type multiRow struct {
	name   string // cache key
	prefix string
	group  string // one row's placeholders, e.g. "(?, ?, ?)"
	suffix string
}

func (m multiRow) sql(n int) string {
	var b strings.Builder
	b.WriteString(m.prefix)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.group)
	}
	b.WriteString(m.suffix)
	return b.String()
}

// chunks splits n rows into powers of two, largest first (37 → 32, 4, 1), so that
// the statements prepared for a multiRow are at most log2(MaxBatch)+1 sizes and can
// be kept, instead of one per batch size or a fresh one per batch.
func chunks(n int) []int {
	var out []int
	for n > 0 {
		c := 1 << (bits.Len(uint(n)) - 1)
		out = append(out, c)
		n -= c
	}
	return out
}

type stmtKey struct {
	name string
	rows int
}

// stmtCache keeps the prepared multi-row statements of the writer connection.
type stmtCache struct {
	db      *sql.DB
	dialect dialect
	stmts   map[stmtKey]*sql.Stmt // written by prepare only, then read-only
}

func newStmtCache(db *sql.DB, d dialect) *stmtCache {
	return &stmtCache{db: db, dialect: d, stmts: map[stmtKey]*sql.Stmt{}}
}

// prepare prepares every power-of-two size up to maxRows of each statement. It
// runs before any transaction: on SQLite the writer has a single connection, which
// a transaction holds, so nothing can be prepared beside one.
func (c *stmtCache) prepare(ctx context.Context, maxRows int, stmts ...multiRow) error {
	for _, m := range stmts {
		for n := 1; n <= maxRows; n *= 2 {
			stmt, err := c.db.PrepareContext(ctx, c.dialect.bind(m.sql(n)))
			if err != nil {
				return fmt.Errorf("prepare %s: %w", m.name, err)
			}
			c.stmts[stmtKey{m.name, n}] = stmt
		}
	}
	return nil
}

// get returns the statement for n rows of m, bound to tx; n is a power of two
// no larger than the maxRows given to prepare.
func (c *stmtCache) get(ctx context.Context, tx *sql.Tx, m multiRow, n int) (*sql.Stmt, error) {
	stmt, ok := c.stmts[stmtKey{m.name, n}]
	if !ok {
		return nil, fmt.Errorf("no prepared %s statement for %d rows", m.name, n)
	}
	return tx.StmtContext(ctx, stmt), nil
}

func (c *stmtCache) close() {
	for k, s := range c.stmts {
		s.Close()
		delete(c.stmts, k)
	}
}
