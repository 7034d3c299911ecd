package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/api"
	"kefu/wechat/sim"
)

var modes = []api.TokenMode{api.TokenStable, api.TokenClassic}

func TestColdCacheOneFetch(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			e := newEnv(t, setup{mode: mode})
			const n = 100
			for i := range n {
				e.wrote(fmt.Sprintf("u%03d", i))
			}
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() { errs <- e.send(fmt.Sprintf("u%03d", i), "hello") })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			e.wantFetches("100 concurrent sends", 1)
			for i := range n {
				if got := e.sim.Received(testApp, fmt.Sprintf("u%03d", i)); len(got) != 1 {
					t.Fatalf("u%03d received %d messages", i, len(got))
				}
			}
		})
	}
}

// A classic token fetched elsewhere supersedes the client's, which WeChat refuses
// 5 minutes later: one refresh, and the send goes through.
func TestClassicTokenSuperseded(t *testing.T) {
	e := newEnv(t, setup{mode: api.TokenClassic})
	e.wrote("u1")
	e.mustSend("u1", "one")
	e.classicToken()
	e.wantFetches("out-of-band fetch", 2)

	e.clock.Advance(4 * time.Minute)
	e.mustSend("u1", "still within the overlap")
	e.wantFetches("within the overlap", 2)

	e.clock.Advance(time.Minute + time.Second)
	e.mustSend("u1", "after the overlap")
	e.wantFetches("after the overlap", 3)
	e.mustSend("u1", "again")
	e.wantFetches("with the new token", 3)
	if got := len(e.sim.Received(testApp, "u1")); got != 4 {
		t.Fatalf("received %d messages, want 4", got)
	}
}

func TestExpiredTokenRefreshedOnce(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			e := newEnv(t, setup{mode: mode})
			e.wrote("u1")
			e.mustSend("u1", "one")
			e.sim.ExpireTokens(testApp)
			e.mustSend("u1", "two")
			e.wantFetches("after a 42001", 2)
			e.mustSend("u1", "three")
			e.wantFetches("with the new token", 2)
			if n := e.count(sendPath); n != 4 {
				t.Fatalf("%d send requests, want 4 (one refused)", n)
			}
			// Uploads rebuild their multipart body for the retry.
			e.sim.ExpireTokens(testApp)
			if _, _, err := e.client.UploadImage(context.Background(), testApp, pngBytes); err != nil {
				t.Fatal(err)
			}
			e.wantFetches("after a 42001 on upload", 3)
		})
	}
}

// Two calls refused with the same stale token cause one refresh, not two: the
// second finds the token the first fetched.
func TestSameStaleTokenOneRefresh(t *testing.T) {
	var armed atomic.Bool
	var held atomic.Int32
	arrived := make(chan struct{}, 2)
	release := make(chan struct{})
	e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == sendPath && armed.Load() && held.Add(1) <= 2 {
			arrived <- struct{}{}
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		return false
	}})
	e.wrote("u1")
	e.wrote("u2")
	e.mustSend("u1", "warm up")
	e.sim.ExpireTokens(testApp)
	armed.Store(true)

	errs := make(chan error, 2)
	go func() { errs <- e.send("u1", "a") }()
	go func() { errs <- e.send("u2", "b") }()
	for range 2 {
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("the two sends did not both reach the server")
		}
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	e.wantFetches("two refusals of one token", 2)
	if n := e.count(sendPath); n != 5 {
		t.Fatalf("%d send requests, want 5 (warm-up, two refused, two retried)", n)
	}
}

func TestRefreshAheadOfExpiry(t *testing.T) {
	tests := []struct {
		name   string
		margin time.Duration
		ttl    time.Duration
		keep   time.Duration // how long a token is used before a refetch
	}{
		{"default margin", 0, 0, 7200*time.Second - 5*time.Minute},
		{"ten minute margin", 10 * time.Minute, 0, 7200*time.Second - 10*time.Minute},
		// expires_in just above the margin: kept for half its life, not fetched per call.
		{"short-lived token", 0, 400 * time.Second, 200 * time.Second},
	}
	for _, tc := range tests {
		for _, mode := range modes {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				e := newEnv(t, setup{mode: mode, margin: tc.margin, sim: sim.APIOptions{TokenTTL: tc.ttl}})
				e.wrote("u1")
				e.mustSend("u1", "fetches")
				e.clock.Advance(tc.keep - time.Second)
				e.mustSend("u1", "cached")
				e.wantFetches("a second before the refresh point", 1)
				e.clock.Advance(time.Second)
				e.mustSend("u1", "refetched")
				e.wantFetches("at the refresh point", 2)
				e.mustSend("u1", "cached again")
				e.wantFetches("after the refresh", 2)
				if n := e.count(sendPath); n != 4 {
					t.Fatalf("%d send requests, want 4: a refresh ahead of expiry is never refused", n)
				}
			})
		}
	}
}

func TestClockPastExpiry(t *testing.T) {
	e := newEnv(t, setup{})
	e.wrote("u1")
	e.mustSend("u1", "one")
	e.clock.Advance(3 * time.Hour)
	e.wrote("u1")
	e.mustSend("u1", "two")
	e.wantFetches("after the token's life", 2)
	if n := e.count(sendPath); n != 2 {
		t.Fatalf("%d send requests, want 2", n)
	}
}

