package sim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"kefu"
)

// Every mode and format: the push is signed, encrypted where it should be, carries
// the message, and "success" ends it at the first attempt.
func TestPushSuccessEveryModeAndFormat(t *testing.T) {
	for _, mode := range []kefu.Mode{kefu.ModePlain, kefu.ModeCompat, kefu.ModeSecure} {
		for _, format := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
			t.Run(string(mode)+"/"+string(format), func(t *testing.T) {
				app := pushApp(mode, format)
				pt := newPushTest(t, app, say("success"))
				res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "你好 <world> & \"friends\""))
				if res.Outcome != Delivered || res.Attempts != 1 || res.Status != 200 || res.Body != "success" || res.MsgID == 0 {
					t.Fatalf("result %+v", res)
				}
				calls := pt.dev.got()
				if len(calls) != 1 {
					t.Fatalf("%d calls", len(calls))
				}
				m := decodePush(t, app, calls[0])
				if m.Content != "你好 <world> & \"friends\"" || m.MsgID != res.MsgID || m.OpenID != pushUser ||
					m.ToUserName != pushOrigID || m.CreateTime != pt.Clock.Now().Unix() || m.MsgType != "text" {
					t.Fatalf("pushed %+v", m)
				}
				if want := map[kefu.Format]string{kefu.FormatXML: "text/xml", kefu.FormatJSON: "application/json"}[format]; calls[0].ctype != want {
					t.Errorf("Content-Type %q, want %q", calls[0].ctype, want)
				}
				if mode == kefu.ModeSecure && bytes.Contains(calls[0].body, []byte("FromUserName")) {
					t.Errorf("secure push shows plaintext: %s", calls[0].body)
				}
				if mode != kefu.ModePlain && calls[0].query.Get("openid") != pushUser {
					t.Errorf("openid query %q", calls[0].query.Get("openid"))
				}
			})
		}
	}
}

func TestPushEmptyBodyIsDelivered(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), say(""))
	res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
	if res.Outcome != Delivered || res.Attempts != 1 {
		t.Fatalf("result %+v", res)
	}
}

// MsgIds are unique and increasing, CreateTime follows the clock.
func TestPushMsgIDsIncrease(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatJSON), say("success"))
	var last int64
	for i := range 5 {
		res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "n"))
		if res.MsgID <= last {
			t.Fatalf("push %d: MsgId %d after %d", i, res.MsgID, last)
		}
		last = res.MsgID
	}
}

func TestPushGarbledThenSuccess(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModeSecure, kefu.FormatJSON), func(n int, _ call, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			io.WriteString(w, "<html>oops</html>")
			return
		}
		io.WriteString(w, "success")
	})
	res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
	if res.Outcome != Delivered || res.Attempts != 2 || res.Reason != "" {
		t.Fatalf("result %+v", res)
	}
	if n := len(pt.Sim.Notices(pushAppID, pushUser)); n != 0 {
		t.Errorf("%d notices after a delivery", n)
	}
}

// Answers that are not "success" verbatim are abnormal.
func TestPushAbnormalAnswers(t *testing.T) {
	for name, answer := range map[string]func(int, call, http.ResponseWriter, *http.Request){
		"status 500": func(_ int, _ call, w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "success", http.StatusInternalServerError)
		},
		"redirect": func(_ int, _ call, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		},
		"success with newline": say("success\n"),
		"passive text reply":   say("<xml><ToUserName><![CDATA[" + pushUser + "]]></ToUserName><FromUserName><![CDATA[" + pushOrigID + "]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>"),
	} {
		t.Run(name, func(t *testing.T) {
			pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), answer)
			res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
			if res.Outcome != Failed || res.Attempts != 3 || res.Reason == "" {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

// Three failures: the user sees the notice, at the time of the failure, after what
// they sent.
func TestPushFailsThreeTimes(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatJSON), func(_ int, _ call, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "anyone there?"))
	if res.Outcome != Failed || res.Attempts != 3 || res.Status != 503 || !strings.Contains(res.Reason, "503") {
		t.Fatalf("result %+v", res)
	}
	if n := len(pt.dev.got()); n != 3 {
		t.Fatalf("%d deliveries, want 3", n)
	}
	notices := pt.Sim.Notices(pushAppID, pushUser)
	if len(notices) != 1 || notices[0].Text != NoticeUnavailable || !notices[0].At.Equal(pt.Clock.Now()) {
		t.Fatalf("notices %+v", notices)
	}
	chat := pt.Sim.Chat(pushAppID, pushUser)
	if len(chat) != 2 || chat[0].Sent == nil || chat[0].Sent.Text != "anyone there?" || chat[0].Sent.Outcome != Failed || chat[1].Notice == nil {
		t.Fatalf("chat %+v", chat)
	}
}

