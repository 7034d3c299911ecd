package sim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/store/sqlstore"
	"kefu/wechat/webhook"
)

// kefuServer is kefu's real webhook on a real SQLite store, on loopback.
type kefuServer struct {
	store *sqlstore.Store
	url   string // the developer URL of pushApp
}

// startKefu serves kefu's webhook; wrap, if set, stands between the network and it.
func startKefu(t *testing.T, st *testSim, app kefu.App, transfer func(*kefu.App, *kefu.Inbound) bool, wrap func(http.Handler) http.Handler) *kefuServer {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "kefu.db"), sqlstore.Options{Clock: st.Clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.CreateApp(ctx, &app); err != nil {
		t.Fatal(err)
	}
	h := webhook.New(webhook.Config{Apps: store, Ingester: store, Clock: st.Clock,
		TimestampWindow: 5 * time.Minute, Transfer: transfer})
	mux := http.NewServeMux()
	h.Register(mux)
	var handler http.Handler = mux
	if wrap != nil {
		handler = wrap(mux)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &kefuServer{store: store, url: srv.URL + "/wx/" + app.AppID}
}

// holdFirst delays the first request until the simulator has given up on it, then
// lets kefu process it anyway (as a slow server would) before any retry is let
// through, so the retry meets a message already stored.
func holdFirst(t *testing.T, firstAnswer chan<- string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var once sync.Once
		firstDone := make(chan struct{})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			first := false
			once.Do(func() { first = true })
			if !first {
				<-firstDone
				next.ServeHTTP(w, r)
				return
			}
			defer close(firstDone)
			// The server notices a client gone only once the body is read.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			<-r.Context().Done() // the simulator's attempt timed out
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
			firstAnswer <- rec.Body.String()
		})
	}
}

// The round trip: a simulated user writes to kefu, the first attempt times
// out (kefu stores the message late), the second is answered success as a
// duplicate, and kefu holds the message exactly once.
func TestRoundTripFirstAttemptTimesOut(t *testing.T) {
	for _, c := range []struct {
		mode   kefu.Mode
		format kefu.Format
	}{{kefu.ModeSecure, kefu.FormatJSON}, {kefu.ModePlain, kefu.FormatXML}} {
		t.Run(string(c.mode)+"/"+string(c.format), func(t *testing.T) {
			st := startTestSim(t, testSimOptions{Options: Options{AttemptTimeout: testAttemptTimeout}})
			app := pushApp(c.mode, c.format)
			firstAnswer := make(chan string, 1)
			k := startKefu(t, st, app, nil, holdFirst(t, firstAnswer))
			if err := st.Sim.AddEndpoint(Endpoint{App: app, URL: k.url}, ""); err != nil {
				t.Fatal(err)
			}

			res := mustPush(t)(st.Sim.Text(t.Context(), pushAppID, pushUser, "我的订单没到 <急>"))
			if res.Outcome != Delivered || res.Attempts != 2 || res.Body != "success" {
				t.Fatalf("result %+v", res)
			}
			if a := <-firstAnswer; a != "success" {
				t.Fatalf("kefu answered the held first attempt %q", a)
			}
			msgs, err := k.store.Messages(context.Background(), kefu.MessageFilter{AppID: pushAppID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 {
				t.Fatalf("kefu stored %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.WxMsgID != res.MsgID || m.OpenID != pushUser || m.Kind != kefu.KindText || m.Content != "我的订单没到 <急>" {
				t.Fatalf("stored %+v", m)
			}
			if n := len(st.Sim.Notices(pushAppID, pushUser)); n != 0 {
				t.Fatalf("%d notices", n)
			}
		})
	}
}

// kefu's own transfer reply, encrypted in secure mode, satisfies the simulator.
func TestRoundTripKefuTransfer(t *testing.T) {
	for _, format := range []kefu.Format{kefu.FormatJSON, kefu.FormatXML} {
		t.Run(string(format), func(t *testing.T) {
			st := startTestSim(t, testSimOptions{Options: Options{AttemptTimeout: testAttemptTimeout}})
			app := pushApp(kefu.ModeSecure, format)
			wantsHuman := func(_ *kefu.App, m *kefu.Inbound) bool { return strings.Contains(m.Content, "人工") }
			k := startKefu(t, st, app, wantsHuman, nil)
			if err := st.Sim.AddEndpoint(Endpoint{App: app, URL: k.url}, ""); err != nil {
				t.Fatal(err)
			}
			if res := mustPush(t)(st.Sim.Enter(t.Context(), pushAppID, pushUser, "home")); res.Outcome != Delivered {
				t.Fatalf("enter: %+v", res)
			}
			if res := mustPush(t)(st.Sim.Text(t.Context(), pushAppID, pushUser, "转人工")); res.Outcome != Transferred || res.Attempts != 1 {
				t.Fatalf("transfer: %+v", res)
			}
			if s := st.Sim.WebToolState(pushAppID, pushUser); s != WebToolWaiting {
				t.Fatalf("web tool state %s", s)
			}
		})
	}
}
