package sim

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestClassicTokenOverlap(t *testing.T) {
	h := newHarness(t, APIOptions{})
	first := h.classic()
	if first.ExpiresIn != 7200 || len(first.AccessToken) < 64 {
		t.Fatalf("token answer %+v", first)
	}
	h.clock.Advance(time.Minute)
	second := h.token()
	if second == first.AccessToken {
		t.Fatal("a second call returned the same token")
	}
	h.clock.Advance(5*time.Minute - time.Second)
	if got := h.probe(first.AccessToken); got != codeInvalidMediaID {
		t.Fatalf("old token 1 s before the overlap ends: %d, want it accepted", got)
	}
	h.clock.Advance(time.Second)
	if got := h.probe(first.AccessToken); got != codeInvalidToken {
		t.Fatalf("old token after the overlap: %d, want 40001", got)
	}
	if got := h.probe(second); got != codeInvalidMediaID {
		t.Fatalf("new token: %d, want it accepted", got)
	}
}

func TestClassicTokenExpiry(t *testing.T) {
	h := newHarness(t, APIOptions{TokenTTL: time.Hour})
	r := h.classic()
	if r.ExpiresIn != 3600 {
		t.Fatalf("expires_in %d, want 3600", r.ExpiresIn)
	}
	h.clock.Advance(time.Hour - time.Second)
	if got := h.probe(r.AccessToken); got != codeInvalidMediaID {
		t.Fatalf("1 s before expiry: %d", got)
	}
	h.clock.Advance(time.Second)
	if got := h.probe(r.AccessToken); got != codeTokenExpired {
		t.Fatalf("at expiry: %d, want 42001", got)
	}
}

func TestTokenRequestErrors(t *testing.T) {
	classic := func(grant, appid, secret string) url.Values {
		return url.Values{"grant_type": {grant}, "appid": {appid}, "secret": {secret}}
	}
	tests := []struct {
		name   string
		opts   APIOptions
		method string
		path   string
		query  url.Values
		body   string
		want   int
	}{
		{"classic grant_type", APIOptions{}, "GET", "/cgi-bin/token", classic("password", testApp, testSecret), "", codeInvalidGrant},
		{"classic appid", APIOptions{}, "GET", "/cgi-bin/token", classic("client_credential", "wxnobody", testSecret), "", codeInvalidAppID},
		{"classic secret", APIOptions{}, "GET", "/cgi-bin/token", classic("client_credential", testApp, "wrong"), "", codeInvalidToken},
		{"classic secret 40125", APIOptions{BadSecretCode: 40125}, "GET", "/cgi-bin/token", classic("client_credential", testApp, "wrong"), "", codeBadSecret125},
		{"classic by POST", APIOptions{}, "POST", "/cgi-bin/token", classic("client_credential", testApp, testSecret), "", codeRequireGET},
		{"stable grant_type", APIOptions{}, "POST", "/cgi-bin/stable_token", nil, `{"grant_type":"x","appid":"` + testApp + `","secret":"` + testSecret + `"}`, codeInvalidGrant},
		{"stable appid", APIOptions{}, "POST", "/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"wxnobody","secret":"s"}`, codeInvalidAppID},
		{"stable secret", APIOptions{}, "POST", "/cgi-bin/stable_token", nil, `{"grant_type":"client_credential","appid":"` + testApp + `","secret":"wrong"}`, codeInvalidToken},
		{"stable malformed", APIOptions{}, "POST", "/cgi-bin/stable_token", nil, `{"grant_type":`, codeDataFormat},
		{"stable empty", APIOptions{}, "POST", "/cgi-bin/stable_token", nil, ``, codeEmptyPostData},
		{"stable by GET", APIOptions{}, "GET", "/cgi-bin/stable_token", nil, ``, codeRequirePOST},
		{"send without token", APIOptions{}, "POST", "/cgi-bin/message/custom/send", nil, `{}`, codeInvalidToken},
		{"send with unknown token", APIOptions{}, "POST", "/cgi-bin/message/custom/send", url.Values{"access_token": {"forged"}}, `{}`, codeInvalidToken},
		{"typing with unknown token", APIOptions{}, "POST", "/cgi-bin/message/custom/typing", url.Values{"access_token": {"forged"}}, `{}`, codeInvalidToken},
		{"upload with unknown token", APIOptions{}, "POST", "/cgi-bin/media/upload", url.Values{"access_token": {"forged"}, "type": {"image"}}, ``, codeInvalidToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			r := h.do(tc.method, tc.path, tc.query, "application/json", strings.NewReader(tc.body))
			wantCode(t, tc.name, r, tc.want)
			if r.AccessToken != "" {
				t.Fatalf("an error answer carried a token")
			}
		})
	}
}

