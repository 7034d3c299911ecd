package web

import (
	"net/http"
	"time"
)

// Deadlines bound how long one request may take to arrive and to be answered.
// The server's own timeouts are one size for every route; each route sets what
// suits it, so that a push is answered briskly while an image download may take a
// minute, and so that no slow client holds a connection (and the image it is being
// sent) for ever.
type Deadlines struct {
	Read  time.Duration // the request body; 0 leaves the server's
	Write time.Duration // the answer; 0 leaves the server's
}

// Wrap returns h with d applied to every request.
func (d Deadlines) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		// Errors mean the connection cannot take deadlines (a test recorder, say);
		// the server's own timeouts still hold then.
		if d.Read > 0 {
			rc.SetReadDeadline(now.Add(d.Read))
		}
		if d.Write > 0 {
			rc.SetWriteDeadline(now.Add(d.Write))
		}
		h.ServeHTTP(w, r)
	})
}
