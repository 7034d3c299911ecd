package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu"
)

// RefuseConfig is one run of the refuse benchmark (kefu bench refuse).
type RefuseConfig struct {
	URL         string // the push URL of a registered app (loopback)
	N           int    // requests to send
	Concurrency int    // connections
	Size        int    // body size in bytes
	Format      kefu.Format
	PID         int // the server's process, whose CPU per request is measured; 0: not measured
}

// RunRefuse measures what requests with a wrong signature cost the server: each
// carries a large, deeply nested body (BuildRefused) that a server parsing before it
// verifies would have to read and parse. It writes the figures to w and fails if any
// request was answered success.
func RunRefuse(ctx context.Context, cfg RefuseConfig, w io.Writer) error {
	reqs := BuildRefused(cfg.N, cfg.Size, cfg.Format, time.Now())
	server, err := serverMeter(cfg.PID)
	if err != nil {
		return err
	}
	// A generous timeout: a server that reads and parses the body before checking
	// the signature is to be measured, not cut off.
	r := Send(ctx, Load{URL: cfg.URL, Concurrency: cfg.Concurrency, Timeout: 30 * time.Second}, reqs)
	fmt.Fprintf(w, "refuse: %d requests of %d bytes (%s, nested), wrong signature, %d connections: %d answered success, %d refused or failed, in %.2fs\n",
		r.Sent, cfg.Size, cfg.Format, cfg.Concurrency, r.Acked(), r.NonSuccess(), r.Elapsed.Seconds())
	if server != nil {
		cpu, err := server.Stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "server CPU %s per request\n", us(perPush(cpu, r.Sent)))
	}
	if r.Acked() > 0 {
		return fmt.Errorf("%d requests with a wrong signature were answered success", r.Acked())
	}
	return nil
}
