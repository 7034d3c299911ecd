package sim

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSendEachMessageType(t *testing.T) {
	var (
		mu        sync.Mutex
		announced []Delivery
	)
	h := newHarness(t, APIOptions{OnDelivery: func(appID, openID string, d Delivery) {
		if appID != testApp || openID != "u1" {
			t.Errorf("OnDelivery(%q, %q)", appID, openID)
		}
		mu.Lock()
		announced = append(announced, d)
		mu.Unlock()
	}})
	tok := h.token()
	img := h.uploadImage(tok, jpegBytes)
	thumb := h.uploadImage(tok, pngBytes)
	h.wrote("u1")

	tests := []struct {
		name string
		path string
		body string
		want Delivery
	}{
		{"text", "/cgi-bin/message/custom/send",
			`{"touser":"u1","msgtype":"text","text":{"content":"你好 <a href=\"http://www.qq.com\" data-miniprogram-appid=\"wx1\" data-miniprogram-path=\"pages/index/index\">点我</a>"}}`,
			Delivery{MsgType: "text", Text: `你好 <a href="http://www.qq.com" data-miniprogram-appid="wx1" data-miniprogram-path="pages/index/index">点我</a>`}},
		{"image", "/cgi-bin/message/custom/send",
			`{"touser":"u1","msgtype":"image","image":{"media_id":"` + img + `"}}`,
			Delivery{MsgType: "image", MediaID: img}},
		{"link", "/cgi-bin/message/custom/business/send",
			`{"touser":"u1","msgtype":"link","link":{"title":"Happy Day","description":"Is Really A Happy Day","url":"https://example.com/a?b=c","thumb_url":"https://example.com/t.png"}}`,
			Delivery{MsgType: "link", Link: &Link{Title: "Happy Day", Description: "Is Really A Happy Day", URL: "https://example.com/a?b=c", ThumbURL: "https://example.com/t.png"}}},
		{"miniprogrampage", "/cgi-bin/message/custom/send",
			`{"touser":"u1","msgtype":"miniprogrampage","businessid":"b1","unknown":1,"miniprogrampage":{"title":"订单","appid":"` + testApp + `","pagepath":"pages/index/index?foo=bar","thumb_media_id":"` + thumb + `"}}`,
			Delivery{MsgType: "miniprogrampage", BusinessID: "b1", Card: &Card{Title: "订单", AppID: testApp, PagePath: "pages/index/index?foo=bar", ThumbMediaID: thumb}}},
	}
	for i, tc := range tests {
		h.clock.Advance(time.Second)
		r := h.postJSON(tc.path, tok, tc.body)
		if r.ErrCode != 0 || r.ErrMsg != "ok" {
			t.Fatalf("%s: %+v", tc.name, r)
		}
		tc.want.Seq, tc.want.At = i+1, h.clock.Now()
		got := h.api.Received(testApp, "u1")
		if len(got) != i+1 || !reflect.DeepEqual(got[i], tc.want) {
			t.Fatalf("%s: received %+v, want %+v", tc.name, got[len(got)-1], tc.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(announced, h.api.Received(testApp, "u1")) {
		t.Fatalf("OnDelivery saw %+v", announced)
	}
	if q := h.api.Quota(testApp, "u1"); !q.Open || q.Remaining != 1 {
		t.Fatalf("quota after 4 sends: %+v, want 1 left", q)
	}
	if data, ct, ok := h.api.Media(img); !ok || ct != "image/jpeg" || string(data) != string(jpegBytes) {
		t.Fatalf("Media(%s) = %d bytes, %q, %v", img, len(data), ct, ok)
	}
}

func TestSendErrors(t *testing.T) {
	long := strings.Repeat("字", 683) // 2049 bytes
	tests := []struct {
		name  string
		setup func(h *harness, tok string) string // returns the body
		want  int
	}{
		{"not the app's openid", func(h *harness, tok string) string {
			return `{"touser":"stranger","msgtype":"text","text":{"content":"hi"}}`
		}, codeInvalidOpenID},
		{"the app's user, never acted", func(h *harness, tok string) string {
			if err := h.api.AddUser(testApp, "u7"); err != nil {
				h.t.Fatal(err)
			}
			return `{"touser":"u7","msgtype":"text","text":{"content":"hi"}}`
		}, codeOutOfTime},
		{"no touser", func(h *harness, tok string) string {
			return `{"msgtype":"text","text":{"content":"hi"}}`
		}, codeInvalidOpenID},
		{"user of another app", func(h *harness, tok string) string {
			h.api.AddApp("wxother", "s")
			h.api.UserMessage("wxother", "u9")
			return `{"touser":"u9","msgtype":"text","text":{"content":"hi"}}`
		}, codeInvalidOpenID},
		{"text too long", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"text","text":{"content":"` + long + `"}}`
		}, codeContentTooLong},
		{"text empty", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"text","text":{"content":""}}`
		}, codeEmptyContent},
		{"voice", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"voice","voice":{"media_id":"x"}}`
		}, codeInvalidMsgType},
		{"news", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"news","news":{}}`
		}, codeInvalidMsgType},
		{"image unknown media", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"image","image":{"media_id":"nope"}}`
		}, codeInvalidMediaID},
		{"image without media_id", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"image"}`
		}, codeInvalidMediaID},
		{"image expired media", func(h *harness, tok string) string {
			id := h.uploadImage(tok, pngBytes)
			h.clock.Advance(72 * time.Hour)
			h.wrote("u1") // the window opened at the start has closed by now
			return `{"touser":"u1","msgtype":"image","image":{"media_id":"` + id + `"}}`
		}, codeInvalidMediaID},
		{"card unknown thumb", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"miniprogrampage","miniprogrampage":{"title":"t","pagepath":"pages/a","thumb_media_id":"nope"}}`
		}, codeInvalidMediaID},
		{"card without pagepath", func(h *harness, tok string) string {
			id := h.uploadImage(tok, pngBytes)
			return `{"touser":"u1","msgtype":"miniprogrampage","miniprogrampage":{"title":"t","thumb_media_id":"` + id + `"}}`
		}, codeDataFormat},
		{"link ftp url", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"link","link":{"title":"t","description":"d","url":"ftp://example.com/x"}}`
		}, codeInvalidURL},
		{"link relative url", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"link","link":{"title":"t","description":"d","url":"/x"}}`
		}, codeInvalidURL},
		{"malformed json", func(h *harness, tok string) string {
			return `{"touser":"u1","msgtype":"text","text":{"content":"hi"}`
		}, codeDataFormat},
		{"wrong json type", func(h *harness, tok string) string {
			return `{"touser":1,"msgtype":"text"}`
		}, codeDataFormat},
		{"empty body", func(h *harness, tok string) string { return `` }, codeEmptyPostData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, APIOptions{})
			tok := h.token()
			h.wrote("u1")
			body := tc.setup(h, tok)
			tok = h.token() // the clock may have moved past the first token's life
			wantCode(t, tc.name, h.send(tok, body), tc.want)
			if got := h.api.Received(testApp, "u1"); len(got) != 0 {
				t.Fatalf("a refused send was delivered: %+v", got)
			}
			if q := h.api.Quota(testApp, "u1"); q.Remaining != 5 {
				t.Fatalf("a refused send used quota: %+v", q)
			}
		})
	}
}

func TestSendTextLimitIsBytes(t *testing.T) {
	h := newHarness(t, APIOptions{TextLimit: 6})
	tok := h.token()
	h.wrote("u1")
	wantCode(t, "6 bytes", h.sendText(tok, "u1", "你好"), codeOK)
	wantCode(t, "7 bytes", h.sendText(tok, "u1", "你好!"), codeContentTooLong)
}
