package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Load says how to send prepared pushes.
type Load struct {
	URL         string  // the push URL, without query
	Concurrency int     // connections
	Rate        float64 // pushes per second offered; 0 sends closed-loop
	Timeout     time.Duration
}

// Result is what one run measured.
type Result struct {
	Sent  int
	Start time.Time // push i was due at Start + i/Rate (with a Rate)
	// Elapsed is from Start until the last answer.
	Elapsed time.Duration
	Latency Latencies
	// AckedIndexes are the indexes of the pushes answered "success".
	AckedIndexes []int
	FirstError   string
}

// Throughput is acknowledged pushes per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Acked()) / r.Elapsed.Seconds()
}

// Acked counts the pushes answered 200 "success".
func (r Result) Acked() int { return len(r.AckedIndexes) }

// NonSuccess counts the pushes sent but given any other answer, or none.
func (r Result) NonSuccess() int { return r.Sent - r.Acked() }

// Send sends every push once and measures the answers. In closed loop each
// connection sends its next push when the previous one is answered; at an offered
// rate, push i is due at start+i/rate and its latency counts from then, so a server
// that falls behind is charged for the queue it causes.
func Send(ctx context.Context, load Load, pushes []Push) Result {
	if load.Concurrency <= 0 {
		load.Concurrency = 1
	}
	if load.Timeout <= 0 {
		load.Timeout = 5 * time.Second
	}
	client := &http.Client{
		Timeout: load.Timeout,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: load.Concurrency,
			MaxConnsPerHost:     load.Concurrency,
			DisableCompression:  true,
		},
	}
	defer client.CloseIdleConnections()

	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, len(pushes))
	latencies := make([]time.Duration, len(pushes))
	ok := make([]bool, len(pushes))
	sent := make([]bool, len(pushes))
	var firstErr sync.Once
	var res Result
	var wg sync.WaitGroup
	start := time.Now()
	res.Start = start
	for range load.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if j.due.IsZero() {
					j.due = time.Now()
				}
				good, err := sendOne(ctx, client, load.URL, pushes[j.i])
				latencies[j.i] = time.Since(j.due)
				ok[j.i], sent[j.i] = good, true
				if err != nil {
					firstErr.Do(func() { res.FirstError = err.Error() })
				}
			}
		}()
	}
	schedule(ctx, jobs, len(pushes), load.Rate, start, func(i int, due time.Time) job { return job{i, due} })
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	var acked []time.Duration
	for i := range pushes {
		if !sent[i] {
			continue // the context ended first
		}
		res.Sent++
		if ok[i] {
			res.AckedIndexes = append(res.AckedIndexes, i)
			acked = append(acked, latencies[i])
		}
	}
	res.Latency = Summarise(acked)
	return res
}

// schedule queues n jobs: all at once in closed loop, or each at its due time.
func schedule[J any](ctx context.Context, jobs chan<- J, n int, rate float64, start time.Time, mk func(int, time.Time) J) {
	if rate <= 0 {
		for i := range n {
			if ctx.Err() != nil {
				return
			}
			jobs <- mk(i, time.Time{})
		}
		return
	}
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; i < n; {
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		for ; i < n; i++ {
			due := start.Add(time.Duration(i) * interval)
			if due.After(now) {
				break
			}
			jobs <- mk(i, due)
		}
		if i < n {
			time.Sleep(min(time.Until(start.Add(time.Duration(i)*interval)), time.Millisecond))
		}
	}
}

func sendOne(ctx context.Context, client *http.Client, url string, p Push) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"?"+p.Request.Query.Encode(), bytes.NewReader(p.Request.Body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", p.Request.ContentType)
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK || string(body) != "success" {
		return false, fmt.Errorf("HTTP %d: %.100s", resp.StatusCode, body)
	}
	return true, nil
}
