package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/wechat/pushreq"
	"kefu/wechat/webhook"
)

const (
	officialAppID = "wxba5fad812f8e6fb9"
	officialKey   = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	otherKey      = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
)

// server is a webhook on a real SQLite store behind a real HTTP server.
type server struct {
	t        *testing.T
	store    *sqlstore.Store
	clock    *testclock.Clock
	url      string
	observed *recorder
	nonce    int // the last nonce build used: each push gets its own, as from WeChat
}

type options struct {
	window   time.Duration
	maxBody  int64
	transfer func(*kefu.App, *kefu.Inbound) bool
}

func newServer(t *testing.T, now time.Time, o options) *server {
	t.Helper()
	clock := testclock.New(now)
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "kefu.db"), sqlstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rec := &recorder{}
	h := webhook.New(webhook.Config{
		Apps: store, Ingester: store, Clock: clock, Observer: rec,
		TimestampWindow: o.window, MaxBody: o.maxBody, Transfer: o.transfer,
		AppTTL: time.Nanosecond, // every request sees app changes at once
	})
	mux := http.NewServeMux()
	h.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return &server{t: t, store: store, clock: clock, url: ts.URL, observed: rec}
}

func (s *server) addApp(appID string, mode kefu.Mode, format kefu.Format) *kefu.App {
	s.t.Helper()
	a := &kefu.App{AppID: appID, OriginalID: "gh_97417a04a28d", Token: "AAAAA", AESKey: officialKey, Mode: mode, Format: format}
	if err := s.store.CreateApp(context.Background(), a); err != nil {
		s.t.Fatal(err)
	}
	return a
}

type response struct {
	status int
	body   string
	ctype  string
}

func (s *server) do(method, appID string, q url.Values, body []byte) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+"/wx/"+appID+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: strings.TrimSpace(string(b)), ctype: resp.Header.Get("Content-Type")}
}

func (s *server) post(appID string, r pushreq.Request) response {
	s.t.Helper()
	return s.do(http.MethodPost, appID, r.Query, r.Body)
}

// build signs a push for app in mode at the server's current time.
func (s *server) build(app *kefu.App, mode kefu.Mode, m *kefu.Inbound) pushreq.Request {
	s.t.Helper()
	signer, err := pushreq.New(app, mode)
	if err != nil {
		s.t.Fatal(err)
	}
	s.nonce++
	r, err := signer.Build(m, s.clock.Now().Unix(), strconv.Itoa(12345+s.nonce))
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *server) messages(appID string) []*kefu.Message {
	s.t.Helper()
	ms, err := s.store.Messages(context.Background(), kefu.MessageFilter{AppID: appID, Limit: 1000})
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

func text(id int64, content string) *kefu.Inbound {
	return &kefu.Inbound{ToUserName: "gh_97417a04a28d", OpenID: "o9AgO5Kd5ggOC-bXrbNODIiE3bGY", CreateTime: 1714112445,
		MsgType: "text", MsgID: id, Content: content, Kind: kefu.KindText}
}

// recorder is an Observer that remembers results.
type recorder struct {
	mu      sync.Mutex
	results []string
}

func (r *recorder) ObservePush(appID, mode, result string, latency time.Duration) {
	r.mu.Lock()
	r.results = append(r.results, mode+"/"+result)
	r.mu.Unlock()
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.results) == 0 {
		return ""
	}
	return r.results[len(r.results)-1]
}
