package bench

import (
	"fmt"
	"io"
	"time"
)

// sendBenchResult is what one run of the sender benchmark measured.
type sendBenchResult struct {
	queueTime, elapsed  time.Duration
	sent, failed        int
	latency             Latencies
	duplicates, missing int
	cpu                 time.Duration
}

func (r *sendBenchResult) print(w io.Writer, cfg SendConfig) {
	fmt.Fprintf(w, "messages           %d to %d customers, %d sender workers, API latency %v\n", cfg.N, cfg.Customers, cfg.Workers, cfg.APILatency)
	fmt.Fprintf(w, "queued in          %v (%.0f messages/s)\n", r.queueTime.Round(time.Millisecond), float64(cfg.N)/r.queueTime.Seconds())
	fmt.Fprintf(w, "all ended after    %v\n", r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "throughput         %.0f sends/s\n", float64(r.sent+r.failed)/r.elapsed.Seconds())
	fmt.Fprintf(w, "queued → ended     p50 %v  p90 %v  p99 %v  max %v\n",
		r.latency.P50.Round(10*time.Microsecond), r.latency.P90.Round(10*time.Microsecond),
		r.latency.P99.Round(10*time.Microsecond), r.latency.Max.Round(10*time.Microsecond))
	fmt.Fprintf(w, "outcome            %d sent, %d failed; %d arrived twice, %d sent but missing\n", r.sent, r.failed, r.duplicates, r.missing)
	fmt.Fprintf(w, "process CPU        %.0f µs per message (kefu and the simulator share the process)\n",
		float64(r.cpu.Microseconds())/float64(cfg.N))
}
