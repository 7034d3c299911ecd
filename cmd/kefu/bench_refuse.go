package main

import (
	"context"
	"fmt"
	"time"

	"kefu"
	"kefu/bench"
)

// benchRefuse measures what requests with a wrong signature cost the server: each
// carries a large, deeply nested body that a server parsing before it verifies
// would have to read and parse.
func benchRefuse(ctx context.Context, env *cmdEnv, args []string) error {
	var url, format string
	var n, concurrency, size, pid int
	fs := newFlags(env, "bench refuse", "bench refuse --url http://127.0.0.1:8080/wx/APPID --pid PID [flags]")
	fs.StringVar(&url, "url", "", "the push URL of a registered app: http://HOST:PORT/wx/APPID (loopback)")
	fs.IntVar(&n, "n", 2000, "requests to send")
	fs.IntVar(&concurrency, "c", 8, "connections")
	fs.IntVar(&size, "size", 1<<20, "body size in bytes")
	fs.StringVar(&format, "format", "json", "body format: json (nested arrays) or xml (nested elements)")
	fs.IntVar(&pid, "pid", 0, "the server's process id, to measure its CPU per request")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if url == "" {
		fmt.Fprintln(env.stderr, "kefu bench refuse: --url is required")
		return errUsage
	}
	f, err := kefu.ParseFormat(format)
	if err != nil {
		return err
	}
	reqs := bench.BuildRefused(n, size, f, time.Now())
	var server *bench.CPUMeter
	if pid > 0 {
		if server, err = bench.StartCPU(pid); err != nil {
			return fmt.Errorf("--pid %d: %w", pid, err)
		}
	}
	r := bench.Send(ctx, bench.Load{URL: url, Concurrency: concurrency, Timeout: 30 * time.Second}, reqs)
	fmt.Fprintf(env.stdout, "refuse: %d requests of %d bytes (%s, nested), wrong signature, %d connections: %d answered success, %d refused or failed, in %.2fs\n",
		r.Sent, size, f, concurrency, r.Acked(), r.NonSuccess(), r.Elapsed.Seconds())
	if server != nil {
		cpu, err := server.Stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "server CPU %s per request\n", us(perPush(cpu, r.Sent)))
	}
	if r.Acked() > 0 {
		return fmt.Errorf("%d requests with a wrong signature were answered success", r.Acked())
	}
	return nil
}
