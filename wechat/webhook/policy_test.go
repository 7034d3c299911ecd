package webhook_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// Every refusal is a 4xx with a short reason and stores nothing (docs/architecture.md
// invariant 2).
func TestRefusalsStoreNothing(t *testing.T) {
	now := time.Unix(1714112445, 0)
	cases := []struct {
		name    string
		appMode kefu.Mode
		push    kefu.Mode
		mutate  func(s *server, app *kefu.App, r *pushreq.Request) string // returns the appid to post to
		status  int
	}{
		{"plaintext bad signature", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("signature", "0000000000000000000000000000000000000000")
			return a.AppID
		}, 403},
		{"plaintext without signature", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Del("signature")
			return a.AppID
		}, 403},
		{"secure bad msg_signature", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("msg_signature", "0000000000000000000000000000000000000000")
			return a.AppID
		}, 403},
		{"secure without msg_signature", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Del("msg_signature")
			return a.AppID
		}, 403},
		{"compat bad msg_signature, good signature", kefu.ModeCompat, kefu.ModeCompat, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("msg_signature", "0000000000000000000000000000000000000000")
			return a.AppID
		}, 403},
		{"aes claimed, no ciphertext", kefu.ModeCompat, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("encrypt_type", "aes")
			return a.AppID
		}, 400},
		{"downgrade to plaintext in secure mode", kefu.ModeSecure, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			return a.AppID
		}, 400},
		// In compatible mode WeChat sends the ciphertext beside the plaintext; a push
		// without it is a genuine URL with its ciphertext stripped.
		{"plaintext in compatible mode", kefu.ModeCompat, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			return a.AppID
		}, 400},
		{"compat push stripped of its ciphertext", kefu.ModeCompat, kefu.ModeCompat, func(s *server, a *kefu.App, r *pushreq.Request) string {
			plain := s.build(a, kefu.ModePlain, text(2, "forged"))
			r.Body = plain.Body
			r.Query.Del("encrypt_type")
			r.Query.Del("msg_signature")
			return a.AppID
		}, 400},
		// The URL's signature is checked in every mode, before the body is read.
		{"secure with a bad signature", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("signature", "0000000000000000000000000000000000000000")
			return a.AppID
		}, 403},
		{"secure without signature", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Del("signature")
			return a.AppID
		}, 403},
		{"ciphertext for another appid", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			other := *a
			other.AppID = "wx1111111111111111"
			*r = s.build(&other, kefu.ModeSecure, text(1, "x"))
			return a.AppID
		}, 400},
		{"ciphertext under another key", kefu.ModeSecure, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			other := *a
			other.AESKey = otherKey
			*r = s.build(&other, kefu.ModeSecure, text(1, "x"))
			return a.AppID
		}, 400},
		{"stale timestamp", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			s.clock.Advance(6 * time.Minute)
			return a.AppID
		}, 400},
		{"timestamp from the future", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			s.clock.Advance(-6 * time.Minute)
			return a.AppID
		}, 400},
		{"malformed timestamp", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Query.Set("timestamp", "soon")
			return a.AppID
		}, 400},
		{"garbage body", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Body = []byte("\x00\x01garbage")
			return a.AppID
		}, 400},
		{"empty body", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Body = nil
			return a.AppID
		}, 400},
		{"oversized body", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			r.Body = append([]byte("<xml><Content><![CDATA["), bytes.Repeat([]byte("x"), 2<<20)...)
			return a.AppID
		}, 413},
		{"unknown app", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			return "wx9999999999999999"
		}, 404},
		{"appid of the wrong shape", kefu.ModePlain, kefu.ModePlain, func(s *server, a *kefu.App, r *pushreq.Request) string {
			return "wx" + strings.Repeat("9", 40)
		}, 404},
		{"encrypted push to an app without a key", kefu.ModePlain, kefu.ModeSecure, func(s *server, a *kefu.App, r *pushreq.Request) string {
			a.AESKey = ""
			if err := s.store.UpdateApp(context.Background(), a); err != nil {
				s.t.Fatal(err)
			}
			return a.AppID
		}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, now, options{window: 5 * time.Minute, maxBody: 1 << 20})
			app := s.addApp(officialAppID, tc.appMode, kefu.FormatXML)
			req := s.build(app, tc.push, text(1, "x"))
			target := tc.mutate(s, app, &req)
			r := s.post(target, req)
			if r.status != tc.status || r.body == "" || len(r.body) > 80 {
				t.Fatalf("status %d %q, want %d with a short reason", r.status, r.body, tc.status)
			}
			if ms := s.messages(officialAppID); len(ms) != 0 {
				t.Fatalf("a refused push stored %d messages", len(ms))
			}
		})
	}
}

// WeChat applies a mode switch at once, so an app in plaintext mode takes pushes of
// every mode, and apps in compatible and secure mode take each other's (both carry
// ciphertext). Plaintext pushes to an app that is not in plaintext mode are refused
// (see TestRefusals).
func TestModeSwitchTolerance(t *testing.T) {
	for _, tc := range []struct{ app, push kefu.Mode }{
		{kefu.ModePlain, kefu.ModeSecure},
		{kefu.ModePlain, kefu.ModeCompat},
		{kefu.ModeCompat, kefu.ModeSecure},
		{kefu.ModeSecure, kefu.ModeCompat},
	} {
		s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
		app := s.addApp(officialAppID, tc.app, kefu.FormatJSON)
		if r := s.post(app.AppID, s.build(app, tc.push, text(7, "x"))); r.status != 200 || r.body != "success" {
			t.Errorf("app %s, push %s: %d %q", tc.app, tc.push, r.status, r.body)
		}
	}
}

// With the window turned off, an old timestamp is accepted.
func TestTimestampWindowOff(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 0})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	req := s.build(app, kefu.ModePlain, text(1, "x"))
	s.clock.Advance(24 * time.Hour)
	if r := s.post(app.AppID, req); r.status != 200 {
		t.Fatalf("%d %q", r.status, r.body)
	}
}

// After an EncodingAESKey change WeChat may still encrypt with the old key for a
// while: a push under the previous key is accepted.
func TestPreviousKeyAccepted(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
	app := s.addApp(officialAppID, kefu.ModeSecure, kefu.FormatXML)
	oldApp := *app
	app.AESKey, app.PrevAESKey = otherKey, officialKey
	if err := s.store.UpdateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	if r := s.post(app.AppID, s.build(&oldApp, kefu.ModeSecure, text(1, "old key"))); r.status != 200 {
		t.Fatalf("previous key: %d %q", r.status, r.body)
	}
	if r := s.post(app.AppID, s.build(app, kefu.ModeSecure, text(2, "new key"))); r.status != 200 {
		t.Fatalf("current key: %d %q", r.status, r.body)
	}
	if n := len(s.messages(app.AppID)); n != 2 {
		t.Fatalf("%d stored", n)
	}
}

// A store that cannot commit gets a 503, so that WeChat retries; it is the one
// non-4xx answer, and it is not caused by the input.
func TestStoreFailureIsRetryable(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	req := s.build(app, kefu.ModePlain, text(1, "x"))
	s.post(app.AppID, req) // warms the app cache
	s.store.Close()
	if r := s.post(app.AppID, s.build(app, kefu.ModePlain, text(2, "y"))); r.status != 503 {
		t.Fatalf("%d %q", r.status, r.body)
	}
}
