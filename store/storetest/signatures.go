package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"kefu"
)

// signed gives a push the URL signature it came with and a document that follows
// its content, as a real push's does.
func (e *env) signed(m *kefu.Inbound, signature string, sealed bool) *kefu.Inbound {
	m.Raw = []byte(`{"MsgType":"text","Content":"` + m.Content + `"}`)
	m.Signed = &kefu.PushSignature{Signature: signature, Sealed: sealed}
	return m
}

func refused(t *testing.T, e *env, m *kefu.Inbound, what string) {
	t.Helper()
	if _, err := e.store.Ingest(context.Background(), m); !errors.Is(err, kefu.ErrSignatureReused) || kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("%s: err = %v, want ErrSignatureReused", what, err)
	}
}

// testSignatures: a URL signature stored with one document refuses another (and
// stores nothing of it), takes the same document again (WeChat's retry, a
// duplicate), never refuses a sealed push, and holds however much later.
func testSignatures(t *testing.T, e *env) {
	e.createApp(t)
	ctx := context.Background()
	first := e.ingest(t, e.signed(e.text("o1", 1, "genuine"), "sig-1", false))
	if first.Duplicate || first.MessageID == 0 {
		t.Fatalf("first push: %+v", first)
	}
	if res := e.ingest(t, e.signed(e.text("o1", 1, "genuine"), "sig-1", false)); !res.Duplicate || res.MessageID != first.MessageID {
		t.Fatalf("identical retry: %+v, want a duplicate of %d", res, first.MessageID)
	}
	refused(t, e, e.signed(e.text("o2", 2, "forged"), "sig-1", false), "another document under a used signature")
	// The same signature on another app is another URL.
	other := testApp()
	other.AppID = "wxother0000000001"
	if err := e.store.CreateApp(ctx, other); err != nil {
		t.Fatal(err)
	}
	m := e.signed(e.text("o2", 2, "elsewhere"), "sig-1", false)
	m.AppID = other.AppID
	e.ingest(t, m)
	// A sealed push authenticated its document: never refused, and recorded when
	// its signature is new.
	e.ingest(t, e.signed(e.text("o3", 3, "sealed"), "sig-1", true))
	e.ingest(t, e.signed(e.text("o3", 4, "sealed first"), "sig-2", true))
	refused(t, e, e.signed(e.text("o3", 5, "stripped"), "sig-2", false), "a plaintext document under a sealed push's signature")
	for _, ms := range e.messages(t, kefu.MessageFilter{}) {
		if ms.Content == "forged" || ms.Content == "stripped" {
			t.Fatalf("a refused push was stored: %+v", ms)
		}
	}
	if c, err := e.store.Customer(ctx, testAppID, "o2"); err == nil && c != nil {
		t.Fatalf("a refused push created its customer: %+v", c)
	}

	// Pushes that share one commit: a forgery among them fails alone, and of four
	// documents under one new signature at most one is taken.
	results := make(chan error, 24)
	for i := range 24 {
		go func() {
			var m *kefu.Inbound
			switch {
			case i == 7:
				m = e.signed(e.text("o4", 200, "forged in a batch"), "sig-1", false)
			case i >= 20:
				m = e.signed(e.text("o4", int64(300+i), "racing "+string(rune('a'+i-20))), "sig-race", false)
			default:
				m = e.text("o4", int64(100+i), "batch")
			}
			_, err := e.store.Ingest(ctx, m)
			results <- err
		}()
	}
	refusedN := 0
	for range 24 {
		if err := <-results; errors.Is(err, kefu.ErrSignatureReused) {
			refusedN++
		} else if err != nil {
			t.Fatalf("batch neighbour: %v", err)
		}
	}
	if refusedN != 4 { // the forgery, and three of the four racing documents
		t.Fatalf("%d refused, want 4", refusedN)
	}

	// The record holds for good (the timestamp window normally refuses such an old
	// URL first; with the window off, the record alone does).
	e.clock.Advance(30 * 24 * time.Hour)
	refused(t, e, e.signed(e.text("o5", 400, "a month later"), "sig-1", false), "a used signature a month later")
}
