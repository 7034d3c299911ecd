package main

import (
	"context"
	"fmt"
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
  seed     write a large history (a million messages by default) straight into
           the database, for the console's read benchmark
  console  with N agents on the console's event stream, push at a rate and
           measure the time from push to every agent's screen and the server's
           CPU; --reads N instead times the conversation list and history
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
		case "seed":
			return benchSeed(ctx, env, args[1:])
		case "console":
			return benchConsole(ctx, env, args[1:])
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
	cfg := bench.IngestConfig{URL: f.url, App: app, Mode: app.Mode, N: f.n, Users: f.users,
		Concurrency: f.concurrency, Rate: f.rate, Timeout: f.timeout, PID: f.pid}
	if f.mode != "" {
		if cfg.Mode, err = kefu.ParseMode(f.mode); err != nil {
			return err
		}
	}
	if f.baseline {
		cfg.BaselineArgs = []string{"bench", baselineVerb}
	}
	if f.check {
		cfg.Store = store
	}
	return bench.RunIngest(ctx, cfg, env.stdout)
}
