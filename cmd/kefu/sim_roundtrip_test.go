package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
)

// A simulated user writes to a real `kefu serve`; WeChat's first attempt times out
// (a proxy holds it until the simulator gives up, then lets it through, so kefu
// does store it), the retry is answered at once, and kefu keeps the message once.
func TestSimulatorToServeRoundTrip(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	srv := startServe(t, db)

	var requests, answered atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // read first: only then does the server notice the client leave
		if requests.Add(1) == 1 {
			<-r.Context().Done() // the simulator's attempt timed out
		}
		resp, err := http.Post(srv.url+r.URL.RequestURI(), r.Header.Get("Content-Type"), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		answered.Add(1)
	}))
	t.Cleanup(proxy.Close)

	app := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
		AESKey: testKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	st := simtest.Start(t, simtest.StartOptions{
		Now:       time.Now(), // kefu checks the push timestamp against its own clock
		Options:   sim.Options{AttemptTimeout: 300 * time.Millisecond},
		Endpoints: []sim.Endpoint{{App: app, URL: proxy.URL + "/wx/" + testAppID}},
	})
	res, err := st.Sim.Text(context.Background(), testAppID, "oRoundTrip", "你好，我想退货")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != sim.Delivered || res.Attempts != 2 {
		t.Fatalf("push = %+v, want delivered on attempt 2", res)
	}
	if n := len(st.Sim.Notices(testAppID, "oRoundTrip")); n != 0 {
		t.Fatalf("the user saw %d notices", n)
	}
	// The held first attempt reaches kefu after the simulator gave up on it; wait
	// for both to have been answered before reading the store.
	simtest.WaitFor(t, func() bool { return answered.Load() == 2 }, "kefu to answer both attempts")
	r := kefuDB(t, db, "messages", "--app", testAppID, "--json")
	if got := strings.Count(r.stdout, "\n"); got != 1 || !strings.Contains(r.stdout, "你好，我想退货") {
		t.Fatalf("stored %d messages, want 1:\n%s", got, r)
	}
}
