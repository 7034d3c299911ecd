package sim

import (
	"testing"
	"time"

	"kefu"
)

// Start configures endpoints, serves the API on loopback and runs on a test clock.
func TestStartHarness(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	app := pushApp(kefu.ModePlain, kefu.FormatXML)
	dev := &fakeDev{answer: say("success")}
	st := Start(t, StartOptions{Now: now, Endpoints: []Endpoint{{App: app, URL: newServer(t, dev)}}})
	if !st.Clock.Now().Equal(now) {
		t.Fatalf("clock at %v", st.Clock.Now())
	}
	if eps := st.Sim.Endpoints(); len(eps) != 1 || eps[0].App.AppID != pushAppID || eps[0].URL == "" {
		t.Fatalf("endpoints %+v", eps)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Sim.Text(t.Context(), pushAppID, pushUser, "hello")
	}()
	st.WaitFor(t, func() bool {
		c := st.Sim.Chat(pushAppID, pushUser)
		return len(c) == 1 && c[0].Sent.Outcome == Delivered
	}, "the text to be delivered")
	<-done
	sendText(t, st, pushUser, "hi back") // the API answers on APIURL with the app's secret
	if r := st.Sim.API().Received(pushAppID, pushUser); len(r) != 1 || r[0].Text != "hi back" {
		t.Fatalf("received %+v", r)
	}
}
