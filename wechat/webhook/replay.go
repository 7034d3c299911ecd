package webhook

import (
	"crypto/sha256"
	"sync"
	"time"
)

// sigKey names one signed URL of one app.
type sigKey struct{ appID, signature string }

type sigSeen struct {
	document [sha256.Size]byte // the hash of the push's document
	until    time.Time
}

// replayCache remembers, until their URLs expire, the signatures of the pushes this
// process stored with the hash of their documents, so that a replayed URL carrying
// another document is refused without a database round. It is a front for the store,
// which keeps the authoritative record for every node and across restarts: an entry
// dropped here early only costs that round.
type replayCache struct {
	max int

	mu    sync.Mutex
	seen  map[sigKey]sigSeen
	order []sigKey // in the order added, which is nearly the order they expire in
}

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, seen: map[sigKey]sigSeen{}}
}

// conflicts reports whether k was stored with another document and is still in
// force at now.
func (c *replayCache) conflicts(k sigKey, push sigSeen, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.seen[k]
	return ok && !now.After(s.until) && s.document != push.document
}

// remember records that k was stored with the push's document, unless it is known
// already (a sealed push may have come first). The oldest entries go when they are
// past their time or beyond the bound.
func (c *replayCache) remember(k sigKey, push sigSeen, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) > 0 {
		oldest := c.order[0]
		if len(c.order) < c.max && !now.After(c.seen[oldest].until) {
			break
		}
		delete(c.seen, oldest)
		c.order[0] = sigKey{}
		c.order = c.order[1:]
	}
	if _, ok := c.seen[k]; ok {
		return
	}
	c.seen[k] = push
	c.order = append(c.order, k)
}
