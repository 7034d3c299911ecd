package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu"
)

// IngestConfig is one run of the ingest benchmark (kefu bench ingest).
type IngestConfig struct {
	URL  string    // the push URL of App on the server under test (loopback)
	App  *kefu.App // the app pushed as: its token and keys sign and encrypt the pushes
	Mode kefu.Mode // the mode pushed in, which need not be App.Mode

	N           int     // pushes to send
	Users       int     // distinct simulated users
	Concurrency int     // connections
	Rate        float64 // offered pushes per second; 0 for a closed loop
	Timeout     time.Duration

	// PID is the server's process, whose CPU per push and peak RSS are measured;
	// 0 measures neither.
	PID int
	// BaselineArgs, when set, are the arguments that make this process's own
	// executable serve BaselineHandler as ServeBaseline does (kefu's hidden
	// `bench baseline-server`). The baseline is then measured first, in that child
	// process, so that its CPU and memory are its own.
	BaselineArgs []string
	// Store, when set, is where every acknowledged push is afterwards checked to be
	// stored exactly once (CheckStored).
	Store kefu.MessageStore
}

// RunIngest sends cfg.N signed pushes to cfg.URL and writes to w the throughput,
// ack latency and, with cfg.PID, the server's CPU per push, each set against the
// baseline when one is measured. It fails only when the run cannot be made or the
// exactly-once check fails: figures are reported, never judged.
func RunIngest(ctx context.Context, cfg IngestConfig, w io.Writer) error {
	load := Load{URL: cfg.URL, Concurrency: cfg.Concurrency, Rate: cfg.Rate, Timeout: cfg.Timeout}
	fmt.Fprintf(w, "ingest: %d pushes, %s, mode %s, format %s, %d connections, %s\n",
		cfg.N, cfg.URL, cfg.Mode, cfg.App.Format, cfg.Concurrency, rateText(cfg.Rate))

	var base *phase
	var err error
	if cfg.BaselineArgs != nil {
		if base, err = runBaseline(ctx, cfg, load); err != nil {
			return err
		}
	}
	target, err := runPhase(ctx, cfg, load, cfg.PID)
	if err != nil {
		return err
	}
	if base != nil {
		base.print(w, "baseline")
	}
	target.print(w, "kefu")
	if base != nil {
		target.printRatio(w, base)
	}
	if cfg.Store != nil {
		return CheckStored(ctx, w, cfg.Store, cfg.App.AppID, target.pushes, target.result)
	}
	return nil
}
