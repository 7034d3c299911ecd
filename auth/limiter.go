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

// Allow reports whether key may try now, and if not, how long until it may.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.keys[key]
	if !ok || now.Sub(s.since) >= l.window {
		return true, 0
	}
	if s.failures < l.max {
		return true, 0
	}
	return false, s.since.Add(l.window).Sub(now)
}

// Fail records a failed attempt of key.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.keys[key]
	if !ok || now.Sub(s.since) >= l.window {
		if !ok && len(l.keys) >= l.size {
			l.evict(now)
		}
		l.keys[key] = &strike{failures: 1, since: now}
		return
	}
	s.failures++
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
