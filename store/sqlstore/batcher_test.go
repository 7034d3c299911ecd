package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"kefu"
)

// A push that cannot be stored (here: its app does not exist) must not take the
// other pushes of its batch down with it.
func TestBatchIsolatesAFailingPush(t *testing.T) {
	var sizes []int
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), Options{OnBatch: func(n int) { sizes = append(sizes, n) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := &kefu.App{AppID: "wx1234567890abcdef", Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatXML}
	if err := s.CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	push := func(appID string, id int64) *ingestRequest {
		m := &kefu.Inbound{
			AppID: appID, OpenID: "o1", MsgType: "text", Kind: kefu.KindText, MsgID: id,
			CreateTime: 1, ReceivedAt: time.Unix(1, 0),
		}
		return &ingestRequest{done: make(chan struct{}), msg: m, key: keyOf(m)}
	}
	batch := []*ingestRequest{push(app.AppID, 1), push("wxdoesnotexist0000", 2), push(app.AppID, 3)}
	s.ingest.commit(append([]*ingestRequest(nil), batch...))
	for _, r := range batch {
		<-r.done
	}
	if batch[0].err != nil || batch[2].err != nil || batch[1].err == nil {
		t.Fatalf("errors: %v / %v / %v", batch[0].err, batch[1].err, batch[2].err)
	}
	if batch[0].res.ConversationID == 0 || batch[0].res.Duplicate {
		t.Fatalf("good push result %+v", batch[0].res)
	}
	// The whole batch failed once, then each push went alone: two good commits.
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 1 {
		t.Fatalf("batch sizes %v", sizes)
	}
	ms, _ := s.Messages(context.Background(), kefu.MessageFilter{AppID: app.AppID})
	if len(ms) != 2 {
		t.Fatalf("%d messages stored, want 2", len(ms))
	}
}

func TestBindNumbersPlaceholders(t *testing.T) {
	if got := postgresDialect.bind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Fatal(got)
	}
	if got := sqliteDialect.bind("a = ?"); got != "a = ?" {
		t.Fatal(got)
	}
}

func TestNoIngestStore(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Ingest(context.Background(), &kefu.Inbound{AppID: "wx1", MsgID: 1}); err == nil {
		t.Fatal("a store opened without ingest accepted a push")
	}
	if _, err := s.Apps(context.Background()); err != nil {
		t.Fatal(err)
	}
}
