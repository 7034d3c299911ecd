package webhook

import (
	"sync"
	"time"
)

// pairKey names one signed URL of one app.
type pairKey struct {
	appID     string
	timestamp int64
	nonce     string
}

type pairSeen struct {
	bodyHash string
	at       time.Time
}

// replayCache remembers, for a while, the signed pairs of the pushes this process
// stored with the hash of their bodies, so that a replayed URL carrying another body
// is refused without a database round. It is a front for the store, which keeps the
// authoritative record for every node and across restarts: an entry evicted here
// early only costs that round.
type replayCache struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	seen  map[pairKey]pairSeen
	order []pairKey // oldest first: entries are added in time order
}

func newReplayCache(ttl time.Duration, max int) *replayCache {
	return &replayCache{ttl: ttl, max: max, seen: map[pairKey]pairSeen{}}
}

// conflicts reports whether k was stored with a body other than bodyHash.
func (c *replayCache) conflicts(k pairKey, bodyHash string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.seen[k]
	return ok && now.Sub(s.at) < c.ttl && s.bodyHash != bodyHash
}

// remember records that k was stored with bodyHash, unless it is known already (a
// sealed push may have come first), dropping what is too old or beyond the bound.
func (c *replayCache) remember(k pairKey, bodyHash string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) > 0 {
		oldest := c.order[0]
		if len(c.order) < c.max && now.Sub(c.seen[oldest].at) < c.ttl {
			break
		}
		delete(c.seen, oldest)
		c.order[0] = pairKey{}
		c.order = c.order[1:]
	}
	if _, ok := c.seen[k]; ok {
		return
	}
	c.seen[k] = pairSeen{bodyHash: bodyHash, at: now}
	c.order = append(c.order, k)
}