func TestStableTokenRotation(t *testing.T) {
	h := newHarness(t, APIOptions{})
	first := h.stable(false)
	if first.ErrCode != 0 || first.ExpiresIn != 7200 {
		t.Fatalf("first stable token: %+v", first)
	}
	h.clock.Advance(time.Hour)
	again := h.stable(false)
	if again.AccessToken != first.AccessToken || again.ExpiresIn != 3600 {
		t.Fatalf("an hour later: %+v, want the same token with 3600 s left", again)
	}
	h.clock.Advance(time.Hour - 5*time.Minute - time.Second) // 301 s left
	if r := h.stable(false); r.AccessToken != first.AccessToken || r.ExpiresIn != 301 {
		t.Fatalf("301 s before expiry: %+v, want the same token", r)
	}
	h.clock.Advance(time.Second) // inside the last 5 minutes
	next := h.stable(false)
	if next.AccessToken == first.AccessToken || next.ExpiresIn != 7200 {
		t.Fatalf("in the last 5 minutes: %+v, want a new token", next)
	}
	if r := h.stable(false); r.AccessToken != next.AccessToken {
		t.Fatal("the call after a rotation returned yet another token")
	}
	if got := h.probe(first.AccessToken); got != codeInvalidMediaID {
		t.Fatalf("old stable token before its expiry: %d, want it accepted", got)
	}
	h.clock.Advance(5 * time.Minute)
	if got := h.probe(first.AccessToken); got != codeTokenExpired {
		t.Fatalf("old stable token after its expiry: %d, want 42001", got)
	}
	if got := h.probe(next.AccessToken); got != codeInvalidMediaID {
		t.Fatalf("new stable token: %d", got)
	}
}

func TestStableForceRefresh(t *testing.T) {
	h := newHarness(t, APIOptions{})
	first := h.stable(false).AccessToken
	h.clock.Advance(time.Minute)
	forced := h.stable(true)
	if forced.AccessToken == first || forced.ExpiresIn != 7200 {
		t.Fatalf("force_refresh: %+v, want a new token", forced)
	}
	if got := h.probe(first); got != codeInvalidToken {
		t.Fatalf("token before force_refresh: %d, want 40001 at once", got)
	}

	h.clock.Advance(29 * time.Second)
	if r := h.stable(true); r.AccessToken != forced.AccessToken {
		t.Fatal("force_refresh 29 s after the last one refreshed")
	}
	if got := h.probe(forced.AccessToken); got != codeInvalidMediaID {
		t.Fatalf("token after a refused force_refresh: %d, want it accepted", got)
	}
	h.clock.Advance(time.Second)
	if r := h.stable(true); r.AccessToken == forced.AccessToken {
		t.Fatal("force_refresh 30 s after the last one did not refresh")
	}
}

func TestStableForceRefreshDailyLimit(t *testing.T) {
	h := newHarness(t, APIOptions{})
	h.clock.Set(time.Date(2025, 3, 3, 0, 0, 0, 0, cst))
	prev := h.stable(false).AccessToken
	for i := 1; i <= 20; i++ {
		h.clock.Advance(time.Minute)
		tok := h.stable(true).AccessToken
		if tok == prev {
			t.Fatalf("force_refresh %d of the day did not refresh", i)
		}
		prev = tok
	}
	h.clock.Advance(time.Minute)
	if tok := h.stable(true).AccessToken; tok != prev {
		t.Fatal("force_refresh 21 of the day refreshed")
	}
	h.clock.Set(time.Date(2025, 3, 4, 0, 0, 1, 0, cst))
	if tok := h.stable(true).AccessToken; tok == prev {
		t.Fatal("force_refresh on the next day did not refresh")
	}
}

func TestStableAndClassicAreIndependent(t *testing.T) {
	h := newHarness(t, APIOptions{})
	classic := h.token()
	stable := h.stable(false).AccessToken
	h.clock.Advance(time.Minute)
	newClassic := h.token()
	h.clock.Advance(10 * time.Minute) // the first classic token's overlap is over
	if got := h.probe(stable); got != codeInvalidMediaID {
		t.Fatalf("stable token after classic refreshes: %d", got)
	}
	h.stable(true)
	if got := h.probe(newClassic); got != codeInvalidMediaID {
		t.Fatalf("classic token after a stable force_refresh: %d", got)
	}
	if got := h.probe(classic); got != codeInvalidToken {
		t.Fatalf("superseded classic token: %d, want 40001", got)
	}
}

func TestExpireTokens(t *testing.T) {
	h := newHarness(t, APIOptions{})
	classic, stable := h.token(), h.stable(false).AccessToken
	h.api.ExpireTokens(testApp)
	for _, tok := range []string{classic, stable} {
		if got := h.probe(tok); got != codeTokenExpired {
			t.Fatalf("after ExpireTokens: %d, want 42001", got)
		}
	}
	if fresh := h.stable(false).AccessToken; fresh == stable || h.probe(fresh) != codeInvalidMediaID {
		t.Fatal("stable_token after ExpireTokens did not issue a working token")
	}
}
