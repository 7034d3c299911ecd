package sim

// TokenFetches returns how many requests for appID the token endpoints
// (/cgi-bin/token and /cgi-bin/stable_token) have served, successful or not, so that
// a client's token cache can be tested: one fetch for many concurrent callers, one
// refresh per token error. Requests refused before they reach an endpoint (injected
// system errors, the wrong HTTP method, an unreadable stable_token body) are not
// counted, because they name no appid WeChat would have read.
func (a *API) TokenFetches(appID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokenFetches[appID]
}

// countTokenFetch counts one token request. The caller holds a.mu.
func (a *API) countTokenFetch(appID string) {
	if a.tokenFetches == nil {
		a.tokenFetches = make(map[string]int)
	}
	a.tokenFetches[appID]++
}
