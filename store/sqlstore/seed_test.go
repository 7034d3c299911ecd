package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"kefu"
)

// TestSeedHistory: the benchmark's history has the shape it promises: every
// message, the queue and the agent's conversations, and open conversations recent
// enough that kefu serve does not close them as idle at once.
func TestSeedHistory(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"), Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const app = "wxseedtest0000001"
	if err := s.CreateApp(ctx, &kefu.App{AppID: app, Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatJSON}); err != nil {
		t.Fatal(err)
	}
	a := &kefu.Agent{Login: "reader", Name: "r", Role: kefu.RoleAgent, Capacity: 5, Apps: []string{app}, PasswordHash: "h"}
	if err := s.CreateAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Truncate(time.Millisecond)
	spec := SeedSpec{AppID: app, Customers: 1200, Messages: 12000, Waiting: 2, Active: 3, Agent: a.ID, Until: until}
	if err := s.SeedHistory(ctx, spec); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE appid = ?`, app).Scan(&n); err != nil || n != 12000 {
		t.Fatalf("%d messages, %v; want 12000", n, err)
	}
	if w, err := s.CountWaiting(ctx, []string{app}); err != nil || w != 2 {
		t.Fatalf("%d waiting, %v; want 2", w, err)
	}
	active, err := s.ActiveRoutings(ctx, a.ID)
	if err != nil || len(active) != 3 {
		t.Fatalf("%d active, %v; want 3", len(active), err)
	}
	for _, r := range active {
		last, err := s.LastActivity(ctx, r.ConversationID)
		if err != nil || until.Sub(last) > 10*time.Minute || last.After(until) {
			t.Fatalf("conversation %d: last message at %v, %v; want within the 10 minutes before %v", r.ConversationID, last, err, until)
		}
	}
	page, err := s.Messages(ctx, kefu.MessageFilter{AppID: app, OpenID: active[0].OpenID, BeforeID: 1 << 62, Limit: 50})
	if err != nil || len(page) != 10 {
		t.Fatalf("a customer's history: %d messages, %v; want 10", len(page), err)
	}
}