func TestPushAttemptsOption(t *testing.T) {
	dev := &fakeDev{answer: func(_ int, _ call, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }}
	srv := newServer(t, dev)
	st := startTestSim(t, testSimOptions{
		Options:   Options{Attempts: 4, AttemptTimeout: testAttemptTimeout},
		Endpoints: []Endpoint{{App: pushApp(kefu.ModePlain, kefu.FormatXML), URL: srv}},
	})
	res := mustPush(t)(st.Sim.Text(t.Context(), pushAppID, pushUser, "hi"))
	if res.Outcome != Failed || res.Attempts != 4 || len(dev.got()) != 4 {
		t.Fatalf("result %+v after %d calls", res, len(dev.got()))
	}
}

// A stalled first attempt is abandoned after AttemptTimeout and the very same
// request — body, timestamp, nonce, signatures — is sent again.
func TestPushTimeoutRetriesSameRequest(t *testing.T) {
	for _, mode := range []kefu.Mode{kefu.ModePlain, kefu.ModeSecure} {
		t.Run(string(mode), func(t *testing.T) {
			pt := newPushTest(t, pushApp(mode, kefu.FormatXML), func(n int, _ call, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					stall(w, r)
					return
				}
				io.WriteString(w, "success")
			})
			res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
			if res.Outcome != Delivered || res.Attempts != 2 {
				t.Fatalf("result %+v", res)
			}
			calls := pt.dev.got()
			if len(calls) != 2 || calls[0].rawQuery != calls[1].rawQuery || !bytes.Equal(calls[0].body, calls[1].body) {
				t.Fatalf("retry differs:\n%s %s\n%s %s", calls[0].rawQuery, calls[0].body, calls[1].rawQuery, calls[1].body)
			}
		})
	}
}

func TestPushTimeoutEveryAttemptFails(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), func(_ int, _ call, w http.ResponseWriter, r *http.Request) { stall(w, r) })
	res := mustPush(t)(pt.Sim.Text(pt.ctx, pushAppID, pushUser, "hi"))
	if res.Outcome != Failed || res.Attempts != 3 || res.Status != 0 || !strings.Contains(res.Reason, "timeout") {
		t.Fatalf("result %+v", res)
	}
	if n := len(pt.Sim.Notices(pushAppID, pushUser)); n != 1 {
		t.Fatalf("%d notices", n)
	}
}

func TestPushUnknownAppOrUser(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), say("success"))
	if _, err := pt.Sim.Text(pt.ctx, "wxnope", pushUser, "hi"); err == nil {
		t.Error("unknown app accepted")
	}
	if _, err := pt.Sim.Text(pt.ctx, pushAppID, "", "hi"); err == nil {
		t.Error("empty openid accepted")
	}
	if n := len(pt.dev.got()); n != 0 {
		t.Errorf("%d pushes", n)
	}
}

// A push cut short by the caller is no failure of the server: no notice.
func TestPushCancelledByCaller(t *testing.T) {
	pt := newPushTest(t, pushApp(kefu.ModePlain, kefu.FormatXML), func(_ int, _ call, w http.ResponseWriter, r *http.Request) { stall(w, r) })
	ctx, cancel := context.WithCancel(pt.ctx)
	done := make(chan error, 1)
	go func() {
		_, err := pt.Sim.Text(ctx, pushAppID, pushUser, "hi")
		done <- err
	}()
	pt.WaitFor(t, func() bool { return len(pt.dev.got()) == 1 }, "the first attempt")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if n := len(pt.Sim.Notices(pushAppID, pushUser)); n != 0 {
		t.Fatalf("%d notices", n)
	}
	if n := len(pt.dev.got()); n != 1 {
		t.Fatalf("%d attempts after cancelling", n)
	}
}
