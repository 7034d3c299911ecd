package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"kefu"
)

// signed gives a push the signed pair it came under, with the hash of its body.
func signed(m *kefu.Inbound, ts int64, nonce, bodyHash string, sealed bool) *kefu.Inbound {
	m.Pair = &kefu.SignedPair{Timestamp: ts, Nonce: nonce, BodyHash: bodyHash, Sealed: sealed}
	return m
}

// testSignedPairs: a pair seen with one body refuses another body (and stores
// nothing of it), takes the same body again (WeChat's retry, a duplicate), never
// refuses a sealed push, and is forgotten once its time is over.
func testSignedPairs(t *testing.T, e *env) {
	e.createApp(t)
	ctx := context.Background()
	ts := e.clock.Now().Unix()
	first := e.ingest(t, signed(e.text("o1", 1, "genuine"), ts, "111", "hash-a", false))
	if first.Duplicate || first.MessageID == 0 {
		t.Fatalf("first push: %+v", first)
	}
	if res := e.ingest(t, signed(e.text("o1", 1, "genuine"), ts, "111", "hash-a", false)); !res.Duplicate || res.MessageID != first.MessageID {
		t.Fatalf("identical retry: %+v, want a duplicate of %d", res, first.MessageID)
	}
	forged := signed(e.text("o2", 2, "forged"), ts, "111", "hash-b", false)
	if _, err := e.store.Ingest(ctx, forged); !errors.Is(err, kefu.ErrPairReused) || kefu.ErrorCodeOf(err) != kefu.EConflict {
		t.Fatalf("another body under a used pair: err = %v, want ErrPairReused", err)
	}
	// The same pair on another app is another URL.
	other := testApp()
	other.AppID = "wxother0000000001"
	if err := e.store.CreateApp(ctx, other); err != nil {
		t.Fatal(err)
	}
	m := signed(e.text("o2", 2, "elsewhere"), ts, "111", "hash-b", false)
	m.AppID = other.AppID
	e.ingest(t, m)
	// A sealed push authenticated its body: recorded, never refused.
	e.ingest(t, signed(e.text("o3", 3, "sealed"), ts, "111", "hash-c", true))
	e.ingest(t, signed(e.text("o3", 4, "sealed first"), ts, "222", "hash-d", true))
	if _, err := e.store.Ingest(ctx, signed(e.text("o3", 5, "stripped"), ts, "222", "hash-e", false)); !errors.Is(err, kefu.ErrPairReused) {
		t.Fatalf("a plaintext body under a sealed push's pair: err = %v, want ErrPairReused", err)
	}
	for _, ms := range e.messages(t, kefu.MessageFilter{}) {
		if ms.Content == "forged" || ms.Content == "stripped" {
			t.Fatalf("a refused push was stored: %+v", ms)
		}
	}
	if c, err := e.store.Customer(ctx, testAppID, "o2"); err == nil && c != nil {
		t.Fatalf("a refused push created its customer: %+v", c)
	}
	// A refused push in a batch with others fails only itself.
	results := make(chan error, 20)
	for i := range 20 {
		go func() {
			m := e.text("o4", int64(100+i), "batch")
			if i == 7 {
				m = signed(e.text("o4", 200, "forged in a batch"), ts, "111", "hash-z", false)
			}
			_, err := e.store.Ingest(ctx, m)
			results <- err
		}()
	}
	refused := 0
	for range 20 {
		if err := <-results; errors.Is(err, kefu.ErrPairReused) {
			refused++
		} else if err != nil {
			t.Fatalf("batch neighbour: %v", err)
		}
	}
	if refused != 1 {
		t.Fatalf("%d refused in a batch, want 1", refused)
	}
	// Past the time pairs are kept, the pair is gone (the timestamp window refuses
	// such an old URL before it gets here).
	e.clock.Advance(25 * time.Hour)
	e.ingest(t, signed(e.text("o5", 300, "later"), e.clock.Now().Unix(), "333", "hash-f", false))
	e.ingest(t, signed(e.text("o5", 301, "after pruning"), ts, "111", "hash-g", false))
}
