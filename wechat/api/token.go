package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"kefu"
)

// tokenCache holds one access token per appid. Fetches are single-flight per appid:
// in classic mode every fetch supersedes the previous token, and in either mode a
// burst of callers with a cold cache must not become a burst of fetches.
type tokenCache struct {
	client *Client
	flight singleflight.Group

	mu    sync.Mutex
	byApp map[string]cachedToken
}

// cachedToken is a token and the two instants that matter to it.
type cachedToken struct {
	value     string
	refreshAt time.Time // from here on a caller fetches a new one
	expiresAt time.Time // WeChat's end of it, as expires_in told
}

// refreshRetryGap is how long a token past its refresh point is used without
// another fetch after a refresh failed, so that a WeChat outage does not turn every
// call into a fetch while the token still works.
const refreshRetryGap = 30 * time.Second

// defaultExpiresIn stands in for a missing expires_in: the documented lifetime
// (docs/protocol.md §10.5). Were it wrong, the token error path would recover.
const defaultExpiresIn = 7200 * time.Second

// maxExpiresIn (seconds) caps expires_in: WeChat's is at most 7200, and a wild value
// must neither overflow a time.Duration nor keep a token for days.
const maxExpiresIn = 86400

func (tc *tokenCache) cached(appID string) (cachedToken, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	t, ok := tc.byApp[appID]
	return t, ok
}

func (tc *tokenCache) put(appID string, t cachedToken) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.byApp == nil {
		tc.byApp = make(map[string]cachedToken)
	}
	tc.byApp[appID] = t
}

// drop forgets appID's token if it is still value, and reports whether it did. Of
// several calls refused with the same token, only the first causes a fetch; the
// others find the token it fetched.
func (tc *tokenCache) drop(appID, value string) bool {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if t, ok := tc.byApp[appID]; ok && t.value == value {
		delete(tc.byApp, appID)
		return true
	}
	return false
}

// postpone moves the refresh point of appID's token to at, if the token is still
// value: one that a call saw refused meanwhile is not put back in service.
func (tc *tokenCache) postpone(appID, value string, at time.Time) bool {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	t, ok := tc.byApp[appID]
	if !ok || t.value != value {
		return false
	}
	t.refreshAt = at
	tc.byApp[appID] = t
	return true
}

// get returns appID's token: the cached one before its refresh point, else one
// fetched by a single flight that all callers for the app share. The flight runs
// detached from ctx, so that the first caller giving up does not fail the others.
func (tc *tokenCache) get(ctx context.Context, appID string) (string, error) {
	if t, ok := tc.cached(appID); ok && tc.client.clock.Now().Before(t.refreshAt) {
		return t.value, nil
	}
	ch := tc.flight.DoChan(appID, func() (any, error) {
		return tc.refresh(context.WithoutCancel(ctx), appID)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		return "", &Error{Op: opToken, Msg: "gave up waiting for an access token: " + ctx.Err().Error(), err: ctx.Err(),
			retryable: true, reason: "The call was abandoned while waiting for an access token; nothing was sent."}
	}
}

// refresh fetches and caches appID's token. If the fetch fails while the cached
// token is only past its refresh point, not its expiry, that token serves on.
func (tc *tokenCache) refresh(ctx context.Context, appID string) (string, error) {
	c := tc.client
	now := c.clock.Now()
	old, had := tc.cached(appID)
	if had && now.Before(old.refreshAt) {
		return old.value, nil // stored by a flight that ended as this one began
	}
	value, expiresIn, err := c.fetchToken(ctx, appID)
	if err != nil {
		if had && now.Before(old.expiresAt) && tc.postpone(appID, old.value, minTime(now.Add(refreshRetryGap), old.expiresAt)) {
			c.log.Warn("wechat token refresh failed; the current token serves until it expires", "app", appID, "err", err)
			return old.value, nil
		}
		return "", err
	}
	// Kept for at least half its life: a stable token can come with an expires_in
	// barely above the margin, which must not mean a fetch on every call.
	keep := max(expiresIn-c.margin, expiresIn/2)
	tc.put(appID, cachedToken{value: value, refreshAt: now.Add(keep), expiresAt: now.Add(expiresIn)})
	c.log.Debug("wechat token fetched", "app", appID, "mode", c.mode.String(), "expires_in", int64(expiresIn/time.Second))
	return value, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// stableTokenRequest is getStableAccessToken's body (docs/protocol.md §10.6).
type stableTokenRequest struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

// fetchToken asks WeChat for a token in the client's mode. Normal mode only: force
// refresh invalidates every instance's token and is for leaks, not for errors.
func (c *Client) fetchToken(ctx context.Context, appID string) (string, time.Duration, error) {
	sctx, cancel := context.WithTimeout(ctx, c.timeout)
	secret, err := c.secret(sctx, appID)
	cancel()
	if err != nil {
		return "", 0, secretError(appID, err)
	}
	r := &request{op: opToken, limit: maxJSONAnswer, repeatable: true}
	if c.mode == TokenClassic {
		r.method, r.url = http.MethodGet, c.base+"/cgi-bin/token"
		r.query = url.Values{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {secret}}
	} else {
		body, err := json.Marshal(stableTokenRequest{GrantType: "client_credential", AppID: appID, Secret: secret})
		if err != nil {
			return "", 0, err
		}
		r.method, r.url, r.body, r.contentType = http.MethodPost, c.base+"/cgi-bin/stable_token", body, "application/json"
	}
	rep, err := c.do(ctx, r)
	if err != nil {
		return "", 0, err
	}
	a, err := parseAnswer(opToken, rep.body)
	if err != nil {
		return "", 0, err
	}
	if a.AccessToken == "" {
		return "", 0, r.unreadable("no access_token in the answer")
	}
	expiresIn := time.Duration(min(a.ExpiresIn, maxExpiresIn)) * time.Second
	if expiresIn <= 0 {
		expiresIn = defaultExpiresIn
	}
	return a.AccessToken, expiresIn, nil
}

// secretError is the *Error for a failed AppSecret lookup. Nothing was sent, so a
// passing failure of the store (kefu.EInternal) is retryable; an app the store does
// not know, or any other refusal, is not. The store's error stays in the chain, so
// kefu.ErrorCodeOf still reads its code.
func secretError(appID string, err error) *Error {
	e := &Error{Op: opToken, Msg: fmt.Sprintf("looking up the AppSecret of %s: %v", appID, err), err: err}
	if kefu.ErrorCodeOf(err) == kefu.EInternal {
		e.retryable = true
		e.reason = "The app's AppSecret could not be looked up, so nothing was sent; trying again later may succeed."
	} else {
		e.reason = "kefu has no usable AppSecret for this app (" + kefu.ErrorMessageOf(err) + "); check its configuration."
	}
	return e
}

// withToken runs call with appID's token. When WeChat refuses the token (40001,
// 40014, 42001), it is dropped unless another call already replaced it, and call
// runs once more with the current token; a second refusal is the caller's error.
func (c *Client) withToken(ctx context.Context, appID string, call func(token string) error) error {
	token, err := c.tokens.get(ctx, appID)
	if err != nil {
		return err
	}
	err = call(token)
	var e *Error
	if !errors.As(err, &e) || !IsTokenError(e.Code) {
		return err
	}
	if c.tokens.drop(appID, token) {
		c.log.Info("wechat refused the access token; fetching a new one", "app", appID, "op", e.Op, "errcode", e.Code)
	}
	if token, err = c.tokens.get(ctx, appID); err != nil {
		return err
	}
	return call(token)
}
