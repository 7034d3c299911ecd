package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
)

// TestServeSendsAndRehosts runs the outbound half end to end: a simulated user
// writes and sends an image to a real `kefu serve` whose WeChat API is the
// simulator; `kefu send` queues replies, which serve delivers to the user; the
// user's image is re-hosted and still served after WeChat's copy expired.
func TestServeSendsAndRehosts(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	app := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
		AESKey: testKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	st := simtest.Start(t, simtest.StartOptions{Now: time.Now()})
	srv := startServe(t, db, "--wechat-api", st.APIURL())
	if err := st.Sim.AddEndpoint(sim.Endpoint{App: app, URL: srv.url + "/wx/" + testAppID}, testSecret); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const user = "oSendRoundTrip"
	if res, err := st.Sim.Text(ctx, testAppID, user, "在吗"); err != nil || res.Outcome != sim.Delivered {
		t.Fatalf("text push: %+v %v", res, err)
	}
	pic := testPNG(t)
	if res, err := st.Sim.Image(ctx, testAppID, user, pic, "image/png"); err != nil || res.Outcome != sim.Delivered {
		t.Fatalf("image push: %+v %v", res, err)
	}

	// Replies: a text and an image, queued by the CLI, delivered by serve.
	r := kefuDB(t, db, "send", "--app", testAppID, "--to", user, "--text", "您好，请讲")
	if r.code != 0 || !strings.Contains(r.stdout, "queued message") || !strings.Contains(r.stdout, "4 of 5 replies left") {
		t.Fatalf("kefu send: %+v", r)
	}
	file := filepath.Join(t.TempDir(), "reply.png")
	os.WriteFile(file, pic, 0o600)
	if r := kefuDB(t, db, "send", "--app", testAppID, "--to", user, "--image", file); r.code != 0 {
		t.Fatalf("kefu send --image: %+v", r)
	}
	simtest.WaitFor(t, func() bool { return len(st.Sim.API().Received(testAppID, user)) == 2 }, "the user to receive both replies")
	got := st.Sim.API().Received(testAppID, user)
	if got[0].Text != "您好，请讲" || got[1].MsgType != "image" {
		t.Fatalf("the user received %+v", got)
	}

	// The user's image is stored by kefu, and served after WeChat forgot it.
	var stored messageJSON
	simtest.WaitFor(t, func() bool {
		for _, line := range strings.Split(strings.TrimSpace(kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout), "\n") {
			var m messageJSON
			if json.Unmarshal([]byte(line), &m) == nil && m.Type == "image" && m.Direction == "in" && m.MediaState == "stored" {
				stored = m
				return true
			}
		}
		return false
	}, "the inbound image to be stored")
	st.Clock.Advance(4 * 24 * time.Hour)
	client := api.New(api.Config{BaseURL: st.APIURL(), Clock: st.Clock,
		Secret: func(context.Context, string) (string, error) { return testSecret, nil }})
	_, _, err := client.GetMedia(ctx, testAppID, stored.Fields["media_id"])
	if f, ok := kefu.AsAPIFailure(err); !ok || f.ErrCode() != kefu.WxInvalidMedia {
		t.Fatalf("WeChat's copy after 4 days: %v; want 40007", err)
	}
	// The console serves it to an agent of the app, and to nobody else.
	if code, _ := srv.get(t, "/media/"+stored.Media); code != http.StatusUnauthorized {
		t.Fatalf("GET /media without signing in: %d", code)
	}
	code, body := getWith(t, agentClient(t, srv, db, "li", false, testAppID), srv.url+"/media/"+stored.Media)
	if code != 200 || body != string(pic) {
		t.Fatalf("GET /media/%s: %d, %d bytes", stored.Media, code, len(body))
	}
	// Both replies show as sent (recorded once WeChat's answer is back).
	simtest.WaitFor(t, func() bool {
		out := kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout
		return strings.Count(out, `"status":"sent"`) == 2
	}, "both replies to show as sent")
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
