package sim

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// SetFaults replaces the fault injection; requests already past a check keep what
// they saw. The daily send count is kept.
func (a *API) SetFaults(f Faults) {
	a.faultMu.Lock()
	a.faults = f.clamped()
	a.faultMu.Unlock()
}

// Faults returns the fault injection in force.
func (a *API) Faults() Faults {
	a.faultMu.Lock()
	defer a.faultMu.Unlock()
	return a.faults
}

// chance is true for a share of calls; 0 never, 1 always.
func chance(share float64) bool {
	return share > 0 && rand.Float64() < share
}

// day names the clock's day in DayZone, for the daily counters.
func (a *API) day(t time.Time) string {
	return t.In(a.opts.DayZone).Format(time.DateOnly)
}

// overDailySendLimit counts one send call and reports whether it is past
// Faults.DailySendLimit for the day.
func (a *API) overDailySendLimit() bool {
	today := a.day(a.now())
	a.faultMu.Lock()
	defer a.faultMu.Unlock()
	if a.sendDay != today {
		a.sendDay, a.sends = today, 0
	}
	a.sends++
	return a.faults.DailySendLimit > 0 && a.sends > a.faults.DailySendLimit
}

// dropReply closes the client's connection without an answer: over HTTP/1 by
// hijacking it, otherwise by aborting the handler (HTTP/2 resets the stream).
func dropReply(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
