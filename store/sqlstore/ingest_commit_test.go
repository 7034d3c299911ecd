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

// A batch of several pushes relies on the unique index for URL signatures: one
// whose signature is on record fails the batch, and committed alone it is refused,
// leaving no customer behind, while its neighbours are stored. A sealed push whose
// signature is taken is stored all the same, without it.
func TestBatchRefusesATakenSignature(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	app := &kefu.App{AppID: "wx1234567890abcdef", Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatXML}
	if err := s.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	push := func(openID string, id int64, sig string, sealed bool) *ingestRequest {
		m := &kefu.Inbound{
			AppID: app.AppID, OpenID: openID, MsgType: "text", Kind: kefu.KindText, MsgID: id,
			Content: openID, Raw: []byte(openID), CreateTime: 1, ReceivedAt: time.Unix(1, 0),
		}
		if sig != "" {
			m.Signed = &kefu.PushSignature{Signature: sig, Sealed: sealed}
		}
		return &ingestRequest{done: make(chan struct{}), msg: m, key: keyOf(m)}
	}
	if _, err := s.Ingest(ctx, push("oGenuine", 1, "sig-used", false).msg); err != nil {
		t.Fatal(err)
	}
	batch := []*ingestRequest{push("oBefore", 2, "sig-a", false), push("oForger", 3, "sig-used", false),
		push("oSealed", 4, "sig-used", true), push("oAfter", 5, "", false)}
	s.ingest.commit(append([]*ingestRequest(nil), batch...))
	for _, r := range batch {
		<-r.done
	}
	if batch[1].err != kefu.ErrSignatureReused {
		t.Fatalf("forged push: %v, want ErrSignatureReused", batch[1].err)
	}
	for _, i := range []int{0, 2, 3} {
		if batch[i].err != nil || batch[i].res.MessageID == 0 {
			t.Fatalf("push %d: %+v %v", i, batch[i].res, batch[i].err)
		}
	}
	if _, err := s.Customer(ctx, app.AppID, "oForger"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatalf("the refused push's customer: %v, want none", err)
	}
}
