package main

import (
	"context"
	"fmt"
	"time"

	"kefu/bench"
)

// benchSeed writes a large history straight into the database, for the console's
// read benchmark.
func benchSeed(ctx context.Context, env *cmdEnv, args []string) error {
	var db, appID string
	var messages, customers int
	fs := newFlags(env, "bench seed", "bench seed --app APPID [flags]")
	dbFlagVar(fs, &db)
	fs.StringVar(&appID, "app", "", "the mini program whose history to write")
	fs.IntVar(&messages, "messages", 1000000, "messages in all")
	fs.IntVar(&customers, "customers", 10000, "customers, each with one conversation")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if appID == "" {
		fmt.Fprintln(env.stderr, "kefu bench seed: --app is required")
		return errUsage
	}
	store, app, err := openAppStore(ctx, db, appID)
	if err != nil {
		return err
	}
	defer store.Close()
	return bench.RunSeed(ctx, bench.SeedConfig{Store: store, App: app, Messages: messages, Customers: customers}, env.stdout)
}

// benchConsole measures the console against a running kefu: the time from a push
// to its message on every agent's event stream, and (with --reads) the latency of
// the conversation list and history.
func benchConsole(ctx context.Context, env *cmdEnv, args []string) error {
	var url, db, appID string
	var agents, pid, reads int
	var rate float64
	var duration time.Duration
	fs := newFlags(env, "bench console", "bench console --url http://127.0.0.1:8080 --app APPID [flags]")
	fs.StringVar(&url, "url", "", "kefu's base URL (loopback): http://HOST:PORT")
	dbFlagVar(fs, &db)
	fs.StringVar(&appID, "app", "", "the mini program to push as; its agents are added to --db")
	fs.IntVar(&agents, "agents", 200, "agents following the event stream")
	fs.Float64Var(&rate, "rate", 500, "pushes per second")
	fs.DurationVar(&duration, "duration", 20*time.Second, "how long to push")
	fs.IntVar(&pid, "pid", 0, "the server's process id, to measure its CPU and peak RSS")
	fs.IntVar(&reads, "reads", 0, "instead of the stream: time this many requests each of the list, history and an older page (after kefu bench seed)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if url == "" || appID == "" {
		fmt.Fprintln(env.stderr, "kefu bench console: --url and --app are required")
		return errUsage
	}
	store, app, err := openAppStore(ctx, db, appID)
	if err != nil {
		return err
	}
	defer store.Close()
	if reads > 0 {
		return bench.RunReads(ctx, bench.ReadsConfig{URL: url, Store: store, App: app, Requests: reads}, env.stdout)
	}
	if rate <= 0 || agents <= 0 || duration <= 0 {
		return fmt.Errorf("--rate, --agents and --duration must be positive")
	}
	return bench.RunConsole(ctx, bench.ConsoleConfig{URL: url, Store: store, App: app, Agents: agents, Rate: rate, Duration: duration, PID: pid}, env.stdout)
}
