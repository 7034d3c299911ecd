package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"kefu"
	"kefu/bench"
	"kefu/hub"
	"kefu/store/sqlstore"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/worker"
)

type sendBenchFlags struct {
	db                      string
	n, customers, workers   int
	enqueuers               int
	rate                    float64
	latency, maxDuration    time.Duration
	systemErrors, dropShare float64
	cpuProfile              string
}

// benchSend measures the sender: N messages queued for many customers, delivered by
// the worker over loopback HTTP to the simulated WeChat API, each checked to have
// arrived exactly once. It reports sends per second and the time from queued to
// sent.
func benchSend(ctx context.Context, env *cmdEnv, args []string) error {
	var f sendBenchFlags
	fs := newFlags(env, "bench send", "bench send [flags]")
	fs.StringVar(&f.db, "db", "", "database (default: a new SQLite file in a temporary directory)")
	fs.IntVar(&f.n, "n", 5000, "messages to send")
	fs.IntVar(&f.customers, "customers", 200, "customers the messages are spread over (each customer's go in order)")
	fs.IntVar(&f.workers, "workers", 8, "the sender's concurrency (--send-workers of serve)")
	fs.IntVar(&f.enqueuers, "enqueuers", 8, "goroutines queueing messages (agents pressing send)")
	fs.Float64Var(&f.rate, "rate", 0, "messages queued per second; 0 queues them all at once")
	fs.DurationVar(&f.latency, "api-latency", 0, "latency the simulated WeChat API adds to each call")
	fs.Float64Var(&f.systemErrors, "system-errors", 0, "share of API calls answered -1 (retried)")
	fs.Float64Var(&f.dropShare, "drop-replies", 0, "share of sends whose answer is lost after delivery (never resent)")
	fs.DurationVar(&f.maxDuration, "max-duration", 3*time.Minute, "give up after this long")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if f.n < 1 || f.customers < 1 || f.workers < 1 || f.enqueuers < 1 {
		return fmt.Errorf("--n, --customers, --workers and --enqueuers must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, f.maxDuration)
	defer cancel()
	r, err := newSendBench(ctx, f)
	if err != nil {
		return err
	}
	defer r.close()
	res, err := r.run(ctx)
	if err != nil {
		return err
	}
	res.print(env, f)
	if res.duplicates > 0 || res.missing > 0 {
		return fmt.Errorf("%d messages arrived twice and %d sent ones never arrived", res.duplicates, res.missing)
	}
	return nil
}

const sendBenchApp = "wxbenchsend00001"

// sendBench is one run's world: the simulated API on loopback, a store, a sender.
type sendBench struct {
	f      sendBenchFlags
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

func newSendBench(ctx context.Context, f sendBenchFlags) (*sendBench, error) {
	b := &sendBench{f: f, finished: make(chan struct{})}
	rules := kefu.DefaultQuotaRules()
	rules.UserMessage.Sends = f.n + 1 // the benchmark measures the sender, not WeChat's allowance
	b.wx = sim.NewAPI(sim.APIOptions{Rules: rules, Faults: sim.Faults{
		Latency: f.latency, SystemErrorShare: f.systemErrors, DropSendReplyShare: f.dropShare}})
	b.wx.AddApp(sendBenchApp, "bench-secret")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.srv = &http.Server{Handler: b.wx, ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	db := f.db
	if db == "" {
		if b.tmp, err = os.MkdirTemp("", "kefu-bench-send-"); err != nil {
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
	b.sender = worker.NewSender(worker.SenderConfig{Store: b.store, API: client, Concurrency: f.workers,
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
	if b.sent+b.failed == b.f.n {
		close(b.finished)
	}
}

type sendBenchResult struct {
	queueTime, elapsed  time.Duration
	sent, failed        int
	latency             bench.Latencies
	duplicates, missing int
	cpu                 time.Duration
}

func (b *sendBench) customer(i int) string { return fmt.Sprintf("obench%06d", i%b.f.customers) }

func (b *sendBench) run(ctx context.Context) (*sendBenchResult, error) {
	// Every customer writes first, on both sides: WeChat's window and kefu's ledger.
	for i := range b.f.customers {
		openID := b.customer(i)
		b.wx.UserMessage(sendBenchApp, openID)
		in := &kefu.Inbound{AppID: sendBenchApp, OpenID: openID, MsgType: "text", Kind: kefu.KindText,
			MsgID: time.Now().UnixNano() + int64(i), Content: "hi", CreateTime: time.Now().Unix(), ReceivedAt: time.Now()}
		if _, err := b.store.Ingest(ctx, in); err != nil {
			return nil, err
		}
	}
	cpu, err := bench.StartCPU(os.Getpid())
	if err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go b.sender.Run(runCtx)

	start := time.Now()
	if err := b.enqueue(ctx); err != nil {
		return nil, err
	}
	res := &sendBenchResult{queueTime: time.Since(start)}
	select {
	case <-b.finished:
	case <-ctx.Done():
		return nil, fmt.Errorf("not every message ended within --max-duration: %w", ctx.Err())
	}
	stop()
	res.cpu, _ = cpu.Stop()
	b.mu.Lock()
	res.elapsed, res.sent, res.failed = b.lastDone.Sub(start), b.sent, b.failed
	res.latency = bench.Summarise(b.latencies)
	b.mu.Unlock()
	res.duplicates, res.missing = b.check()
	return res, nil
}

// enqueue queues the n messages from several goroutines, paced by --rate if set.
func (b *sendBench) enqueue(ctx context.Context) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range b.f.enqueuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.f.n || ctx.Err() != nil {
					return
				}
				if b.f.rate > 0 {
					due := start.Add(time.Duration(float64(i) / b.f.rate * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				c := kefu.Content{Kind: kefu.KindText, Text: fmt.Sprintf("bench message %d", i)}
				if _, err := b.out.Send(ctx, sendBenchApp, b.customer(i), c); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return errors.Join(errors.New("queueing failed"), firstErr)
	}
	return nil
}

// check counts, on the simulator's side, messages that arrived twice and sent
// messages that never arrived.
func (b *sendBench) check() (duplicates, missing int) {
	seen := map[string]int{}
	for c := range b.f.customers {
		for _, d := range b.wx.Received(sendBenchApp, b.customer(c)) {
			seen[d.Text]++
		}
	}
	for _, n := range seen {
		if n > 1 {
			duplicates++
		}
	}
	arrived := len(seen)
	b.mu.Lock()
	defer b.mu.Unlock()
	// Lost answers (--drop-replies) arrive without being recorded as sent.
	if arrived < b.sent {
		missing = b.sent - arrived
	}
	return duplicates, missing
}

func (r *sendBenchResult) print(env *cmdEnv, f sendBenchFlags) {
	w := env.stdout
	fmt.Fprintf(w, "messages           %d to %d customers, %d sender workers, API latency %v\n", f.n, f.customers, f.workers, f.latency)
	fmt.Fprintf(w, "queued in          %v (%.0f messages/s)\n", r.queueTime.Round(time.Millisecond), float64(f.n)/r.queueTime.Seconds())
	fmt.Fprintf(w, "all ended after    %v\n", r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "throughput         %.0f sends/s\n", float64(r.sent+r.failed)/r.elapsed.Seconds())
	fmt.Fprintf(w, "queued → ended     p50 %v  p90 %v  p99 %v  max %v\n",
		r.latency.P50.Round(10*time.Microsecond), r.latency.P90.Round(10*time.Microsecond),
		r.latency.P99.Round(10*time.Microsecond), r.latency.Max.Round(10*time.Microsecond))
	fmt.Fprintf(w, "outcome            %d sent, %d failed; %d arrived twice, %d sent but missing\n", r.sent, r.failed, r.duplicates, r.missing)
	fmt.Fprintf(w, "process CPU        %.0f µs per message (kefu and the simulator share the process)\n",
		float64(r.cpu.Microseconds())/float64(f.n))
}
