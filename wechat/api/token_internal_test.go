package api

import (
	"context"
	"testing"
	"time"
)

// drop compares before it drops: a late caller refused with the old token leaves
// the token another caller already fetched in place.
func TestDropComparesToken(t *testing.T) {
	c := New(Config{Secret: func(context.Context, string) (string, error) { return "s", nil }})
	later := time.Now().Add(time.Hour)
	c.tokens.put("wx1", cachedToken{value: "new", refreshAt: later, expiresAt: later})
	if c.tokens.drop("wx1", "old") {
		t.Fatal("dropped a token that was not the refused one")
	}
	if got, err := c.tokens.get(context.Background(), "wx1"); err != nil || got != "new" {
		t.Fatalf("get after a stale drop: %q, %v", got, err)
	}
	if !c.tokens.drop("wx1", "new") {
		t.Fatal("did not drop the refused token")
	}
	if _, ok := c.tokens.cached("wx1"); ok {
		t.Fatal("the refused token is still cached")
	}
}
