package sqlstore

import (
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

// stmtKey names one size of a multiRow statement.
type stmtKey struct {
	name string
	rows int
}
