package sim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// token is one access token. Classic and stable tokens share the type and the lookup
// table but never affect each other (docs/protocol.md §10.6).
type token struct {
	value     string
	app       *app
	expiresAt time.Time
	revokedAt time.Time // zero while not superseded; from this instant on: 40001
}

// deadAt is when the token stopped (or will stop) working, for whatever reason.
func (t *token) deadAt() time.Time {
	if !t.revokedAt.IsZero() && t.revokedAt.Before(t.expiresAt) {
		return t.revokedAt
	}
	return t.expiresAt
}

// stableState is an app's getStableAccessToken state.
type stableState struct {
	issued     []*token  // oldest first; the last is the current one
	forcedAt   time.Time // last force refresh that took effect
	forceDay   string    // the day forceCount counts
	forceCount int
}

func (s *stableState) current() *token {
	if len(s.issued) == 0 {
		return nil
	}
	return s.issued[len(s.issued)-1]
}

// tokenBody is the success answer of both token endpoints.
type tokenBody struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// serveToken is getAccessToken (docs/protocol.md §10.5): every call issues a new token and
// the one before keeps working for 5 more minutes.
func (a *API) serveToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.countTokenFetch(q.Get("appid"))
	ap, e := a.credentials(q.Get("grant_type"), q.Get("appid"), q.Get("secret"))
	if e != nil {
		writeError(w, e)
		return
	}
	now := a.now()
	for _, old := range ap.classic {
		if old.revokedAt.IsZero() {
			old.revokedAt = now.Add(tokenOverlap)
		}
	}
	t := a.issue(ap, now)
	ap.classic = a.pruneTokens(append(ap.classic, t), now)
	writeJSON(w, tokenBody{AccessToken: t.value, ExpiresIn: int64(a.opts.TokenTTL / time.Second)})
}

type stableRequest struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

// serveStableToken is getStableAccessToken (docs/protocol.md §10.6). Normal mode returns
// the current token until 5 minutes before it expires, then a new one while the old
// lives out its time. force_refresh revokes every live stable token of the app at
// once; past its limits (20 a day, 30 s apart) it is ignored and the call behaves as
// normal mode — WeChat's doc says only that it "does not refresh" (UNCONFIRMED
// whether it answers an error instead).
func (a *API) serveStableToken(w http.ResponseWriter, r *http.Request) {
	var req stableRequest
	if e := decodeJSON(w, r, &req); e != nil {
		writeError(w, e)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.countTokenFetch(req.AppID)
	ap, e := a.credentials(req.GrantType, req.AppID, req.Secret)
	if e != nil {
		writeError(w, e)
		return
	}
	now := a.now()
	st := &ap.stable
	forced := req.ForceRefresh && a.mayForce(st, now)
	if forced {
		for _, t := range st.issued {
			if t.revokedAt.IsZero() || t.revokedAt.After(now) {
				t.revokedAt = now
			}
		}
		st.forcedAt = now
		st.forceCount++
	}
	cur := st.current()
	if forced || cur == nil || !now.Before(cur.expiresAt.Add(-stableRotateEarly)) {
		cur = a.issue(ap, now)
		st.issued = a.pruneTokens(append(st.issued, cur), now)
	}
	writeJSON(w, tokenBody{AccessToken: cur.value, ExpiresIn: int64(cur.expiresAt.Sub(now) / time.Second)})
}

// mayForce applies force_refresh's limits; it resets the daily count on a new day.
func (a *API) mayForce(st *stableState, now time.Time) bool {
	if day := a.day(now); st.forceDay != day {
		st.forceDay, st.forceCount = day, 0
	}
	if st.forceCount >= forceRefreshDaily {
		return false
	}
	return st.forcedAt.IsZero() || now.Sub(st.forcedAt) >= forceRefreshGap
}

// credentials checks a token request: grant_type (40002), appid (40013), secret
// (APIOptions.BadSecretCode), in that order. The caller holds a.mu.
func (a *API) credentials(grantType, appID, secret string) (*app, *apiError) {
	if grantType != "client_credential" {
		return nil, fail(codeInvalidGrant)
	}
	ap, ok := a.apps[appID]
	if !ok {
		return nil, fail(codeInvalidAppID)
	}
	if secret != ap.secret {
		return nil, fail(a.opts.BadSecretCode)
	}
	return ap, nil
}

// issue makes a new token for ap. The caller holds a.mu.
func (a *API) issue(ap *app, now time.Time) *token {
	var b [96]byte
	rand.Read(b[:])
	t := &token{value: base64.RawURLEncoding.EncodeToString(b[:]), app: ap, expiresAt: now.Add(a.opts.TokenTTL)}
	a.tokens[t.value] = t
	return t
}

// tokenGrace is how long a dead token is remembered, so that it is answered 42001 or
// 40001 rather than as a stranger; after that it is forgotten (and gets 40001).
const tokenGrace = 24 * time.Hour

// pruneTokens forgets tokens dead for longer than tokenGrace. The caller holds a.mu.
func (a *API) pruneTokens(ts []*token, now time.Time) []*token {
	kept := ts[:0]
	for _, t := range ts {
		if now.Sub(t.deadAt()) > tokenGrace {
			delete(a.tokens, t.value)
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

// authorize finds the app whose access_token the request carries: 40001 for a
// missing, unknown or superseded one (WeChat says 41001 for a missing one; our
// clients treat both alike), 42001 for an expired one.
func (a *API) authorize(r *http.Request) (*app, *apiError) {
	value := r.URL.Query().Get("access_token")
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.tokens[value]
	if !ok {
		return nil, fail(codeInvalidToken)
	}
	now := a.now()
	if !now.Before(t.expiresAt) {
		return nil, fail(codeTokenExpired)
	}
	if !t.revokedAt.IsZero() && !now.Before(t.revokedAt) {
		return nil, fail(codeInvalidToken)
	}
	return t.app, nil
}

// ExpireTokens makes every token of appID expire now, so clients can be tested
// against 42001 (docs/protocol.md §15 "expired token" fault).
func (a *API) ExpireTokens(appID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for _, t := range a.tokens {
		if t.app.id == appID && t.expiresAt.After(now) {
			t.expiresAt = now
		}
	}
}

// decodeJSON reads a JSON request body: 44002 when empty, 47001 when malformed.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return failf(codeDataFormat, "body too large")
		}
		return fail(codeSystemError)
	}
	if len(body) == 0 {
		return fail(codeEmptyPostData)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fail(codeDataFormat)
	}
	return nil
}
