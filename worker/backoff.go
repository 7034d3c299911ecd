package worker

import "time"

// backoff is the wait before attempt n+1 after n failed attempts: base doubled per
// attempt, at most ceiling. Deterministic, so that tests move a test clock by it.
func backoff(n int, base, ceiling time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}
