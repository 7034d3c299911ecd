// Package simtest runs the WeChat simulator in process for Go tests. It is apart
// from package sim so that the kefu binary, which links the simulator for kefu sim
// and kefu bench send, does not link testing and net/http/httptest.
package simtest

import (
	"net/http/httptest"
	"testing"
	"time"

	"kefu/internal/testclock"
	"kefu/wechat/sim"
)

// StartOptions configure Start.
type StartOptions struct {
	// Options for the Simulator; Clock and PublicURL are set by Start.
	Options sim.Options
	// Now is where the test clock starts; zero: 2025-03-03 10:00 China Standard Time.
	Now time.Time
	// Endpoints are configured at start, each with its App.Secret as AppSecret.
	Endpoints []sim.Endpoint
}

// Test is a Simulator running in process for a Go test: its API and media handler
// on a loopback server, its time on a test clock the test moves.
type Test struct {
	Sim    *sim.Simulator
	Clock  *testclock.Clock
	Server *httptest.Server
}

// defaultTestStart is a Monday morning in WeChat's time zone, far from midnight so
// that daily limits do not roll over in the middle of a test.
var defaultTestStart = time.Date(2025, 3, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// Start runs a Simulator for the test t and stops it when t ends. Use APIURL as the
// api.weixin.qq.com base URL of the server under test, and WaitFor to wait for what
// the server does in the background.
func Start(t testing.TB, opts StartOptions) *Test {
	t.Helper()
	now := opts.Now
	if now.IsZero() {
		now = defaultTestStart
	}
	clock := testclock.New(now)
	o := opts.Options
	o.Clock = clock
	s := sim.New(o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetPublicURL(srv.URL)
	for _, ep := range opts.Endpoints {
		if err := s.AddEndpoint(ep, ""); err != nil {
			t.Fatal(err)
		}
	}
	return &Test{Sim: s, Clock: clock, Server: srv}
}

// APIURL is the base URL (scheme and host) of the simulated api.weixin.qq.com.
func (st *Test) APIURL() string { return st.Server.URL }

// waitLimit bounds WaitFor: generous for a loaded CI machine, short enough that a
// hung test says what it waited for.
const waitLimit = 10 * time.Second

// WaitFor polls cond every few milliseconds until it holds, and fails t with what
// if it does not within 10 s. It is the only way tests wait: never a fixed sleep.
// It must be called from the test's goroutine.
func (st *Test) WaitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	WaitFor(t, cond, what)
}

// WaitFor is Test.WaitFor for tests without a Simulator.
func WaitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
