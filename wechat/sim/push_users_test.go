package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
)

// Writing opens the 5 sends / 48 h window, whatever becomes of the push.
func TestUserMessageGrantsQuota(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), func(_ int, _ call, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	})
	api := pt.Sim.API()
	if q := api.Quota(pushAppID, pushUser); q.Open {
		t.Fatalf("quota before anything %+v", q)
	}
	mustPush(t)(pt.Sim.Enter(pt.ctx, pushAppID, pushUser, ""))
	if q := api.Quota(pushAppID, pushUser); q.Remaining != 2 || !q.ExpiresAt.Equal(pt.Clock.Now().Add(time.Minute)) {
		t.Fatalf("quota after entering %+v", q)
	}
	res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
	if res.Outcome != Failed {
		t.Fatalf("result %+v", res)
	}
	q := api.Quota(pushAppID, pushUser)
	if !q.Open || q.Remaining != 5 || !q.ExpiresAt.Equal(pt.Clock.Now().Add(48*time.Hour)) {
		t.Fatalf("quota after writing %+v", q)
	}
}

// An image: the simulator keeps it, MediaId serves it through the API and PicUrl
// through /media/.
func TestUserImage(t *testing.T) {
	app := pushApp(kefu.ModeSecure, kefu.FormatXML)
	pt := newPushTest(t, app, say("success"))
	res := mustPush(t)(pt.Sim.Image(pt.ctx, pushAppID, pushUser, pngBytes, ""))
	if res.Outcome != Delivered {
		t.Fatalf("result %+v", res)
	}
	m := decodePush(t, app, pt.dev.got()[0])
	if m.MsgType != "image" || m.MediaID == "" || m.MsgID != res.MsgID {
		t.Fatalf("pushed %+v", m)
	}
	if data, ct, ok := pt.Sim.API().Media(m.MediaID); !ok || ct != "image/png" || !bytes.Equal(data, pngBytes) {
		t.Fatalf("API.Media: %v %q", ok, ct)
	}
	if !strings.HasPrefix(m.PicURL, pt.APIURL()+"/media/") {
		t.Fatalf("PicUrl %q", m.PicURL)
	}
	data, ct := fetch(t, m.PicURL)
	if ct != "image/png" || !bytes.Equal(data, pngBytes) {
		t.Fatalf("PicUrl served %q, %d bytes", ct, len(data))
	}
	// The PicUrl outlives the media_id's 3 days.
	pt.Clock.Advance(4 * 24 * time.Hour)
	if data, _ := fetch(t, m.PicURL); !bytes.Equal(data, pngBytes) {
		t.Fatal("PicUrl gone after the media_id expired")
	}
	if _, err := pt.Sim.Image(pt.ctx, pushAppID, pushUser, nil, ""); err == nil {
		t.Fatal("empty image accepted")
	}
}

func TestUserCard(t *testing.T) {
	app := pushApp(kefu.ModePlain, kefu.FormatJSON)
	pt := newPushTest(t, app, say("success"))
	mustPush(t)(pt.Sim.Card(pt.ctx, pushAppID, pushUser, "商品", "pages/item?id=1", jpegBytes))
	mustPush(t)(pt.Sim.Card(pt.ctx, pushAppID, pushUser, "无图", "pages/index", nil))
	calls := pt.dev.got()
	m := decodePush(t, app, calls[0])
	if m.MsgType != "miniprogrampage" || m.Title != "商品" || m.PagePath != "pages/item?id=1" || m.CardAppID != pushAppID ||
		m.ThumbMediaID == "" || !strings.HasSuffix(m.ThumbURL, "/media/"+m.ThumbMediaID) {
		t.Fatalf("pushed %+v", m)
	}
	if _, ct, ok := pt.Sim.API().Media(m.ThumbMediaID); !ok || ct != "image/jpeg" {
		t.Fatalf("thumb %v %q", ok, ct)
	}
	if m := decodePush(t, app, calls[1]); m.ThumbMediaID != "" || m.ThumbURL != "" {
		t.Fatalf("card without thumb pushed %+v", m)
	}
}

// The chat merges, in order, what the user sent, what the send API delivered and
// the notices.
func TestChatMergesSentReceivedAndNotices(t *testing.T) {
	var fail atomic.Bool
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), func(_ int, _ call, w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			w.WriteHeader(500)
			return
		}
		io.WriteString(w, "success")
	})
	mustPush(t)(pt.Sim.Enter(pt.ctx, pushAppID, pushUser, "home"))
	pt.Clock.Advance(time.Second)
	mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "在吗"))
	sendText(t, pt.testSim, pushUser, "您好，请讲")
	pt.Clock.Advance(time.Second)
	fail.Store(true)
	mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "喂？"))

	var got []string
	for _, c := range pt.Sim.Chat(pushAppID, pushUser) {
		switch {
		case c.Sent != nil:
			got = append(got, "user "+string(c.Sent.Kind)+" "+c.Sent.Text+c.Sent.SessionFrom+" "+string(c.Sent.Outcome))
		case c.Received != nil:
			got = append(got, "service "+c.Received.MsgType+" "+c.Received.Text)
		case c.Notice != nil:
			got = append(got, "system "+c.Notice.Text)
		}
	}
	want := []string{
		"user enter home delivered",
		"user text 在吗 delivered",
		"service text 您好，请讲",
		"user text 喂？ failed",
		"system " + NoticeUnavailable,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("chat:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sendText sends a text to the user through the simulated API, as a server would.
func sendText(t *testing.T, st *testSim, openID, content string) {
	t.Helper()
	resp, err := http.Get(st.APIURL() + "/cgi-bin/token?" + url.Values{
		"grant_type": {"client_credential"}, "appid": {pushAppID}, "secret": {pushSecret}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decodeBody(t, resp, &tok)
	body := `{"touser":"` + openID + `","msgtype":"text","text":{"content":"` + content + `"}}`
	resp, err = http.Post(st.APIURL()+"/cgi-bin/message/custom/send?access_token="+tok.AccessToken, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ ErrCode int }
	decodeBody(t, resp, &r)
	if r.ErrCode != 0 {
		t.Fatalf("send: errcode %d", r.ErrCode)
	}
}

func decodeBody(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func fetch(t *testing.T, u string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return data, resp.Header.Get("Content-Type")
}
