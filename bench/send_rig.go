package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kefu"
	"kefu/hub"
	"kefu/store/sqlstore"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/worker"
)

const sendBenchApp = "wxbenchsend00001"

// sendBench is one run's world: the simulated API on loopback, a store, a sender.
type sendBench struct {
	cfg    SendConfig
	wx     *sim.API
	srv    *http.Server
	store  *sqlstore.Store
	sender *worker.Sender
	out    *kefu.Outbound
	tmp    string

	mu        sync.Mutex
	latencies []time.Duration
	lastDone  time.Time
	sent      int
	failed    int
	finished  chan struct{}
}

func newSendBench(ctx context.Context, cfg SendConfig) (*sendBench, error) {
	b := &sendBench{cfg: cfg, finished: make(chan struct{})}
	rules := kefu.DefaultQuotaRules()
	rules.UserMessage.Sends = cfg.N + 1 // the benchmark measures the sender, not WeChat's allowance
	b.wx = sim.NewAPI(sim.APIOptions{Rules: rules, Faults: sim.Faults{
		Latency: cfg.APILatency, SystemErrorShare: cfg.SystemErrors, DropSendReplyShare: cfg.DropReplies}})
	b.wx.AddApp(sendBenchApp, "bench-secret")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.srv = &http.Server{Handler: b.wx, ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	db := cfg.DB
	if db == "" {
		if b.tmp, err = os.MkdirTemp("", "kefu-bench-send-"); err != nil {
			b.close()
			return nil, err
		}
		db = filepath.Join(b.tmp, "kefu.db")
	}
	if b.store, err = sqlstore.Open(ctx, db, sqlstore.Options{QuotaRules: &rules}); err != nil {
		b.close()
		return nil, err
	}
	app := &kefu.App{AppID: sendBenchApp, Secret: "bench-secret", Token: "benchtoken", Mode: kefu.ModePlain, Format: kefu.FormatJSON}
	if err := b.store.CreateApp(ctx, app); err != nil && kefu.ErrorCodeOf(err) != kefu.EConflict {
		b.close()
		return nil, err
	}
	client := api.New(api.Config{BaseURL: "http://" + ln.Addr().String(),
		Secret: func(context.Context, string) (string, error) { return "bench-secret", nil }})
	events := hub.New(0)
	b.sender = worker.NewSender(worker.SenderConfig{Store: b.store, API: client, Concurrency: cfg.Workers,
		Events: events, RetryBase: 10 * time.Millisecond, RetryCeiling: 100 * time.Millisecond, MaxAttempts: 20, OnDone: b.done})
	b.out = &kefu.Outbound{Store: b.store, API: client, Publisher: events}
	return b, nil
}

func (b *sendBench) close() {
	b.srv.Close()
	if b.store != nil {
		b.store.Close()
	}
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

// done records one message's end; latency is from its queueing to now.
func (b *sendBench) done(m *kefu.Message, r kefu.DeliveryResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Status == kefu.StatusSent {
		b.sent++
	} else {
		b.failed++
	}
	b.latencies = append(b.latencies, r.At.Sub(m.ReceivedAt))
	b.lastDone = r.At
	if b.sent+b.failed == b.cfg.N {
		close(b.finished)
	}
}

func (b *sendBench) customer(i int) string { return fmt.Sprintf("obench%06d", i%b.cfg.Customers) }
