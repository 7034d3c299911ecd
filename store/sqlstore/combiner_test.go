package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"kefu"
)

// TestCombinerIsolatesAFailingWrite: a write that fails in a shared transaction
// fails alone; the others in the batch are committed.
func TestCombinerIsolatesAFailingWrite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"), Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"wxaaaaaaaaaaaaaa01", "wxaaaaaaaaaaaaaa02"} {
		if err := s.CreateApp(ctx, &kefu.App{AppID: id, Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatXML}); err != nil {
			t.Fatal(err)
		}
	}
	setOriginal := func(appID string) func(context.Context, on) error {
		return func(ctx context.Context, w on) error {
			_, err := w.exec(ctx, `UPDATE apps SET original_id = 'gh_set' WHERE appid = ?`, appID)
			return err
		}
	}
	boom := errors.New("boom")
	batch := []*write{
		{key: 1, run: setOriginal("wxaaaaaaaaaaaaaa01"), done: make(chan struct{})},
		{key: 2, run: func(context.Context, on) error { return boom }, done: make(chan struct{})},
		{key: 3, run: setOriginal("wxaaaaaaaaaaaaaa02"), done: make(chan struct{})},
	}
	s.combine.commit(batch)
	for i, b := range batch {
		<-b.done
		if want := map[bool]error{true: boom, false: nil}[i == 1]; !errors.Is(b.err, want) {
			t.Errorf("write %d: err %v, want %v", i, b.err, want)
		}
	}
	for _, id := range []string{"wxaaaaaaaaaaaaaa01", "wxaaaaaaaaaaaaaa02"} {
		if a, err := s.App(ctx, id); err != nil || a.OriginalID != "gh_set" {
			t.Errorf("%s after the batch: %+v, %v", id, a, err)
		}
	}
	s.Close()
	if err := s.combined(ctx, 1, setOriginal("wxaaaaaaaaaaaaaa01")); !errors.Is(err, errClosed) {
		t.Errorf("a write after Close: %v", err)
	}
}
