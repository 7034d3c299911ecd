package webhook_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"kefu"
)

// The official URL-verification example (docs/protocol.md §3, V0).
func TestVerifyOfficialVector(t *testing.T) {
	s := newServer(t, time.Unix(1714036504, 0), options{window: 5 * time.Minute})
	s.addApp(officialAppID, kefu.ModeSecure, kefu.FormatJSON)
	q := url.Values{
		"signature": {"f464b24fc39322e44b38aa78f5edd27bd1441696"},
		"timestamp": {"1714036504"},
		"nonce":     {"1514711492"},
		"echostr":   {"4375120948345356249"},
	}
	r := s.do(http.MethodGet, officialAppID, q, nil)
	if r.status != 200 || r.body != "4375120948345356249" {
		t.Fatalf("verify = %d %q", r.status, r.body)
	}
}

func TestVerifyRefusals(t *testing.T) {
	s := newServer(t, time.Unix(1714036504, 0), options{window: 5 * time.Minute})
	s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	good := func() url.Values {
		return url.Values{
			"signature": {"f464b24fc39322e44b38aa78f5edd27bd1441696"},
			"timestamp": {"1714036504"}, "nonce": {"1514711492"}, "echostr": {"e"},
		}
	}
	for name, tc := range map[string]struct {
		app    string
		mutate func(url.Values)
		status int
	}{
		"bad signature":   {officialAppID, func(q url.Values) { q.Set("signature", "f464b24fc39322e44b38aa78f5edd27bd1441697") }, 403},
		"upper-case hex":  {officialAppID, func(q url.Values) { q.Set("signature", "F464B24FC39322E44B38AA78F5EDD27BD1441696") }, 403},
		"no signature":    {officialAppID, func(q url.Values) { q.Del("signature") }, 403},
		"no echostr":      {officialAppID, func(q url.Values) { q.Del("echostr") }, 400},
		"no timestamp":    {officialAppID, func(q url.Values) { q.Del("timestamp") }, 400},
		"stale timestamp": {officialAppID, func(q url.Values) { q.Set("timestamp", "1714030000") }, 400},
		"unknown app":     {"wx0000000000000000", func(url.Values) {}, 404},
	} {
		q := good()
		tc.mutate(q)
		if r := s.do(http.MethodGet, tc.app, q, nil); r.status != tc.status {
			t.Errorf("%s: status %d (%s), want %d", name, r.status, r.body, tc.status)
		}
	}
}
