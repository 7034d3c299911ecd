package api_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/wechat/sim"
)

// leaks fails t if the token or the secret appears in err, in any of its
// unwrapped layers, or in the client's log.
func leaks(t *testing.T, e *env, err error, token string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	texts := []string{fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		texts = append(texts, u.Error(), fmt.Sprintf("%#v", u))
	}
	e.mu.Lock()
	texts = append(texts, e.logs.String())
	e.mu.Unlock()
	for _, s := range texts {
		if strings.Contains(s, token) || strings.Contains(s, testSecret) {
			t.Fatalf("a secret leaked into %q", s)
		}
	}
}

func TestNoSecretsInErrors(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.warm()
		e.wrote("u1")
		e.sim.SetFaults(sim.Faults{DropSendReplyShare: 1})
		err := e.send("u1", "hello")
		leaks(t, e, err, e.stableToken())
		if !strings.Contains(err.Error(), sendPath) {
			t.Fatalf("%v does not name the path", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e := newEnv(t, setup{timeout: 100 * time.Millisecond})
		e.warm()
		e.wrote("u1")
		e.sim.SetFaults(sim.Faults{Latency: time.Minute})
		err := e.send("u1", "hello")
		e.sim.SetFaults(sim.Faults{})
		leaks(t, e, err, e.stableToken())
	})
	t.Run("refused token", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.warm()
		tok := e.stableToken()
		e.sim.ExpireTokens(testApp)
		e.mustSend("warm", "refreshed")
		_, _, err := e.client.GetMedia(t.Context(), testApp, "none")
		leaks(t, e, err, tok)
		leaks(t, e, err, e.stableToken())
	})
}
