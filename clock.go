package kefu

import "time"

// Clock tells the time. Everything that applies a time rule (the 48 h and 1 min reply
// windows, timestamp checks) takes a Clock so tests can move time without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
