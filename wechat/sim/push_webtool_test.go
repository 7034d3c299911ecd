package sim

import (
	"net/http"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/codec"
)

// transferTexts answers a text containing "人工" with a transfer, anything else with
// success.
func transferTexts(t *testing.T, app kefu.App) func(int, call, http.ResponseWriter, *http.Request) {
	return answerTo(t, app, func(m *kefu.Inbound, _ call) []byte {
		if m.Content == "人工" {
			return codec.TransferReply(m, app.Format, time.Unix(m.CreateTime, 0))
		}
		return []byte("success")
	})
}

// waiting (still pushed) → accepted (to the web tool, not pushed) → released after
// 30 idle minutes → pushed again.
func TestWebToolLifecycle(t *testing.T) {
	app := pushApp(kefu.ModePlain, kefu.FormatXML)
	pt := newPushTest(t, app, transferTexts(t, app))
	sim, ctx := pt.Sim, pt.ctx
	pushes := func() int { return len(pt.dev.got()) }

	if res := mustPush(t)(sim.Text(ctx, pushAppID, pushUser, "人工")); res.Outcome != Transferred {
		t.Fatalf("transfer: %+v", res)
	}
	if q := sim.WebToolQueue(pushAppID); len(q) != 1 || q[0] != pushUser {
		t.Fatalf("queue %v", q)
	}

	// Waiting: still pushed.
	if res := mustPush(t)(sim.Text(ctx, pushAppID, pushUser, "还在吗")); res.Outcome != Delivered || pushes() != 2 {
		t.Fatalf("while waiting: %+v after %d pushes", res, pushes())
	}
	if st := sim.WebToolState(pushAppID, pushUser); st != WebToolWaiting {
		t.Fatalf("state %s", st)
	}

	// Accepted: messages go to the web tool; entering is still pushed.
	if err := sim.AcceptWebTool(pushAppID, pushUser); err != nil {
		t.Fatal(err)
	}
	if q := sim.WebToolQueue(pushAppID); len(q) != 0 {
		t.Fatalf("queue after accept %v", q)
	}
	if res := mustPush(t)(sim.Text(ctx, pushAppID, pushUser, "订单 123")); res.Outcome != ToWebTool || res.Attempts != 0 || res.MsgID == 0 {
		t.Fatalf("accepted: %+v", res)
	}
	if res := mustPush(t)(sim.Image(ctx, pushAppID, pushUser, pngBytes, "image/png")); res.Outcome != ToWebTool {
		t.Fatalf("accepted image: %+v", res)
	}
	if res := mustPush(t)(sim.Enter(ctx, pushAppID, pushUser, "x")); res.Outcome != Delivered {
		t.Fatalf("enter while accepted: %+v", res)
	}
	if pushes() != 3 {
		t.Fatalf("%d pushes; the web tool's messages were pushed", pushes())
	}

	// 29 idle minutes keep the session; the activity restarts the 30 minutes.
	pt.Clock.Advance(29 * time.Minute)
	if res := mustPush(t)(sim.Text(ctx, pushAppID, pushUser, "稍等")); res.Outcome != ToWebTool {
		t.Fatalf("after 29 min: %+v", res)
	}
	pt.Clock.Advance(29 * time.Minute)
	if st := sim.WebToolState(pushAppID, pushUser); st != WebToolAccepted {
		t.Fatalf("state after 29 more idle minutes %s", st)
	}

	// 30 idle minutes release the user: pushed again.
	pt.Clock.Advance(time.Minute)
	if st := sim.WebToolState(pushAppID, pushUser); st != WebToolNone {
		t.Fatalf("state after 30 idle minutes %s", st)
	}
	if res := mustPush(t)(sim.Text(ctx, pushAppID, pushUser, "又来了")); res.Outcome != Delivered || pushes() != 4 {
		t.Fatalf("after release: %+v after %d pushes", res, pushes())
	}

	var got []string
	for _, m := range sim.WebToolMessages(pushAppID, pushUser) {
		got = append(got, string(m.Kind)+":"+m.Text)
	}
	want := []string{"text:人工", "text:订单 123", "image:", "text:稍等"}
	if len(got) != len(want) {
		t.Fatalf("web tool log %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("web tool log %q, want %q", got, want)
		}
	}
}

func TestWebToolCloseAndQueueOrder(t *testing.T) {
	app := pushApp(kefu.ModePlain, kefu.FormatJSON)
	pt := newPushTest(t, app, transferTexts(t, app))
	sim, ctx := pt.Sim, pt.ctx
	for _, u := range []string{"user-a", "user-b", "user-c"} {
		mustPush(t)(sim.Text(ctx, pushAppID, u, "人工"))
	}
	// A second transfer keeps the user's place.
	mustPush(t)(sim.Text(ctx, pushAppID, "user-a", "人工"))
	if q := sim.WebToolQueue(pushAppID); len(q) != 3 || q[0] != "user-a" || q[1] != "user-b" || q[2] != "user-c" {
		t.Fatalf("queue %v", q)
	}
	if err := sim.AcceptWebTool(pushAppID, "user-b"); err != nil {
		t.Fatal(err)
	}
	if err := sim.AcceptWebTool(pushAppID, "user-b"); err == nil {
		t.Fatal("accepted twice")
	}
	if err := sim.AcceptWebTool(pushAppID, "nobody"); err == nil {
		t.Fatal("accepted a user who never waited")
	}
	sim.CloseWebTool(pushAppID, "user-b")
	if st := sim.WebToolState(pushAppID, "user-b"); st != WebToolNone {
		t.Fatalf("state after close %s", st)
	}
	if res := mustPush(t)(sim.Text(ctx, pushAppID, "user-b", "hi")); res.Outcome != Delivered {
		t.Fatalf("after close: %+v", res)
	}
	sim.CloseWebTool(pushAppID, "user-a") // dropped from the queue
	if q := sim.WebToolQueue(pushAppID); len(q) != 1 || q[0] != "user-c" {
		t.Fatalf("queue %v", q)
	}
}
