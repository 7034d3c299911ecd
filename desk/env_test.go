package desk_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/desk"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/store/storetest"
)

const appID = "wxdesk0000000001"

var start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// env is a desk on a real store (SQLite, or PostgreSQL when asked) and a test
// clock; it records what the desk publishes.
type env struct {
	t     *testing.T
	clock *testclock.Clock
	store *sqlstore.Store
	desk  *desk.Desk
	msgID int64

	mu     sync.Mutex
	events []kefu.Event
}

func (e *env) Publish(events ...kefu.Event) {
	e.mu.Lock()
	e.events = append(e.events, events...)
	e.mu.Unlock()
}

func newEnv(t *testing.T, postgres bool) *env {
	t.Helper()
	e := &env{t: t, clock: testclock.New(start)}
	dsn := filepath.Join(t.TempDir(), "kefu.db")
	if postgres {
		dsn = storetest.FreshSchema(t, storetest.PostgresURL(t))
	}
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.store = s
	if err := s.CreateApp(context.Background(), &kefu.App{AppID: appID, Token: "t", Mode: kefu.ModePlain, Format: kefu.FormatJSON}); err != nil {
		t.Fatal(err)
	}
	e.desk = desk.New(desk.Config{Store: s, Clock: e.clock, Publisher: e})
	return e
}

// agent adds an agent of the app, online unless said otherwise.
func (e *env) agent(login string, capacity int, autoAccept bool, status kefu.Presence) *kefu.Agent {
	e.t.Helper()
	a := &kefu.Agent{Login: login, Name: login, Role: kefu.RoleAgent, Capacity: capacity, AutoAccept: autoAccept, Apps: []string{appID}}
	if err := e.store.CreateAgent(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	if status != kefu.Offline {
		if err := e.desk.SetStatus(context.Background(), a, status); err != nil {
			e.t.Fatal(err)
		}
	}
	return a
}

// write stores a customer's message and hands the desk its event, as the hub
// would; it returns the conversation.
func (e *env) write(openID string) int64 {
	return e.push(openID, kefu.KindText)
}

func (e *env) push(openID string, kind kefu.Kind) int64 {
	e.t.Helper()
	e.msgID++
	m := &kefu.Inbound{AppID: appID, OpenID: openID, CreateTime: e.clock.Now().Unix(), MsgType: "text",
		Kind: kind, MsgID: e.msgID, Content: fmt.Sprintf("message %d", e.msgID), ReceivedAt: e.clock.Now()}
	if kind == kefu.KindEnter {
		m.MsgType, m.Event, m.MsgID = "event", kefu.EventEnterSession, 0
	}
	res, err := e.store.Ingest(context.Background(), m)
	if err != nil {
		e.t.Fatal(err)
	}
	ev := kefu.Event{Kind: kefu.EventMessageStored, AppID: appID, OpenID: openID, ConversationID: res.ConversationID,
		MessageID: res.MessageID, MessageKind: kind, At: m.ReceivedAt}
	if err := e.desk.OnMessage(context.Background(), ev); err != nil {
		e.t.Fatal(err)
	}
	return res.ConversationID
}

func (e *env) routing(conv int64) *kefu.Routing {
	e.t.Helper()
	r, err := e.store.Routing(context.Background(), conv)
	if err != nil {
		e.t.Fatalf("routing of %d: %v", conv, err)
	}
	return r
}

// owner is the agent a conversation is with, 0 while waiting.
func (e *env) owner(conv int64) int64 {
	e.t.Helper()
	r := e.routing(conv)
	if r.State != kefu.Active {
		return 0
	}
	return r.AgentID
}

func (e *env) queue() []int64 {
	e.t.Helper()
	w, err := e.store.Waiting(context.Background(), []string{appID}, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, r := range w {
		ids = append(ids, r.ConversationID)
	}
	return ids
}

func (e *env) sweep() {
	e.t.Helper()
	if err := e.desk.Sweep(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) fresh(a *kefu.Agent) *kefu.Agent {
	e.t.Helper()
	got, err := e.store.Agent(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}
