package simtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
)

// Start configures endpoints, serves the API on loopback and runs on a test clock.
func TestStart(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	app := kefu.App{AppID: "wxba5fad812f8e6fb9", OriginalID: "gh_97417a04a28d", Secret: "push-secret",
		Token: "AAAAA", Mode: kefu.ModePlain, Format: kefu.FormatXML}
	const user = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY"
	dev := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "success") }))
	t.Cleanup(dev.Close)
	st := simtest.Start(t, simtest.StartOptions{Now: now, Endpoints: []sim.Endpoint{{App: app, URL: dev.URL + "/wx/" + app.AppID}}})
	if !st.Clock.Now().Equal(now) {
		t.Fatalf("clock at %v", st.Clock.Now())
	}
	if eps := st.Sim.Endpoints(); len(eps) != 1 || eps[0].App.AppID != app.AppID || eps[0].URL == "" {
		t.Fatalf("endpoints %+v", eps)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Sim.Text(t.Context(), app.AppID, user, "hello")
	}()
	st.WaitFor(t, func() bool {
		c := st.Sim.Chat(app.AppID, user)
		return len(c) == 1 && c[0].Sent.Outcome == sim.Delivered
	}, "the text to be delivered")
	<-done

	// The API answers on APIURL with the app's secret.
	client := api.New(api.Config{BaseURL: st.APIURL(), Clock: st.Clock,
		Secret: func(context.Context, string) (string, error) { return app.Secret, nil }})
	reply := &kefu.WireMessage{OpenID: user, Content: kefu.Content{Kind: kefu.KindText, Text: "hi back"}}
	if err := client.SendMessage(t.Context(), app.AppID, reply); err != nil {
		t.Fatal(err)
	}
	if r := st.Sim.API().Received(app.AppID, user); len(r) != 1 || r[0].Text != "hi back" {
		t.Fatalf("received %+v", r)
	}
}

// WaitFor returns once its condition holds.
func TestWaitFor(t *testing.T) {
	n := 0
	simtest.WaitFor(t, func() bool { n++; return n == 3 }, "the third poll")
	if n != 3 {
		t.Fatalf("polled %d times", n)
	}
}
