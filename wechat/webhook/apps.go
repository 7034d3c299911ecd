package webhook

import (
	"context"
	"sync"
	"time"

	"kefu"
	"kefu/wechat/crypt"
)

// AppLookup finds an app by appid; kefu.AppStore satisfies it.
type AppLookup interface {
	App(ctx context.Context, appID string) (*kefu.App, error)
}

// appEntry is an app with its cipher, built once per settings change rather than
// once per push.
type appEntry struct {
	app     *kefu.App
	cipher  *crypt.Cipher // nil when the app has no key
	fetched time.Time
}

// appCache keeps apps for a short while: a push must not cost a database read, yet a
// change made with `kefu app update` in another process must apply within ttl (WeChat
// applies a console change immediately, so the lag is kept small).
type appCache struct {
	lookup AppLookup
	clock  kefu.Clock
	ttl    time.Duration

	mu      sync.Mutex
	entries map[string]*appEntry
}

func newAppCache(lookup AppLookup, clock kefu.Clock, ttl time.Duration) *appCache {
	return &appCache{lookup: lookup, clock: clock, ttl: ttl, entries: map[string]*appEntry{}}
}

func (c *appCache) get(ctx context.Context, appID string) (*appEntry, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[appID]
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.ttl && now.Sub(e.fetched) >= 0 {
		return e, nil
	}
	app, err := c.lookup.App(ctx, appID)
	if err != nil {
		return nil, err
	}
	if ok && sameSettings(e.app, app) {
		e = &appEntry{app: app, cipher: e.cipher, fetched: now}
	} else {
		e = &appEntry{app: app, fetched: now}
		if app.AESKey != "" {
			// Validated on the way in; a key that still fails leaves the app able
			// to take plaintext pushes only.
			e.cipher, _ = crypt.NewCipher(app.AppID, app.AESKey, app.PrevAESKey)
		}
	}
	c.mu.Lock()
	c.entries[appID] = e
	c.mu.Unlock()
	return e, nil
}

func sameSettings(a, b *kefu.App) bool {
	return a.AESKey == b.AESKey && a.PrevAESKey == b.PrevAESKey
}
