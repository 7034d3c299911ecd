package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"kefu"
)

func (b *sendBench) run(ctx context.Context) (*sendBenchResult, error) {
	// Every customer writes first, on both sides: WeChat's window and kefu's ledger.
	for i := range b.cfg.Customers {
		openID := b.customer(i)
		b.wx.UserMessage(sendBenchApp, openID)
		in := &kefu.Inbound{AppID: sendBenchApp, OpenID: openID, MsgType: "text", Kind: kefu.KindText,
			MsgID: time.Now().UnixNano() + int64(i), Content: "hi", CreateTime: time.Now().Unix(), ReceivedAt: time.Now()}
		if _, err := b.store.Ingest(ctx, in); err != nil {
			return nil, err
		}
	}
	cpu, err := StartCPU(os.Getpid())
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
	res.latency = Summarise(b.latencies)
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
	for range b.cfg.Enqueuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.cfg.N || ctx.Err() != nil {
					return
				}
				if b.cfg.Rate > 0 {
					due := start.Add(time.Duration(float64(i) / b.cfg.Rate * float64(time.Second)))
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
	for c := range b.cfg.Customers {
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
