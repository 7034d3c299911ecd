package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"kefu"
	"kefu/bench"
)

const benchUsage = `Usage: kefu bench COMMAND [flags]

  ingest   send N signed pushes to a kefu webhook and measure throughput, ack
           latency and the server's CPU per push; --baseline adds a same-run
           baseline; afterwards checks in the store that every acknowledged push
           was stored exactly once
  send     queue N messages for many customers and let the sender deliver them to
           the simulated WeChat API over loopback: sends per second, time from
           queued to sent, and a check that each arrived exactly once
  refuse   send N requests with a wrong signature and a large nested body, and
           measure the server's CPU per refused request
`

func runBench(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "ingest":
			return benchIngest(ctx, env, args[1:])
		case "send":
			return benchSend(ctx, env, args[1:])
		case "refuse":
			return benchRefuse(ctx, env, args[1:])
		case baselineVerb: // run by --baseline in a child process
			return bench.ServeBaseline(ctx, env.stdout)
		}
	}
	fmt.Fprint(env.stderr, benchUsage)
	return errUsage
}

// baselineVerb is the hidden `kefu bench` verb that serves the baseline handler.
const baselineVerb = "baseline-server"

type ingestFlags struct {
	url, db, appID, mode  string
	n, concurrency, users int
	rate                  float64
	pid                   int
	baseline, check       bool
	timeout, maxDuration  time.Duration
}

func benchIngest(ctx context.Context, env *cmdEnv, args []string) error {
	var f ingestFlags
	fs := newFlags(env, "bench ingest", "bench ingest --url http://127.0.0.1:8080/wx/APPID --app APPID [flags]")
	fs.StringVar(&f.url, "url", "", "the push URL: http://HOST:PORT/wx/APPID (loopback)")
	dbFlagVar(fs, &f.db)
	fs.StringVar(&f.appID, "app", "", "the app to push as (its token and key are read from --db)")
	fs.StringVar(&f.mode, "mode", "", "push in this mode instead of the app's: plain, compat, secure")
	fs.IntVar(&f.n, "n", 20000, "pushes to send")
	fs.IntVar(&f.concurrency, "c", 64, "connections")
	fs.Float64Var(&f.rate, "rate", 0, "offered pushes per second; 0 for a closed loop")
	fs.IntVar(&f.users, "users", 1000, "distinct simulated users")
	fs.IntVar(&f.pid, "pid", 0, "the server's process id, to measure its CPU per push and peak RSS")
	fs.BoolVar(&f.baseline, "baseline", false, "first measure, in the same run, a server process whose handler only answers success")
	fs.BoolVar(&f.check, "check", true, "afterwards check through --db that every acknowledged push is stored exactly once")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "per-push timeout (WeChat waits 5 s)")
	fs.DurationVar(&f.maxDuration, "max-duration", 3*time.Minute, "stop sending after this long")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if f.url == "" || f.appID == "" {
		fmt.Fprintln(env.stderr, "kefu bench ingest: --url and --app are required")
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, f.maxDuration)
	defer cancel()
	store, app, err := openAppStore(ctx, f.db, f.appID)
	if err != nil {
		return err
	}
	defer store.Close()
	mode := app.Mode
	if f.mode != "" {
		if mode, err = kefu.ParseMode(f.mode); err != nil {
			return err
		}
	}
	load := bench.Load{URL: f.url, Concurrency: f.concurrency, Rate: f.rate, Timeout: f.timeout}
	fmt.Fprintf(env.stdout, "ingest: %d pushes, %s, mode %s, format %s, %d connections, %s\n",
		f.n, f.url, mode, app.Format, f.concurrency, rateText(f.rate))

	var base *phase
	if f.baseline {
		if base, err = runBaseline(ctx, app, mode, f, load); err != nil {
			return err
		}
	}
	target, err := runPhase(ctx, app, mode, f, load, f.pid)
	if err != nil {
		return err
	}
	if base != nil {
		base.print(env.stdout, "baseline")
	}
	target.print(env.stdout, "kefu")
	if base != nil {
		fmt.Fprintf(env.stdout, "%-9s throughput %.2f× baseline", "ratio", target.result.Throughput()/base.result.Throughput())
		if target.serverCPU > 0 && base.serverCPU > 0 {
			fmt.Fprintf(env.stdout, ", server CPU per push %.2f× baseline", float64(target.serverCPU)/float64(base.serverCPU))
		}
		fmt.Fprintln(env.stdout)
	}
	if f.check {
		return checkStored(ctx, env.stdout, store, app.AppID, target)
	}
	return nil
}

