package webhook_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

func alwaysTransfer(*kefu.App, *kefu.Inbound) bool { return true }

func TestTransferReplyPlain(t *testing.T) {
	for _, format := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		s := newServer(t, time.Unix(1714112445, 0), options{transfer: alwaysTransfer})
		app := s.addApp(officialAppID, kefu.ModePlain, format)
		r := s.post(app.AppID, s.build(app, kefu.ModePlain, text(1, "人工")))
		if r.status != 200 {
			t.Fatalf("%s: %d %q", format, r.status, r.body)
		}
		got, _, err := codec.Decode([]byte(r.body), format)
		if err != nil || got.Inbound.MsgType != "transfer_customer_service" ||
			got.Inbound.ToUserName != "o9AgO5Kd5ggOC-bXrbNODIiE3bGY" || got.Inbound.OpenID != "gh_97417a04a28d" {
			t.Fatalf("%s: reply %q (%v)", format, r.body, err)
		}
		if len(s.messages(app.AppID)) != 1 {
			t.Fatalf("%s: a transferred message must still be stored", format)
		}
	}
}

// In secure mode the transfer reply is encrypted and signed (docs/protocol.md §5.5), with
// the key that opened the push.
func TestTransferReplySecure(t *testing.T) {
	for _, format := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		s := newServer(t, time.Unix(1714112445, 0), options{transfer: alwaysTransfer})
		app := s.addApp(officialAppID, kefu.ModeSecure, format)
		req := s.build(app, kefu.ModeSecure, text(1, "人工"))
		r := s.post(app.AppID, req)
		if r.status != 200 {
			t.Fatalf("%s: %d %q", format, r.status, r.body)
		}
		env, _, err := codec.Decode([]byte(r.body), format)
		if err != nil || env.Encrypt == "" {
			t.Fatalf("%s: reply is not an encrypted envelope: %q", format, r.body)
		}
		nonce := req.Query.Get("nonce")
		ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
		if !hasSignature(r.body, crypt.MsgSignature(app.Token, ts, nonce, env.Encrypt)) {
			t.Fatalf("%s: reply signature does not match: %q", format, r.body)
		}
		c, _ := crypt.NewCipher(app.AppID, app.AESKey, "")
		plain, _, err := c.Open(env.Encrypt)
		if err != nil {
			t.Fatal(err)
		}
		inner, _, err := codec.Decode(plain, format)
		if err != nil || inner.Inbound.MsgType != "transfer_customer_service" {
			t.Fatalf("%s: decrypted reply %q", format, plain)
		}
	}
}

func hasSignature(body, sig string) bool {
	return strings.Contains(body, `"MsgSignature":"`+sig+`"`) ||
		strings.Contains(body, "<MsgSignature><![CDATA["+sig+"]]></MsgSignature>")
}

// Events are never transferred: WeChat's agents would see meaningless entries.
func TestEventsNotTransferred(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{transfer: alwaysTransfer})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	enter := &kefu.Inbound{ToUserName: "gh_97417a04a28d", OpenID: "o1", CreateTime: 1714112445, MsgType: "event", Event: "user_enter_tempsession"}
	if r := s.post(app.AppID, s.build(app, kefu.ModePlain, enter)); r.status != 200 || r.body != "success" {
		t.Fatalf("%d %q", r.status, r.body)
	}
}
