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
// once per push; or, with app nil, an appid that is not registered.
type appEntry struct {
	app     *kefu.App
	cipher  *crypt.Cipher // nil when the app has no key
	fetched time.Time
}

// maxUnknown bounds how many unregistered appids are remembered at once; past it
// they are all forgotten, so invented appids cannot grow the cache.
const maxUnknown = 4096

// appCache keeps apps for a short while: a push must not cost a database read, yet a
// change made with `kefu app update` in another process must apply within ttl (WeChat
// applies a console change immediately, so the lag is kept small). Appids that are
// not registered are remembered as briefly, so that requests to an invented one do
// not each cost a database read either.
type appCache struct {
	lookup AppLookup
	clock  kefu.Clock
	ttl    time.Duration

	mu      sync.Mutex
	entries map[string]*appEntry
	unknown int // entries with app nil
}

func newAppCache(lookup AppLookup, clock kefu.Clock, ttl time.Duration) *appCache {
	return &appCache{lookup: lookup, clock: clock, ttl: ttl, entries: map[string]*appEntry{}}
}

var errNotRegistered = kefu.Errorf(kefu.ENotFound, "app not registered")

func (c *appCache) get(ctx context.Context, appID string) (*appEntry, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[appID]
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.ttl && now.Sub(e.fetched) >= 0 {
		if e.app == nil {
			return nil, errNotRegistered
		}
		return e, nil
	}
	app, err := c.lookup.App(ctx, appID)
	if kefu.ErrorCodeOf(err) == kefu.ENotFound {
		c.put(appID, &appEntry{fetched: now})
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if ok && e.app != nil && sameSettings(e.app, app) {
		e = &appEntry{app: app, cipher: e.cipher, fetched: now}
	} else {
		e = &appEntry{app: app, fetched: now}
		if app.AESKey != "" {
			// Validated on the way in; a key that still fails leaves the app able
			// to take plaintext pushes only.
			e.cipher, _ = crypt.NewCipher(app.AppID, app.AESKey, app.PrevAESKey)
		}
	}
	c.put(appID, e)
	return e, nil
}

func (c *appCache) put(appID string, e *appEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[appID]; ok && old.app == nil {
		c.unknown--
	}
	if e.app == nil {
		if c.unknown >= maxUnknown {
			for id, old := range c.entries {
				if old.app == nil {
					delete(c.entries, id)
				}
			}
			c.unknown = 0
		}
		c.unknown++
	}
	c.entries[appID] = e
}

func sameSettings(a, b *kefu.App) bool {
	return a.AESKey == b.AESKey && a.PrevAESKey == b.PrevAESKey
}
