package bench

import (
	"slices"
	"time"
)

// Latencies summarises a run's latencies (push acks, or queued-to-sent).
type Latencies struct {
	P50, P90, P99, Max time.Duration
}

// Summarise returns the percentiles of ds.
func Summarise(ds []time.Duration) Latencies {
	if len(ds) == 0 {
		return Latencies{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return Latencies{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: s[len(s)-1]}
}
