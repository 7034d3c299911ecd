package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kefu/wechat/api"
	"kefu/wechat/sim"
)

// warm has the client fetch its token, so that faults set afterwards hit the call.
func (e *env) warm() {
	e.t.Helper()
	e.wrote("warm")
	e.mustSend("warm", "warm up")
}

func TestSystemErrorRetryable(t *testing.T) {
	e := newEnv(t, setup{})
	e.warm()
	e.wrote("u1")
	e.sim.SetFaults(sim.Faults{SystemErrorShare: 1})
	ae := apiError(t, e.send("u1", "hello"))
	if ae.Code != -1 || !ae.Retryable() || ae.Op != "send" {
		t.Fatalf("%v: retryable %v", ae, ae.Retryable())
	}
	if n := e.count(sendPath); n != 2 {
		t.Fatalf("%d send requests, want 2: the client itself never retries -1", n)
	}
}

func TestDroppedReplyNotRetryable(t *testing.T) {
	e := newEnv(t, setup{})
	e.warm()
	e.wrote("u1")
	e.sim.SetFaults(sim.Faults{DropSendReplyShare: 1})
	err := e.send("u1", "hello")
	ae := apiError(t, err)
	if ae.Code != 0 || ae.Retryable() || !strings.Contains(ae.Reason(), "may have been delivered") {
		t.Fatalf("%v: retryable %v reason %q", err, ae.Retryable(), ae.Reason())
	}
	if got := e.sim.Received(testApp, "u1"); len(got) != 1 {
		t.Fatalf("received %d, want 1: the message was delivered, once", len(got))
	}
}

func TestConnectionRefusedRetryable(t *testing.T) {
	e := newEnv(t, setup{})
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, mode := range modes {
		c := e.newClient(dead.URL, setup{mode: mode})
		err := c.SendMessage(context.Background(), testApp, textTo("u1", "hello"))
		ae := apiError(t, err)
		if ae.Code != 0 || !ae.Retryable() || ae.Op != "token" {
			t.Fatalf("%s: %v: retryable %v", mode, err, ae.Retryable())
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Fatalf("%s: the secret is in %q", mode, err)
		}
	}

	// With a token at hand the send itself meets the refused connection. Keep-alives
	// are off so that no pooled connection to the closed server is tried first.
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	e = newEnv(t, setup{http: noKeepAlive})
	e.warm()
	e.srv.Close()
	ae := apiError(t, e.send("u1", "hello"))
	if ae.Code != 0 || !ae.Retryable() || ae.Op != "send" || !strings.Contains(ae.Reason(), "nothing was handed over") {
		t.Fatalf("send to a closed server: %v: retryable %v reason %q", ae, ae.Retryable(), ae.Reason())
	}
}

func TestTimeoutAfterWriteNotRetryable(t *testing.T) {
	e := newEnv(t, setup{timeout: 100 * time.Millisecond})
	e.warm()
	e.wrote("u1")
	e.sim.SetFaults(sim.Faults{Latency: time.Minute}) // the handler ends when the client hangs up
	err := e.send("u1", "hello")
	ae := apiError(t, err)
	if ae.Code != 0 || ae.Retryable() || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v: retryable %v", err, ae.Retryable())
	}
}

func TestTerminalCodes(t *testing.T) {
	tests := []struct {
		name string
		code int
		prep func(e *env) // leaves u1 in the state that provokes code
	}{
		{"window closed", 45015, func(e *env) {
			e.wrote("u1")
			e.clock.Advance(49 * time.Hour)
		}},
		{"sends used up", 45047, func(e *env) {
			e.wrote("u1")
			for range 5 {
				e.mustSend("u1", "one of five")
			}
		}},
		{"unknown openid", 40003, func(*env) {}},
		{"daily limit", 45009, func(e *env) {
			e.sim.SetFaults(sim.Faults{DailySendLimit: 1})
			e.wrote("u1")
			e.wrote("u2")
			e.mustSend("u2", "the day's only send")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{})
			tc.prep(e)
			ae := apiError(t, e.send("u1", "hello"))
			if ae.Code != tc.code || ae.Retryable() || ae.Reason() == "" || ae.Op != "send" {
				t.Fatalf("%v: retryable %v reason %q", ae, ae.Retryable(), ae.Reason())
			}
		})
	}
}

func TestOddAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		code      int
		retryable bool
		reason    string
	}{
		{"unknown errcode", 200, `{"errcode":49999,"errmsg":"strange things rid: 0a-0b"}`, 49999, false, "49999 (strange things)"},
		{"minute quota", 200, `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`, 45011, true, "minute"},
		{"not JSON", 200, `<html>busy</html>`, 0, false, "could not be read"},
		{"503", 503, `busy`, 0, true, "HTTP 503"},
		{"502 on a send", 502, `bad gateway`, 0, false, "not known"},
		{"500 on a send", 500, `oops`, 0, false, "not known"},
		{"404", 404, `not here`, 0, false, "not processed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != sendPath {
					return false
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
				return true
			}})
			ae := apiError(t, e.send("u1", "hello"))
			if ae.Code != tc.code || ae.Retryable() != tc.retryable || !strings.Contains(ae.Reason(), tc.reason) {
				t.Fatalf("%v: retryable %v reason %q", ae, ae.Retryable(), ae.Reason())
			}
			if strings.Contains(ae.Reason(), "rid:") {
				t.Fatalf("reason %q quotes the request id", ae.Reason())
			}
		})
	}
}

func TestIsTokenError(t *testing.T) {
	for code, want := range map[int]bool{40001: true, 40014: true, 42001: true, 40003: false, -1: false, 0: false} {
		if api.IsTokenError(code) != want {
			t.Errorf("IsTokenError(%d) = %v", code, !want)
		}
	}
}
