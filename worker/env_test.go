package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/hub"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/store/storetest"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/worker"
)

const (
	appID  = "wxworkertest0001"
	secret = "worker-secret"
)

var start = time.Date(2025, 3, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// env is a sender and media fetcher on a SQLite file, talking over HTTP to the
// simulated WeChat API, all on one test clock.
type env struct {
	clock  *testclock.Clock
	wx     *sim.API
	server *httptest.Server
	store  *sqlstore.Store
	client *api.Client
	sender *worker.Sender
	out    *kefu.Outbound // queues replies, as the console and the CLI do
	hub    *hub.Hub
	dbPath string // a SQLite file or a postgres:// URL
	rules  kefu.QuotaRules

	mu      sync.Mutex
	done    []*kefu.Message // OnDone reports
	stop    context.CancelFunc
	stopped chan struct{}
}

type envOptions struct {
	rules     kefu.QuotaRules // zero: the defaults
	tokenMode api.TokenMode
	noRun     bool // do not start the sender
	sender    func(*worker.SenderConfig)
	postgres  bool // a fresh PostgreSQL schema instead of a SQLite file (skips without KEFU_TEST_POSTGRES)
	// pictures is the client's guarded client for picture URLs; nil: its default,
	// which refuses loopback and so every test server.
	pictures *http.Client
}

// testLease is the sending lease of the tests' senders. settle moves the test clock
// 8 s at a time while retries wait, every few milliseconds of real time: with the
// real 2-minute lease, a send that took some 30 ms on a busy machine would be taken
// for abandoned by the other node and failed. The lease itself is tested apart
// (TestRestart), with its default.
const testLease = 1000 * time.Hour

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	if o.rules == (kefu.QuotaRules{}) {
		o.rules = kefu.DefaultQuotaRules()
	}
	e := &env{clock: testclock.New(start), rules: o.rules, dbPath: filepath.Join(t.TempDir(), "kefu.db"), hub: hub.New(0)}
	if o.postgres {
		e.dbPath = storetest.FreshSchema(t, storetest.PostgresURL(t))
	}
	e.wx = sim.NewAPI(sim.APIOptions{Clock: e.clock, Rules: o.rules})
	e.wx.AddApp(appID, secret)
	e.server = httptest.NewServer(e.wx)
	t.Cleanup(e.server.Close)
	e.openStore(t)
	app := &kefu.App{AppID: appID, Secret: secret, Token: "tok", Mode: kefu.ModePlain, Format: kefu.FormatJSON}
	if err := e.store.CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	e.client = api.New(api.Config{
		BaseURL: e.server.URL, Clock: e.clock, TokenMode: o.tokenMode, Timeout: 5 * time.Second,
		PictureClient: o.pictures,
		Secret: func(ctx context.Context, id string) (string, error) {
			a, err := e.store.App(ctx, id)
			if err != nil {
				return "", err
			}
			return a.Secret, nil
		},
	})
	cfg := worker.SenderConfig{
		Store: e.store, API: e.client, Clock: e.clock, Poll: 5 * time.Millisecond,
		RetryBase: time.Second, RetryCeiling: 8 * time.Second, SendingLease: testLease,
		Events: e.hub, Publisher: e.hub,
		OnDone: func(m *kefu.Message, r kefu.DeliveryResult) {
			e.mu.Lock()
			e.done = append(e.done, m)
			e.mu.Unlock()
		},
	}
	if o.sender != nil {
		o.sender(&cfg)
	}
	e.sender = worker.NewSender(cfg)
	e.out = &kefu.Outbound{Store: e.store, API: e.client, Clock: e.clock, Publisher: e.hub}
	if !o.noRun {
		e.run(t)
	}
	return e
}

func (e *env) openStore(t *testing.T) {
	t.Helper()
	rules := e.rules
	st, err := sqlstore.Open(context.Background(), e.dbPath, sqlstore.Options{Clock: e.clock, QuotaRules: &rules, Publisher: e.hub})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	if e.out != nil {
		e.out.Store = st
	}
}

