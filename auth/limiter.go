package auth

import (
	"sync"
	"time"
)

// Limiter counts failed sign-ins per key (an address, a login) and refuses a key
// that failed too often within a window, until the window has passed since its
// first failure. It is memory only and bounded: when full, the oldest keys go.
type Limiter struct {
	max    int
	window time.Duration
	size   int

	mu   sync.Mutex
	keys map[string]*strike
}

type strike struct {
	failures int
	since    time.Time
}

// NewLimiter refuses a key after max failures within window, keeping at most size
// keys.
func NewLimiter(max int, window time.Duration, size int) *Limiter {
	return &Limiter{max: max, window: window, size: size, keys: map[string]*strike{}}
}

// Take counts an attempt of key if key may try now (counted as a failure until
// Forgive takes it back), or reports how long until it may. Counting before the
// password is checked means a burst of simultaneous attempts cannot all slip in
// before the first failure is recorded.
func (l *Limiter) Take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.keys[key]
	if !ok || now.Sub(s.since) >= l.window {
		if !ok && len(l.keys) >= l.size {
			l.evict(now)
		}
		l.keys[key] = &strike{failures: 1, since: now}
		return true, 0
	}
	if s.failures >= l.max {
		return false, s.since.Add(l.window).Sub(now)
	}
	s.failures++
	return true, 0
}

// Forgive takes back one attempt that Take counted: it succeeded, or was not
// made after all.
func (l *Limiter) Forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.keys[key]; ok && s.failures > 0 {
		s.failures--
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// evict drops expired keys, or when none has expired the oldest one.
func (l *Limiter) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for k, s := range l.keys {
		if now.Sub(s.since) >= l.window {
			delete(l.keys, k)
			continue
		}
		if oldest == "" || s.since.Before(oldestAt) {
			oldest, oldestAt = k, s.since
		}
	}
	if len(l.keys) >= l.size && oldest != "" {
		delete(l.keys, oldest)
	}
}
