package sim

import (
	"fmt"
	"sync"
	"testing"

	"kefu"
)

func TestAddEndpointRefusesBadConfiguration(t *testing.T) {
	s := New(Options{})
	good := pushApp(kefu.ModeSecure, kefu.FormatJSON)
	noKey := good
	noKey.AESKey = ""
	noOrig := good
	noOrig.OriginalID = ""
	badMode := good
	badMode.Mode = "SECURE"
	for name, ep := range map[string]Endpoint{
		"secure without key": {App: noKey, URL: "http://127.0.0.1/wx"},
		"no original id":     {App: noOrig, URL: "http://127.0.0.1/wx"},
		"bad mode":           {App: badMode, URL: "http://127.0.0.1/wx"},
		"relative URL":       {App: good, URL: "/wx"},
		"ftp URL":            {App: good, URL: "ftp://127.0.0.1/wx"},
	} {
		if err := s.AddEndpoint(ep, "x"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if len(s.Endpoints()) != 0 {
		t.Fatal("a refused endpoint was kept")
	}
	if err := s.AddEndpoint(Endpoint{App: good, URL: "https://example.com/wx?tenant=1"}, ""); err != nil {
		t.Fatal(err)
	}
}

// The developer's own query survives; the push's parameters are added to it.
func TestPushKeepsDeveloperQuery(t *testing.T) {
	dev := &fakeDev{answer: say("success")}
	st := startTestSim(t, testSimOptions{Endpoints: []Endpoint{{App: pushApp(kefu.ModePlain, kefu.FormatXML), URL: newServer(t, dev) + "?tenant=7"}}})
	mustPush(t)(st.Sim.Text(t.Context(), pushAppID, pushUser, "hi"))
	if q := dev.got()[0].query; q.Get("tenant") != "7" || q.Get("signature") == "" {
		t.Fatalf("query %v", q)
	}
}

// Many users at once: every push arrives once, with its own MsgId.
func TestPushConcurrentUsers(t *testing.T) {
	app := pushApp(kefu.ModeSecure, kefu.FormatXML)
	pt := newPushTest(t, app, say("success"))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			user := fmt.Sprintf("user-%d", i)
			if res, err := pt.Sim.Text(pt.ctx, pushAppID, user, "hi"); err != nil || res.Outcome != Delivered {
				t.Errorf("%s: %+v %v", user, res, err)
			}
			pt.Sim.Chat(pushAppID, user)
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, c := range pt.dev.got() {
		seen[decodePush(t, app, c).MsgID] = true
	}
	if len(seen) != 20 {
		t.Fatalf("%d distinct MsgIds in %d pushes", len(seen), len(pt.dev.got()))
	}
}
