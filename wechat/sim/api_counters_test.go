package sim

import "testing"

func TestTokenFetches(t *testing.T) {
	h := newHarness(t, APIOptions{})
	if n := h.api.TokenFetches(testApp); n != 0 {
		t.Fatalf("before any fetch: %d", n)
	}
	h.classic()
	h.stable(false)
	h.stable(false) // same stable token again, still a call
	bad := h.do("GET", "/cgi-bin/token", map[string][]string{"grant_type": {"client_credential"}, "appid": {testApp}, "secret": {"wrong"}}, "", nil)
	wantCode(t, "wrong secret", bad, codeInvalidToken)
	if n := h.api.TokenFetches(testApp); n != 4 {
		t.Fatalf("after 4 calls: %d", n)
	}
	if n := h.api.TokenFetches("wxother"); n != 0 {
		t.Fatalf("another app: %d", n)
	}
}
