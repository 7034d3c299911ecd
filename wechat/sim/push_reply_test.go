package sim

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/codec"
)

// A valid transfer reply hands the user to the web tool, in every mode and format in
// which it is valid.
func TestPushTransferAccepted(t *testing.T) {
	cases := []struct {
		mode   kefu.Mode
		format kefu.Format
		key    string // "" for a plaintext reply
	}{
		{kefu.ModePlain, kefu.FormatXML, ""},
		{kefu.ModePlain, kefu.FormatJSON, ""},
		{kefu.ModeSecure, kefu.FormatXML, pushKey},
		{kefu.ModeSecure, kefu.FormatJSON, pushKey},
		{kefu.ModeCompat, kefu.FormatXML, pushKey},
		{kefu.ModeCompat, kefu.FormatJSON, ""}, // compatible mode takes either
	}
	for _, c := range cases {
		name := string(c.mode) + "/" + string(c.format)
		if c.key == "" {
			name += "/plaintext reply"
		}
		t.Run(name, func(t *testing.T) {
			app := pushApp(c.mode, c.format)
			pt := newPushTest(t, app, transferAnswer(t, app, c.key, pushToken))
			res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "人工客服"))
			if res.Outcome != Transferred || res.Attempts != 1 {
				t.Fatalf("result %+v", res)
			}
			if st := pt.Sim.WebToolState(pushAppID, pushUser); st != WebToolWaiting {
				t.Fatalf("web tool state %s", st)
			}
			if msgs := pt.Sim.WebToolMessages(pushAppID, pushUser); len(msgs) != 1 || msgs[0].Text != "人工客服" || msgs[0].Outcome != Transferred {
				t.Fatalf("web tool got %+v", msgs)
			}
		})
	}
}

// The previous EncodingAESKey still opens replies while a key change settles.
func TestPushTransferSealedWithPreviousKey(t *testing.T) {
	app := pushApp(kefu.ModeSecure, kefu.FormatJSON)
	app.PrevAESKey = pushOtherKey
	pt := newPushTest(t, app, transferAnswer(t, app, pushOtherKey, pushToken))
	if res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi")); res.Outcome != Transferred {
		t.Fatalf("result %+v", res)
	}
}

// Transfer replies that are wrong in any way are abnormal data: retried, then the
// notice, and no web tool.
func TestPushTransferRejected(t *testing.T) {
	secure := pushApp(kefu.ModeSecure, kefu.FormatJSON)
	secureXML := pushApp(kefu.ModeSecure, kefu.FormatXML)
	plain := pushApp(kefu.ModePlain, kefu.FormatXML)
	plainJSON := pushApp(kefu.ModePlain, kefu.FormatJSON)
	cases := []struct {
		name   string
		app    kefu.App
		answer func(*testing.T) func(int, call, http.ResponseWriter, *http.Request)
		reason string
	}{
		{"unencrypted reply in secure mode", secure, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return transferAnswer(t, secure, "", "")
		}, "unencrypted"},
		{"bad signature", secure, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return transferAnswer(t, secure, pushKey, "wrong-token")
		}, "MsgSignature"},
		{"wrong key", secureXML, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return transferAnswer(t, secureXML, pushOtherKey, pushToken)
		}, "does not open"},
		{"encrypted reply in plaintext mode", plain, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return transferAnswer(t, plain, pushKey, pushToken)
		}, "plaintext mode"},
		{"XML reply to a JSON app", plainJSON, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return replyWith(t, plainJSON, func(m *kefu.Inbound) []byte { return codec.TransferReply(m, kefu.FormatXML, time.Unix(1, 0)) })
		}, "format"},
		{"to the wrong user", plain, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return replyWith(t, plain, func(m *kefu.Inbound) []byte {
				other := *m
				other.OpenID = "someone-else"
				return codec.TransferReply(&other, kefu.FormatXML, time.Unix(1, 0))
			})
		}, "ToUserName"},
		{"from the wrong account", plain, func(t *testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return replyWith(t, plain, func(m *kefu.Inbound) []byte {
				other := *m
				other.ToUserName = "gh_000000000000"
				return codec.TransferReply(&other, kefu.FormatXML, time.Unix(1, 0))
			})
		}, "FromUserName"},
		{"garbled", plainJSON, func(*testing.T) func(int, call, http.ResponseWriter, *http.Request) {
			return say(`{"MsgType":"transfer_customer_service"`)
		}, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt := newPushTest(t, c.app, c.answer(t))
			res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
			if res.Outcome != Failed || res.Attempts != 3 || !strings.Contains(res.Reason, c.reason) {
				t.Fatalf("result %+v, want Failed because of %q", res, c.reason)
			}
			if st := pt.Sim.WebToolState(pushAppID, pushUser); st != WebToolNone {
				t.Fatalf("web tool state %s", st)
			}
			if n := len(pt.Sim.Notices(pushAppID, pushUser)); n != 1 {
				t.Fatalf("%d notices", n)
			}
		})
	}
}

// replyWith answers with the body build makes from the (decoded) push.
func replyWith(t *testing.T, app kefu.App, build func(*kefu.Inbound) []byte) func(int, call, http.ResponseWriter, *http.Request) {
	return answerTo(t, app, func(m *kefu.Inbound, _ call) []byte { return build(m) })
}

// An entry event is never transferred: a transfer reply to it is abnormal.
func TestPushTransferOfEnterNotHonoured(t *testing.T) {
	app := pushApp(kefu.ModePlain, kefu.FormatXML)
	pt := newPushTest(t, app, transferAnswer(t, app, "", ""))
	res := mustPush(t)(pt.Sim.Enter(pt.ctx, pushAppID, pushUser, "from-home"))
	if res.Outcome != Failed || res.MsgID != 0 || !strings.Contains(res.Reason, "event") {
		t.Fatalf("result %+v", res)
	}
	if st := pt.Sim.WebToolState(pushAppID, pushUser); st != WebToolNone {
		t.Fatalf("web tool state %s", st)
	}
	if msgs := pt.Sim.WebToolMessages(pushAppID, pushUser); len(msgs) != 0 {
		t.Fatalf("web tool got %+v", msgs)
	}
}

// The entry event itself: its fields, no MsgId, success is enough.
func TestPushEnterEvent(t *testing.T) {
	app := pushApp(kefu.ModeCompat, kefu.FormatJSON)
	pt := newPushTest(t, app, func(_ int, _ call, w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "success") })
	res := mustPush(t)(pt.Sim.Enter(pt.ctx, pushAppID, pushUser, "order-42"))
	if res.Outcome != Delivered {
		t.Fatalf("result %+v", res)
	}
	m := decodePush(t, app, pt.dev.got()[0])
	if m.MsgType != "event" || m.Event != kefu.EventEnterSession || m.SessionFrom != "order-42" || m.MsgID != 0 {
		t.Fatalf("pushed %+v", m)
	}
}