// A token WeChat refuses again after a refresh is a configuration problem.
func TestTokenRefusedTwice(t *testing.T) {
	e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == sendPath {
			answer(w, `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: 1"}`)
			return true
		}
		return false
	}})
	err := e.send("u1", "hello")
	ae := apiError(t, err)
	if ae.Code != 40001 || ae.Retryable() || !strings.Contains(ae.Reason(), "AppSecret") || ae.Op != "send" {
		t.Fatalf("%v: code %d retryable %v reason %q", err, ae.Code, ae.Retryable(), ae.Reason())
	}
	e.wantFetches("one refresh", 2)
	if n := e.count(sendPath); n != 2 {
		t.Fatalf("%d send requests, want 2", n)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   sim.APIOptions
		mode   api.TokenMode
		secret string // the secret the simulator expects
		code   int
		reason string
	}{
		{"stable wrong secret", sim.APIOptions{}, api.TokenStable, "another", 40001, "AppSecret"},
		{"classic wrong secret", sim.APIOptions{}, api.TokenClassic, "another", 40001, "AppSecret"},
		{"wrong secret as 40125", sim.APIOptions{BadSecretCode: 40125}, api.TokenStable, "another", 40125, "AppSecret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{mode: tc.mode, sim: tc.opts})
			e.sim.AddApp(testApp, tc.secret)
			ae := apiError(t, e.send("u1", "hello"))
			if ae.Code != tc.code || ae.Op != "token" || ae.Retryable() || !strings.Contains(ae.Reason(), tc.reason) {
				t.Fatalf("%v: retryable %v reason %q", ae, ae.Retryable(), ae.Reason())
			}
			if n := e.count(sendPath); n != 0 {
				t.Fatalf("%d sends without a token", n)
			}
		})
	}
	t.Run("unknown app", func(t *testing.T) {
		e := newEnv(t, setup{})
		err := e.client.SendMessage(context.Background(), "wxnobody", textTo("u1", "hi"))
		ae := apiError(t, err)
		if ae.Op != "token" || ae.Retryable() || kefu.ErrorCodeOf(err) != kefu.ENotFound || e.total() != 0 {
			t.Fatalf("%v (retryable %v) after %d requests, want the store's ENotFound and none", err, ae.Retryable(), e.total())
		}
	})
	t.Run("store failure", func(t *testing.T) {
		e := newEnv(t, setup{})
		c := api.New(api.Config{BaseURL: e.srv.URL, Secret: func(context.Context, string) (string, error) {
			return "", errors.New("database is locked")
		}})
		ae := apiError(t, c.SendMessage(context.Background(), testApp, textTo("u1", "hi")))
		if !ae.Retryable() || e.total() != 0 {
			t.Fatalf("%v: retryable %v after %d requests", ae, ae.Retryable(), e.total())
		}
	})
	t.Run("system error", func(t *testing.T) {
		e := newEnv(t, setup{sim: sim.APIOptions{Faults: sim.Faults{SystemErrorShare: 1}}})
		ae := apiError(t, e.send("u1", "hello"))
		if ae.Code != -1 || ae.Op != "token" || !ae.Retryable() {
			t.Fatalf("%v: retryable %v", ae, ae.Retryable())
		}
	})
}

// A refresh ahead of expiry that fails leaves the still-valid token in service.
func TestFailedRefreshKeepsValidToken(t *testing.T) {
	e := newEnv(t, setup{})
	e.wrote("u1")
	e.mustSend("u1", "one")
	e.clock.Advance(7200*time.Second - 4*time.Minute) // past the refresh point, before expiry
	e.sim.SetFaults(sim.Faults{SystemErrorShare: 1})
	_, _, err := e.client.UploadImage(context.Background(), testApp, pngBytes)
	ae := apiError(t, err)
	if ae.Op != "upload" || ae.Code != -1 {
		t.Fatalf("upload during an outage: %v, want the upload's own -1", err)
	}
	e.wantFetches("the failed refresh is not counted by the simulator", 1)
	e.sim.SetFaults(sim.Faults{})
	e.mustSend("u1", "within the retry gap: the old token")
	if n := e.count("/cgi-bin/stable_token"); n != 2 {
		t.Fatalf("%d token requests, want 2 (no refetch within the retry gap)", n)
	}
	e.clock.Advance(30 * time.Second)
	e.mustSend("u1", "after the gap: refreshed")
	if n := e.count("/cgi-bin/stable_token"); n != 3 {
		t.Fatalf("%d token requests, want 3", n)
	}
}

func TestParseTokenMode(t *testing.T) {
	for in, want := range map[string]api.TokenMode{"": api.TokenStable, "stable": api.TokenStable, "Classic": api.TokenClassic} {
		if got, err := api.ParseTokenMode(in); err != nil || got != want {
			t.Errorf("ParseTokenMode(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := api.ParseTokenMode("forced"); err == nil {
		t.Error("ParseTokenMode(forced) succeeded")
	}
}
