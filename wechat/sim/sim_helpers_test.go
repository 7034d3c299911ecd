package sim

import (
	"net/http/httptest"
	"testing"
	"time"

	"kefu/internal/testclock"
)

// testSim is simtest.Test for this package's own tests, which cannot use simtest:
// it imports sim, so importing it here would be a cycle. It is the same few lines:
// a Simulator on a test clock, served on loopback.
type testSim struct {
	Sim   *Simulator
	Clock *testclock.Clock
	url   string
}

// testSimOptions are simtest.StartOptions.
type testSimOptions struct {
	Options   Options
	Now       time.Time // zero: testStart, far from midnight as simtest's default
	Endpoints []Endpoint
}

// startTestSim is simtest.Start.
func startTestSim(t testing.TB, opts testSimOptions) *testSim {
	t.Helper()
	now := opts.Now
	if now.IsZero() {
		now = testStart
	}
	clock := testclock.New(now)
	o := opts.Options
	o.Clock = clock
	s := New(o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetPublicURL(srv.URL)
	for _, ep := range opts.Endpoints {
		if err := s.AddEndpoint(ep, ""); err != nil {
			t.Fatal(err)
		}
	}
	return &testSim{Sim: s, Clock: clock, url: srv.URL}
}

// APIURL is the base URL of the simulated api.weixin.qq.com.
func (st *testSim) APIURL() string { return st.url }

// WaitFor is simtest.WaitFor: it polls cond until it holds, failing t after 10 s.
func (st *testSim) WaitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	const limit = 10 * time.Second
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
