package main

import (
	"context"
	"os"
	"runtime/pprof"
	"time"

	"kefu/bench"
)

// benchSend measures the sender against the simulated WeChat API (bench.RunSend).
func benchSend(ctx context.Context, env *cmdEnv, args []string) error {
	var cfg bench.SendConfig
	var maxDuration time.Duration
	var cpuProfile string
	fs := newFlags(env, "bench send", "bench send [flags]")
	fs.StringVar(&cfg.DB, "db", "", "database (default: a new SQLite file in a temporary directory)")
	fs.IntVar(&cfg.N, "n", 5000, "messages to send")
	fs.IntVar(&cfg.Customers, "customers", 200, "customers the messages are spread over (each customer's go in order)")
	fs.IntVar(&cfg.Workers, "workers", 8, "the sender's concurrency (--send-workers of serve)")
	fs.IntVar(&cfg.Enqueuers, "enqueuers", 8, "goroutines queueing messages (agents pressing send)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "messages queued per second; 0 queues them all at once")
	fs.DurationVar(&cfg.APILatency, "api-latency", 0, "latency the simulated WeChat API adds to each call")
	fs.Float64Var(&cfg.SystemErrors, "system-errors", 0, "share of API calls answered -1 (retried)")
	fs.Float64Var(&cfg.DropReplies, "drop-replies", 0, "share of sends whose answer is lost after delivery (never resent)")
	fs.DurationVar(&maxDuration, "max-duration", 3*time.Minute, "give up after this long")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if cpuProfile != "" {
		out, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithTimeout(ctx, maxDuration)
	defer cancel()
	return bench.RunSend(ctx, cfg, env.stdout)
}
