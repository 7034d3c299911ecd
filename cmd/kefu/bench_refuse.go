package main

import (
	"context"
	"fmt"

	"kefu"
	"kefu/bench"
)

// benchRefuse measures what requests with a wrong signature cost the server
// (bench.RunRefuse).
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
	return bench.RunRefuse(ctx, bench.RefuseConfig{URL: url, N: n, Concurrency: concurrency, Size: size, Format: f, PID: pid}, env.stdout)
}
