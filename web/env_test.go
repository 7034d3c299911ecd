package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/auth"
	"kefu/desk"
	"kefu/hub"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/wechat/api"
	"kefu/wechat/sim"
)

// The test world: two mini programs; an agent of each and an admin; a
// conversation waiting in each.
const (
	app1 = "wxwebtest00000001"
	app2 = "wxwebtest00000002"
)

type env struct {
	t     *testing.T
	clock *testclock.Clock
	store *sqlstore.Store
	desk  *desk.Desk
	hub   *hub.Hub
	srv   *server
	http  *httptest.Server
	conv1 int64 // waiting, app1
	conv2 int64 // waiting, app2
	msgID int64
}

func newEnv(t *testing.T, tweak ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clock: testclock.New(time.Now()), hub: hub.New(0)}
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "kefu.db"), sqlstore.Options{Clock: e.clock, Publisher: e.hub})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.store = s
	wx := sim.NewAPI(sim.APIOptions{Clock: e.clock})
	wxs := httptest.NewServer(wx)
	t.Cleanup(wxs.Close)
	ctx := context.Background()
	for _, id := range []string{app1, app2} {
		wx.AddApp(id, "secret")
		if err := s.CreateApp(ctx, &kefu.App{AppID: id, Secret: "secret", Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatJSON}); err != nil {
			t.Fatal(err)
		}
	}
	client := api.New(api.Config{BaseURL: wxs.URL, Clock: e.clock, Secret: func(context.Context, string) (string, error) { return "secret", nil }})
	e.desk = desk.New(desk.Config{Store: s, Clock: e.clock, Publisher: e.hub})
	cfg := Config{
		Webhook: http.NotFoundHandler(), Store: s, Desk: e.desk, Feed: e.hub, Clock: e.clock,
		Logger:   slog.New(slog.DiscardHandler),
		Outbound: &kefu.Outbound{Store: s, API: client, Clock: e.clock, Publisher: e.hub},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	e.srv = newServer(cfg)
	e.http = httptest.NewServer(http.NewCrossOriginProtection().Handler(e.srv.mux))
	t.Cleanup(e.http.Close)
	e.addAgent("a1", kefu.RoleAgent, app1)
	e.addAgent("a2", kefu.RoleAgent, app2)
	e.addAgent("boss", kefu.RoleAdmin)
	e.conv1 = e.write(app1, "oUser1", "你好")
	e.conv2 = e.write(app2, "oUser2", "在吗")
	return e
}

func (e *env) addAgent(login string, role kefu.Role, apps ...string) *kefu.Agent {
	e.t.Helper()
	hash, _ := auth.HashPassword("password of " + login)
	a := &kefu.Agent{Login: login, Name: login, Role: role, Capacity: 5, Apps: apps, PasswordHash: hash}
	if err := e.store.CreateAgent(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// write stores a customer's text and queues its conversation.
func (e *env) write(app, openID, text string) int64 {
	e.t.Helper()
	e.msgID++
	m := &kefu.Inbound{AppID: app, OpenID: openID, CreateTime: e.clock.Now().Unix(), MsgType: "text", Kind: kefu.KindText,
		MsgID: e.msgID, Content: text, Raw: []byte(text), ReceivedAt: e.clock.Now()}
	res, err := e.store.Ingest(context.Background(), m)
	if err != nil {
		e.t.Fatal(err)
	}
	ev := kefu.Event{Kind: kefu.EventMessageStored, AppID: app, OpenID: openID, ConversationID: res.ConversationID,
		MessageID: res.MessageID, MessageKind: kefu.KindText, At: m.ReceivedAt}
	if err := e.desk.OnMessage(context.Background(), ev); err != nil {
		e.t.Fatal(err)
	}
	return res.ConversationID
}

// client is a browser: cookies kept, redirects not followed, same-origin
// requests marked as a browser marks them.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
}

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn returns a client signed in as login.
func (e *env) signIn(login string) *client {
	e.t.Helper()
	c := e.anonymous()
	resp := c.form("/login", url.Values{"login": {login}, "password": {"password of " + login}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: %d", login, resp.StatusCode)
	}
	return c
}

// do sends a request; headers come as name, value pairs.
func (c *client) do(method, path string, body io.Reader, contentType string, headers ...string) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.e.http.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (c *client) get(path string) *http.Response { return c.do(http.MethodGet, path, nil, "") }

func (c *client) form(path string, v url.Values) *http.Response {
	return c.do(http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL.Path, err)
	}
	return v
}
