package webhook_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"kefu"
)

// Every mode × format, end to end over HTTP: the push is answered "success", stored
// once with its content, and a retry of the same request changes nothing.
func TestModesAndFormats(t *testing.T) {
	for _, mode := range []kefu.Mode{kefu.ModePlain, kefu.ModeCompat, kefu.ModeSecure} {
		for _, format := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
			t.Run(fmt.Sprintf("%s/%s", mode, format), func(t *testing.T) {
				s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
				app := s.addApp(officialAppID, mode, format)
				req := s.build(app, mode, text(1001, "你好 <world> & ]]>"))
				for attempt := 1; attempt <= 3; attempt++ {
					r := s.post(app.AppID, req)
					if r.status != 200 || r.body != "success" {
						t.Fatalf("attempt %d: %d %q", attempt, r.status, r.body)
					}
				}
				ms := s.messages(app.AppID)
				if len(ms) != 1 {
					t.Fatalf("%d messages stored, want 1", len(ms))
				}
				if ms[0].Content != "你好 <world> & ]]>" || ms[0].WxMsgID != 1001 || ms[0].Kind != kefu.KindText {
					t.Fatalf("stored %+v", ms[0])
				}
				if got, want := s.observed.last(), string(mode)+"/duplicate"; got != want {
					t.Fatalf("observed %q, want %q", got, want)
				}
			})
		}
	}
}

// The official secure JSON example (docs/protocol.md §6 V1), byte for byte.
func TestOfficialSecureJSONPush(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
	s.addApp(officialAppID, kefu.ModeSecure, kefu.FormatJSON)
	q, _ := url.ParseQuery("signature=6c5c811b55cc85e0e1b54100749188c20beb3f5d&timestamp=1714112445&nonce=415670741&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature=046e02f8204d34f8ba5fa3b1db94908f3df2e9b3")
	body := `{"ToUserName": "gh_97417a04a28d", "Encrypt": "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="}`
	if r := s.do("POST", officialAppID, q, []byte(body)); r.status != 200 || r.body != "success" {
		t.Fatalf("%d %q", r.status, r.body)
	}
	ms := s.messages(officialAppID)
	if len(ms) != 1 || ms[0].Kind != kefu.KindDebugDemo || ms[0].OpenID != "o9AgO5Kd5ggOC-bXrbNODIiE3bGY" ||
		string(ms[0].Raw) != `{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}` {
		t.Fatalf("stored %+v", ms)
	}
}

// The official third-party-platform secure XML example (V2): the appid tail is the
// platform's, so kefu is configured with that appid.
func TestOfficialSecureXMLPush(t *testing.T) {
	s := newServer(t, time.Unix(1715943329, 0), options{window: 5 * time.Minute})
	s.addApp("wx134c8103faa5a59e", kefu.ModeSecure, kefu.FormatXML)
	q, _ := url.ParseQuery("signature=cc0c594499c1634947d5b502f158ee518947db27&timestamp=1715943329&nonce=1590219412&openid=o9AgO5Kd5ggOC-bXrbNODIiE3bGY&encrypt_type=aes&msg_signature=6c12a4205838198b8fa631b3220723bb07f1015c")
	body := "<xml>\n    <ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n    <Encrypt><![CDATA[D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg==]]></Encrypt>\n</xml>"
	if r := s.do("POST", "wx134c8103faa5a59e", q, []byte(body)); r.status != 200 || r.body != "success" {
		t.Fatalf("%d %q", r.status, r.body)
	}
	if ms := s.messages("wx134c8103faa5a59e"); len(ms) != 1 || ms[0].Kind != kefu.KindDebugDemo {
		t.Fatalf("stored %+v", ms)
	}
}

// The official plaintext example (V0, plaintext POST row).
func TestOfficialPlaintextPush(t *testing.T) {
	s := newServer(t, time.Unix(1714037059, 0), options{window: 5 * time.Minute})
	s.addApp(officialAppID, kefu.ModePlain, kefu.FormatJSON)
	q := url.Values{"signature": {"899cf89e464efb63f54ddac96b0a0a235f53aa78"}, "timestamp": {"1714037059"}, "nonce": {"486452656"}}
	body := `{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714037059,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}`
	if r := s.do("POST", officialAppID, q, []byte(body)); r.status != 200 || r.body != "success" {
		t.Fatalf("%d %q", r.status, r.body)
	}
}

// Every kind WeChat may push is stored and answered "success", including events
// that have nothing to do with customer service.
func TestEveryKindAnsweredSuccess(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{})
	app := s.addApp(officialAppID, kefu.ModeSecure, kefu.FormatXML)
	base := text(0, "")
	pushes := []*kefu.Inbound{
		{MsgType: "image", MsgID: 1, PicURL: "http://mmbiz/x.jpg", MediaID: "media1"},
		{MsgType: "miniprogrampage", MsgID: 2, Title: "商品", CardAppID: "wx1", PagePath: "pages/a", ThumbURL: "u", ThumbMediaID: "t"},
		{MsgType: "event", Event: "user_enter_tempsession", SessionFrom: "order-9"},
		{MsgType: "event", Event: "wxa_media_check"},
		{MsgType: "voice", MsgID: 3},
	}
	for i, p := range pushes {
		p.ToUserName, p.OpenID, p.CreateTime = base.ToUserName, base.OpenID, base.CreateTime+int64(i)
		if r := s.post(app.AppID, s.build(app, kefu.ModeSecure, p)); r.status != 200 || r.body != "success" {
			t.Fatalf("%s %s: %d %q", p.MsgType, p.Event, r.status, r.body)
		}
	}
	ms := s.messages(app.AppID)
	want := []kefu.Kind{kefu.KindImage, kefu.KindCard, kefu.KindEnter, kefu.KindOther, kefu.KindOther}
	if len(ms) != len(want) {
		t.Fatalf("%d stored", len(ms))
	}
	for i, m := range ms {
		if m.Kind != want[i] {
			t.Errorf("message %d kind %s, want %s", i, m.Kind, want[i])
		}
	}
	if ms[0].Fields["media_id"] != "media1" || ms[1].Fields["pagepath"] != "pages/a" || ms[2].Fields["session_from"] != "order-9" {
		t.Fatalf("fields lost: %v %v %v", ms[0].Fields, ms[1].Fields, ms[2].Fields)
	}
}
