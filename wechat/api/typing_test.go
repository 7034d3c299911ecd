package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"
)

const (
	typingPath         = "/cgi-bin/message/custom/typing"
	businessTypingPath = "/cgi-bin/message/custom/business/typing"
)

func TestTyping(t *testing.T) {
	e := newEnv(t, setup{})
	ctx := context.Background()
	e.wrote("u1")
	e.typingOnOff(t, "u1")
	if n := e.count(businessTypingPath); n != 0 {
		t.Fatalf("%d calls on the business path while the classic one works", n)
	}

	// Typing is refused without a recent exchange; the refusal is returned, once.
	e.clock.Advance(time.Minute)
	ae := apiError(t, e.client.SetTyping(ctx, testApp, "u1", true))
	if ae.Code != 45080 || ae.Retryable() || ae.Reason() == "" {
		t.Fatalf("typing without an exchange: %v", ae)
	}
	if n := e.count(typingPath); n != 3 {
		t.Fatalf("%d typing requests, want 3 (no retry of a refusal)", n)
	}
}

func TestTypingFallsBackToBusinessPath(t *testing.T) {
	e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == typingPath {
			http.NotFound(w, r)
			return true
		}
		return false
	}})
	e.wrote("u1")
	e.typingOnOff(t, "u1")
	if c, b := e.count(typingPath), e.count(businessTypingPath); c != 1 || b != 2 {
		t.Fatalf("classic path %d, business path %d calls; want 1 and 2", c, b)
	}
}

// typingOnOff switches the user's typing indicator on and off, checking that the
// user sees each.
func (e *env) typingOnOff(t *testing.T, openID string) {
	t.Helper()
	ctx := context.Background()
	if err := e.client.SetTyping(ctx, testApp, openID, true); err != nil {
		t.Fatal(err)
	}
	if !e.sim.Typing(testApp, openID) {
		t.Fatal("the user does not see the typing indicator")
	}
	if err := e.client.SetTyping(ctx, testApp, openID, false); err != nil {
		t.Fatal(err)
	}
	if e.sim.Typing(testApp, openID) {
		t.Fatal("the typing indicator is still on after CancelTyping")
	}
}
