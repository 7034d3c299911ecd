package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// SendConfig is one run of the sender benchmark (kefu bench send).
type SendConfig struct {
	DB           string  // the database; "" for a new SQLite file in a temporary directory
	N            int     // messages to send
	Customers    int     // customers the messages are spread over
	Workers      int     // the sender's concurrency
	Enqueuers    int     // goroutines queueing messages
	Rate         float64 // messages queued per second; 0 queues them all at once
	APILatency   time.Duration
	SystemErrors float64 // share of API calls answered -1, which the sender retries
	DropReplies  float64 // share of sends whose answer is lost after delivery
}

// RunSend measures the sender: cfg.N messages queued for many customers, delivered
// by the worker over loopback HTTP to the simulated WeChat API, each checked to
// have arrived exactly once. It writes sends per second and the time from queued to
// sent to w, and fails when a message arrived twice or a sent one never arrived, or
// when not every message ended before ctx did.
func RunSend(ctx context.Context, cfg SendConfig, w io.Writer) error {
	if cfg.N < 1 || cfg.Customers < 1 || cfg.Workers < 1 || cfg.Enqueuers < 1 {
		return fmt.Errorf("--n, --customers, --workers and --enqueuers must be positive")
	}
	b, err := newSendBench(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.close()
	res, err := b.run(ctx)
	if err != nil {
		return err
	}
	res.print(w, cfg)
	if res.duplicates > 0 || res.missing > 0 {
		return fmt.Errorf("%d messages arrived twice and %d sent ones never arrived", res.duplicates, res.missing)
	}
	return nil
}