// run starts the sender until the test ends or stopSender is called.
func (e *env) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e.stop, e.stopped = cancel, make(chan struct{})
	go func() {
		defer close(e.stopped)
		e.sender.Run(ctx)
	}()
	t.Cleanup(e.stopSender)
}

func (e *env) stopSender() {
	if e.stop != nil {
		e.stop()
		<-e.stopped
		e.stop = nil
	}
}

// userWrites is a user's message as both sides see it: WeChat's window opens, and
// kefu ingests the push.
func (e *env) userWrites(t *testing.T, openID string, msgID int64) {
	t.Helper()
	if err := e.wx.UserMessage(appID, openID); err != nil {
		t.Fatal(err)
	}
	e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: openID, MsgType: "text", Kind: kefu.KindText, MsgID: msgID, Content: "hi"})
}

// userEnters is the user_enter_tempsession event on both sides.
func (e *env) userEnters(t *testing.T, openID string) {
	t.Helper()
	if err := e.wx.UserEntered(appID, openID); err != nil {
		t.Fatal(err)
	}
	e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: openID, MsgType: "event", Event: kefu.EventEnterSession, Kind: kefu.KindEnter})
}

func (e *env) ingest(t *testing.T, in *kefu.Inbound) kefu.IngestResult {
	t.Helper()
	now := e.clock.Now()
	in.CreateTime, in.ReceivedAt, in.ToUserName = now.Unix(), now, "gh_test"
	res, err := e.store.Ingest(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *env) send(t *testing.T, openID string, c kefu.Content) int64 {
	t.Helper()
	id, err := e.out.Send(context.Background(), appID, openID, c)
	if err != nil {
		t.Fatalf("Send to %s: %v", openID, err)
	}
	return id
}

func text(s string) kefu.Content { return kefu.Content{Kind: kefu.KindText, Text: s} }

// message reads one message back.
func (e *env) message(t *testing.T, id int64) *kefu.Message {
	t.Helper()
	m, err := e.store.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// settle waits until every given message has ended sent or failed. Retries come due
// on the test clock, so it moves the clock by a backoff step whenever a message
// waits for one. It polls, never sleeps a fixed time, and gives up after a minute.
func (e *env) settle(t *testing.T, ids ...int64) {
	t.Helper()
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ms, err := e.store.Messages(context.Background(), kefu.MessageFilter{AppID: appID, Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		open, waiting := 0, false
		for _, m := range ms {
			if !want[m.ID] || m.Status == kefu.StatusSent || m.Status == kefu.StatusFailed {
				continue
			}
			open++
			waiting = waiting || (m.Status == kefu.StatusQueued && m.Attempts > 0)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages still unfinished after a minute", open, len(ids))
		}
		if waiting {
			e.clock.Advance(8 * time.Second)
			e.sender.Wake()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// received counts, per text, what the simulated user got.
func (e *env) received(openID string) map[string]int {
	out := map[string]int{}
	for _, d := range e.wx.Received(appID, openID) {
		out[d.Text]++
	}
	return out
}

// receivedTexts lists, in arrival order, the texts the simulated user got.
func (e *env) receivedTexts(openID string) []string {
	var out []string
	for _, d := range e.wx.Received(appID, openID) {
		out = append(out, d.Text)
	}
	return out
}

// roundRobin has customers o0…o{customers-1} write, then queues n texts "m000",
// "m001", … to them in turn, and returns the messages' ids. The texts sort in the
// order they were queued.
func (e *env) roundRobin(t *testing.T, customers, n int) []int64 {
	t.Helper()
	for c := range customers {
		e.userWrites(t, fmt.Sprintf("o%d", c), int64(c+1))
	}
	ids := make([]int64, 0, n)
	for i := range n {
		ids = append(ids, e.send(t, fmt.Sprintf("o%d", i%customers), text(fmt.Sprintf("m%03d", i))))
	}
	return ids
}