func rateText(rate float64) string {
	if rate <= 0 {
		return "closed loop"
	}
	return fmt.Sprintf("offered %.0f/s", rate)
}

// phase is one measured run.
type phase struct {
	result    bench.Result
	pushes    []bench.Push
	serverCPU time.Duration // per acknowledged push; 0 if not measured
	genCPU    time.Duration // the generator's own CPU per push
	peakRSS   int64
}

func runPhase(ctx context.Context, app *kefu.App, mode kefu.Mode, f ingestFlags, load bench.Load, pid int) (*phase, error) {
	pushes, err := bench.BuildPushes(app, mode, f.n, f.users, time.Now())
	if err != nil {
		return nil, err
	}
	p := &phase{pushes: pushes}
	self, err := bench.StartCPU(0)
	if err != nil {
		return nil, err
	}
	var server *bench.CPUMeter
	if pid > 0 {
		if server, err = bench.StartCPU(pid); err != nil {
			return nil, fmt.Errorf("--pid %d: %w", pid, err)
		}
	}
	p.result = bench.Send(ctx, load, pushes)
	genCPU, _ := self.Stop()
	p.genCPU = perPush(genCPU, p.result.Sent)
	if server != nil {
		cpu, err := server.Stop()
		if err != nil {
			return nil, err
		}
		p.serverCPU = perPush(cpu, p.result.Sent)
		p.peakRSS, _ = server.PeakRSS()
	}
	return p, nil
}

// runBaseline measures the baseline handler, served by a child process of this
// binary so that its CPU and memory are measured apart from the generator's.
func runBaseline(ctx context.Context, app *kefu.App, mode kefu.Mode, f ingestFlags, load bench.Load) (*phase, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, err := bench.StartBaseline(self, "bench", baselineVerb)
	if err != nil {
		return nil, err
	}
	defer b.Stop()
	load.URL = b.URL
	return runPhase(ctx, app, mode, f, load, b.PID)
}

func perPush(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

func (p *phase) print(w io.Writer, name string) {
	r := p.result
	fmt.Fprintf(w, "%-9s %d sent, %d success, %d non-success in %.2fs: %.0f pushes/s; ack p50 %s p90 %s p99 %s max %s\n",
		name, r.Sent, r.Acked(), r.NonSuccess(), r.Elapsed.Seconds(), r.Throughput(),
		ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
	if r.FirstError != "" {
		fmt.Fprintf(w, "%-9s first failure: %s\n", "", r.FirstError)
	}
	if p.serverCPU > 0 {
		fmt.Fprintf(w, "%-9s server CPU %s per push; generator CPU %s per push", "", us(p.serverCPU), us(p.genCPU))
		if p.peakRSS > 0 {
			fmt.Fprintf(w, "; server peak RSS %.1f MiB", float64(p.peakRSS)/(1<<20))
		}
		fmt.Fprintln(w)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond)) }

// checkStored verifies exactly-once ingest: every push answered "success" is stored
// once, and no push is stored twice. It counts rows by MsgId, which no unique index
// constrains: by dedup key, a push stored twice under two keys would go unseen.
func checkStored(ctx context.Context, w io.Writer, store kefu.MessageStore, appID string, p *phase) error {
	ids := make([]int64, len(p.pushes))
	for i, push := range p.pushes {
		ids[i] = push.MsgID
	}
	counts, err := store.CountByWxMsgID(ctx, appID, ids)
	if err != nil {
		return err
	}
	missing, doubled := 0, 0
	for _, i := range p.result.AckedIndexes {
		if counts[ids[i]] == 0 {
			missing++
		}
	}
	for _, n := range counts {
		if n > 1 {
			doubled++
		}
	}
	fmt.Fprintf(w, "%-9s %d acknowledged pushes: %d missing from the store, %d stored more than once\n",
		"check", len(p.result.AckedIndexes), missing, doubled)
	if missing > 0 || doubled > 0 {
		return fmt.Errorf("exactly-once check failed")
	}
	return nil
}
