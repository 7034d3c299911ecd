package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutoAcceptorsUseTheirIndex: the desk's question at every new conversation
// walks the partial index of agents taking work, not every agent. SQLite picks
// it only for a query spelled to match, which a harmless-looking edit (an ORDER
// BY, an IN list) silently undoes; this test notices.
func TestAutoAcceptorsUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"), Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.read.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT `+agentColumns+` FROM agents WHERE `+autoAcceptorsWhere, "wx")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "agents_taking_work") {
		t.Fatalf("plan does not use agents_taking_work:\n%s", strings.Join(plan, "\n"))
	}
}
