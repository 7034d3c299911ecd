package api_test

import (
	"bytes"
	"context"
	"testing"

	"kefu"
	"kefu/wechat/sim"
)

func TestSendEachKind(t *testing.T) {
	e := newEnv(t, setup{})
	ctx := context.Background()
	img, _, err := e.client.UploadImage(ctx, testApp, jpegBytes)
	if err != nil {
		t.Fatal(err)
	}
	thumb, _, err := e.client.UploadImage(ctx, testApp, pngBytes)
	if err != nil {
		t.Fatal(err)
	}
	e.wrote("u1")

	link := `看这里 <a href="http://www.qq.com" data-miniprogram-appid="` + testApp +
		`" data-miniprogram-path="pages/index/index?a=1&b=2">点击跳小程序</a> & "quotes"`
	tests := []struct {
		name string
		msg  kefu.WireMessage
		want sim.Delivery
	}{
		{"text with a mini program link",
			kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindText, Text: link}},
			sim.Delivery{MsgType: "text", Text: link}},
		{"image",
			kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindImage, Media: "stored-key"}, MediaID: img},
			sim.Delivery{MsgType: "image", MediaID: img}},
		{"link",
			kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindLink, Title: "Happy Day",
				Description: "Is <Really> A Happy Day", URL: "https://example.com/a?b=c&d=e", ThumbURL: "https://example.com/t.png"}},
			sim.Delivery{MsgType: "link", Link: &sim.Link{Title: "Happy Day", Description: "Is <Really> A Happy Day",
				URL: "https://example.com/a?b=c&d=e", ThumbURL: "https://example.com/t.png"}}},
		{"mini program card",
			kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindCard, Title: "订单",
				PagePath: "pages/order/detail?id=42", Media: "stored-thumb"}, MediaID: thumb},
			sim.Delivery{MsgType: "miniprogrampage", Card: &sim.Card{Title: "订单", AppID: testApp,
				PagePath: "pages/order/detail?id=42", ThumbMediaID: thumb}}},
	}
	for i, tc := range tests {
		if err := e.client.SendMessage(ctx, testApp, &tc.msg); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := e.sim.Received(testApp, "u1")
		if len(got) != i+1 {
			t.Fatalf("%s: %d deliveries, want %d", tc.name, len(got), i+1)
		}
		d := got[i]
		if d.MsgType != tc.want.MsgType || d.Text != tc.want.Text || d.MediaID != tc.want.MediaID ||
			!equalPtr(d.Link, tc.want.Link) || !equalPtr(d.Card, tc.want.Card) {
			t.Fatalf("%s: delivered %+v (link %+v card %+v), want %+v", tc.name, d, d.Link, d.Card, tc.want)
		}
	}
	// The body went out without HTML escaping: WeChat sees the link as written.
	var textBody []byte
	e.mu.Lock()
	textBody = e.bodies[sendPath][0]
	e.mu.Unlock()
	if !bytes.Contains(textBody, []byte(`<a href=\"http://www.qq.com\" data-miniprogram-appid=\"`+testApp+`\"`)) ||
		bytes.Contains(textBody, []byte(`\u003c`)) || bytes.Contains(textBody, []byte(`\u0026`)) {
		t.Fatalf("text body HTML-escaped or mangled: %s", textBody)
	}
	if e.fetches() != 1 {
		t.Fatalf("%d token fetches for one session, want 1", e.fetches())
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestSendRefusesWhatCannotBeSent(t *testing.T) {
	e := newEnv(t, setup{})
	tests := []struct {
		name string
		msg  *kefu.WireMessage
	}{
		{"nil", nil},
		{"no openid", &kefu.WireMessage{Content: kefu.Content{Kind: kefu.KindText, Text: "hi"}}},
		{"image without media_id", &kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindImage, Media: "k"}}},
		{"card without thumb", &kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindCard, Title: "t", PagePath: "p"}}},
		{"inbound-only kind", &kefu.WireMessage{OpenID: "u1", Content: kefu.Content{Kind: kefu.KindEnter}}},
	}
	for _, tc := range tests {
		err := e.client.SendMessage(context.Background(), testApp, tc.msg)
		if kefu.ErrorCodeOf(err) != kefu.EInvalid {
			t.Errorf("%s: %v, want an EInvalid error", tc.name, err)
		}
	}
	if n := e.total(); n != 0 {
		t.Fatalf("%d requests for messages refused up front", n)
	}
}
