package main

import (
	"context"
	"encoding/json"
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

// TestServeNeverFetchesInside runs the attack end to end: a simulated user's image
// push to a real `kefu serve` carries a PicUrl on an internal endpoint (loopback),
// and WeChat's media_id fails, so the URL is kefu's only way to the picture. By
// default the host is not one kefu fetches from; even with it on --media-url-hosts,
// the address is refused, and allowing loopback opens ports 80 and 443 only; kefu
// never reaches the endpoint and stores nothing. Only --egress-allow with the
// endpoint's ip:port opens it, which shows the test would see a fetch.
func TestServeNeverFetchesInside(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  func(insideAddr string) []string
		reason string // why the URL was not fetched; "" if it is
	}{
		{"defaults", nil, "url: Not fetched: kefu refused host 127.0.0.1 (not on the list of hosts allowed)"},
		{"URL fetching off", func(string) []string { return []string{"--media-url-hosts", "none"} },
			"url: Not fetched: kefu refused host 127.0.0.1 (no host is allowed)"},
		{"listed host, loopback address", func(string) []string { return []string{"--media-url-hosts", "127.0.0.1"} },
			"url: Not fetched: kefu refused address 127.0.0.1 (loopback"},
		{"listed host, loopback allowed", func(string) []string {
			return []string{"--media-url-hosts", "127.0.0.1", "--egress-allow", "127.0.0.0/8"}
		}, "only ports 80, 443 are reached"},
		{"its ip:port allowed by the operator", func(addr string) []string {
			return []string{"--media-url-hosts", "127.0.0.1", "--egress-allow", addr}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			pic := testPNG(t)
			inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "image/png")
				w.Write(pic)
			}))
			t.Cleanup(inside.Close)
			var flags []string
			if tc.flags != nil {
				flags = tc.flags(inside.Listener.Addr().String())
			}

			db := newDB(t)
			addApp(t, db)
			st := simtest.Start(t, simtest.StartOptions{Now: time.Now()})
			st.Sim.API().SetFaults(sim.Faults{SystemErrorShare: 1}) // every media_id (and token) fetch fails
			st.Sim.SetPublicURL(inside.URL)                         // PicUrl: the internal endpoint
			srv := startServe(t, db, append([]string{"--wechat-api", st.APIURL()}, flags...)...)
			app := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
				AESKey: testKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
			if err := st.Sim.AddEndpoint(sim.Endpoint{App: app, URL: srv.url + "/wx/" + testAppID}, testSecret); err != nil {
				t.Fatal(err)
			}
			if res, err := st.Sim.Image(context.Background(), testAppID, "oInside", pic, "image/png"); err != nil || res.Outcome != sim.Delivered {
				t.Fatalf("image push: %+v %v", res, err)
			}

			var got messageJSON
			simtest.WaitFor(t, func() bool {
				out := kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					var m messageJSON
					if json.Unmarshal([]byte(line), &m) == nil && m.Type == "image" && (m.Attempts > 0 || m.MediaState != "") {
						got = m
						return true
					}
				}
				return false
			}, "kefu to try the image")
			if !strings.HasPrefix(got.Fields["pic_url"], inside.URL) {
				t.Fatalf("PicUrl %q is not the internal endpoint", got.Fields["pic_url"])
			}
			if tc.reason == "" {
				if got.MediaState != "stored" || hits.Load() == 0 {
					t.Fatalf("allowed: media %q after %d requests (%s)", got.MediaState, hits.Load(), got.ErrReason)
				}
				return
			}
			if n := hits.Load(); n != 0 || got.MediaState == "stored" || got.Media != "" {
				t.Fatalf("the internal endpoint got %d requests; media %q %q", n, got.MediaState, got.Media)
			}
			if !strings.Contains(got.ErrReason, tc.reason) {
				t.Fatalf("reason %q; want %q", got.ErrReason, tc.reason)
			}
		})
	}
}

// TestServePictureFlags: the fetch policy's flags and their environment twins are
// checked before anything starts.
func TestServePictureFlags(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--media-url-hosts", "https://mmbiz.qpic.cn/x"}, nil, "--media-url-hosts"},
		{[]string{"--egress-allow", "intranet"}, nil, "--egress-allow"},
		{nil, map[string]string{"KEFU_EGRESS_ALLOW": "10.0.0.0/99"}, "--egress-allow"},
		{[]string{"--egress-allow", "localhost:9090"}, nil, "--egress-allow"},
		{nil, map[string]string{"KEFU_MEDIA_URL_HOSTS": "mmbiz.qpic.cn:8080"}, "--media-url-hosts"},
	} {
		getenv := func(k string) string { return tc.env[k] }
		r := kefuCmd(t, getenv, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v %v: %s", tc.args, tc.env, r)
		}
	}
	c := serveConfig{mediaURLHosts: "None", egressAllow: ""}
	if p, err := pictureFetching(c); err != nil || p.hosts != nil || p.allow != nil || p.allowAddrs != nil {
		t.Errorf("none: %+v %v", p, err)
	}
	c = serveConfig{mediaURLHosts: defaultURLHosts(), egressAllow: "10.8.0.0/16,127.0.0.1:9090"}
	if p, err := pictureFetching(c); err != nil || len(p.hosts) != 2 || len(p.allow) != 1 || len(p.allowAddrs) != 1 {
		t.Errorf("defaults: %+v %v", p, err)
	}
}
