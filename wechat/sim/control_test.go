package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
)

// TestControlAPI drives a user through the control API against a target that
// answers success, reads the chat back, and sees a send through the API appear in it.
func TestControlAPI(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	t.Cleanup(target.Close)
	app := pushApp(kefu.ModeSecure, kefu.FormatJSON)
	s, c := NewControlled(Options{Clock: testclock.New(testStart)})
	if err := s.AddEndpoint(Endpoint{App: app, URL: target.URL}, "sec"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	s.SetPublicURL(srv.URL)

	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	get := func(path string, v any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}

	u := "/sim/api/apps/" + app.AppID + "/users/ouser1"
	if out := post(u+"/enter", `{"session_from":"page-a"}`); out["outcome"] != "delivered" {
		t.Fatalf("enter: %v", out)
	}
	if out := post(u+"/text", `{"content":"你好"}`); out["outcome"] != "delivered" {
		t.Fatalf("text: %v", out)
	}

	var users struct {
		Apps []appJSON `json:"apps"`
	}
	get("/sim/api/users", &users)
	if len(users.Apps) != 1 || len(users.Apps[0].Users) != 1 || users.Apps[0].Users[0].OpenID != "ouser1" {
		t.Fatalf("users: %+v", users)
	}

	var v ChatView
	get(u+"/chat", &v)
	if len(v.Entries) != 2 || v.Entries[0].Sent == nil || v.Entries[0].Sent.SessionFrom != "page-a" ||
		v.Entries[1].Sent == nil || v.Entries[1].Sent.Text != "你好" || v.Entries[1].Sent.Outcome != Delivered {
		t.Fatalf("chat after enter and text: %+v", v.Entries)
	}

	// A send through the WeChat API appears in the chat.
	resp, err := http.Post(srv.URL+"/cgi-bin/stable_token", "application/json",
		strings.NewReader(`{"grant_type":"client_credential","appid":"`+app.AppID+`","secret":"sec"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatal("no access token")
	}
	resp, err = http.Post(srv.URL+"/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok.AccessToken), "application/json",
		strings.NewReader(`{"touser":"ouser1","msgtype":"text","text":{"content":"客服回复"}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"errcode":0`) {
		t.Fatalf("send: %s", b)
	}
	get(u+"/chat", &v)
	if len(v.Entries) != 3 || v.Entries[2].Received == nil || v.Entries[2].Received.Text != "客服回复" {
		t.Fatalf("chat after send: %+v", v.Entries)
	}

	// A user added on the page is the app's but has not written: no reply window
	// (45015). An openid the app does not have is invalid (40003).
	post("/sim/api/apps/"+app.AppID+"/users", `{"openid":"onew"}`)
	for to, want := range map[string]string{"onew": `"errcode":45015`, "ostranger": `"errcode":40003`} {
		resp, err = http.Post(srv.URL+"/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok.AccessToken), "application/json",
			strings.NewReader(`{"touser":"`+to+`","msgtype":"text","text":{"content":"在吗"}}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("send to %s: %s, want %s", to, b, want)
		}
	}

	// The page is served, and a cross-origin POST is refused.
	resp, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "ouser1") || !strings.Contains(string(page), "/sim/static/phone.js") {
		t.Fatalf("page lacks the user or the module:\n%s", page)
	}
	req, _ := http.NewRequest("POST", srv.URL+u+"/text", strings.NewReader(`{"content":"x"}`))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d, want 403", resp.StatusCode)
	}
}

// Faults can be read and changed while the simulator runs.
func TestControlFaults(t *testing.T) {
	s, c := NewControlled(Options{Clock: testclock.New(testStart)})
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	put := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/sim/api/faults", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := put(`{"system_error_share":1,"latency_ms":3,"daily_send_limit":7}`); code != 200 ||
		!strings.Contains(body, `"system_error_share":1`) {
		t.Fatalf("PUT faults = %d %s", code, body)
	}
	if f := s.API().Faults(); f.SystemErrorShare != 1 || f.Latency != 3*time.Millisecond || f.DailySendLimit != 7 {
		t.Fatalf("faults now %+v", f)
	}
	if code, _ := put(`{"system_error_share":2}`); code != 400 {
		t.Fatalf("a share above 1 was taken: %d", code)
	}
	if code, _ := put(`{}`); code != 200 || s.API().Faults() != (Faults{}) {
		t.Fatalf("faults not cleared: %+v", s.API().Faults())
	}
}

// Images and cards through the control API, and the event stream announcing them.
func TestControlImageCardAndEvents(t *testing.T) {
	var pushed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		pushed.Add(1)
		io.WriteString(w, "success")
	}))
	t.Cleanup(target.Close)
	app := pushApp(kefu.ModePlain, kefu.FormatXML)
	s, c := NewControlled(Options{Clock: testclock.New(testStart)})
	if err := s.AddEndpoint(Endpoint{App: app, URL: target.URL}, "sec"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	s.SetPublicURL(srv.URL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/sim/api/events", nil)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(events.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
	u := srv.URL + "/sim/api/apps/" + app.AppID + "/users/ouser2"
	resp, err := http.Post(u+"/image", "image/png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Post(u+"/card", "application/json", strings.NewReader(`{"title":"商品","pagepath":"pages/item?id=1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if pushed.Load() != 2 {
		t.Fatalf("%d pushes reached the target, want 2", pushed.Load())
	}
	chat := s.Chat(app.AppID, "ouser2")
	if len(chat) != 2 || chat[0].Sent == nil || chat[0].Sent.Kind != kefu.KindImage || chat[0].Sent.Outcome != Delivered ||
		chat[1].Sent == nil || chat[1].Sent.Title != "商品" || chat[1].Sent.PagePath != "pages/item?id=1" {
		t.Fatalf("chat: %+v", chat)
	}
	// The image the user sent is served where its PicUrl points.
	img, err := http.Get(chat[0].Sent.PicURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(img.Body)
	img.Body.Close()
	if !bytes.Equal(got, png) {
		t.Fatalf("PicUrl served %d bytes, want the image", len(got))
	}
	// The stream announced the user's chat changing.
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("event stream ended")
			}
			if strings.HasPrefix(l, "event: chat") {
				return
			}
		case <-deadline:
			t.Fatal("no chat event within 10 s")
		}
	}
}
