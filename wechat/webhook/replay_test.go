package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/store/storetest"
	"kefu/wechat/pushreq"
	"kefu/wechat/webhook"
)

// A plaintext push's signature covers the timestamp and nonce, not the body: a URL
// seen once (in a proxy log, say) must not carry a forged message. The identical
// request, WeChat's retry, is still taken (and stored once).
func TestReplayedURLWithAnotherBodyRefused(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	genuine := s.build(app, kefu.ModePlain, text(1, "genuine"))
	if r := s.post(app.AppID, genuine); r.status != 200 || r.body != "success" {
		t.Fatalf("genuine push: %d %q", r.status, r.body)
	}
	forged := forgedMessage(s, app)
	forged.Query = genuine.Query
	if r := s.post(app.AppID, forged); r.status != 403 {
		t.Fatalf("forged body under a used URL: %d %q, want 403", r.status, r.body)
	}
	if r := s.post(app.AppID, genuine); r.status != 200 || r.body != "success" {
		t.Fatalf("WeChat's identical retry: %d %q", r.status, r.body)
	}
	assertOnlyGenuine(t, s.messages(app.AppID))
	if got := s.observed.last(); got != "plain/duplicate" {
		t.Errorf("the retry was observed as %q", got)
	}
}

// An app in plaintext mode takes encrypted pushes too (WeChat switches modes at
// once); stripping such a push's ciphertext, encrypt_type and msg_signature leaves a
// URL whose signature still matches: it must not carry a plaintext forgery either.
func TestStrippedEncryptedURLRefused(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 5 * time.Minute})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatJSON)
	genuine := s.build(app, kefu.ModeCompat, text(1, "genuine"))
	if r := s.post(app.AppID, genuine); r.status != 200 {
		t.Fatalf("genuine compatible-mode push: %d %q", r.status, r.body)
	}
	forged := forgedMessage(s, app)
	forged.Query = genuine.Query
	forged.Query.Del("encrypt_type")
	forged.Query.Del("msg_signature")
	forged.Query.Del("openid")
	if r := s.post(app.AppID, forged); r.status != 403 {
		t.Fatalf("stripped URL with a plaintext body: %d %q, want 403", r.status, r.body)
	}
	assertOnlyGenuine(t, s.messages(app.AppID))
}

// Several kefu nodes share one database, and a restarted node has forgotten what
// it saw: the record of used pairs is in the store, so a URL first taken by one
// node cannot carry another body through another.
func TestReplayRefusedAcrossNodes(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testReplayAcrossNodes(t, filepath.Join(t.TempDir(), "kefu.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testReplayAcrossNodes(t, storetest.FreshSchema(t, storetest.PostgresURL(t)))
	})
}

func testReplayAcrossNodes(t *testing.T, dsn string) {
	clock := testclock.New(time.Unix(1714112445, 0))
	node := func() string {
		store, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		mux := http.NewServeMux()
		webhook.New(webhook.Config{Apps: store, Ingester: store, Clock: clock, TimestampWindow: 5 * time.Minute}).Register(mux)
		ts := httptest.NewServer(mux)
		t.Cleanup(ts.Close)
		return ts.URL
	}
	a, b := node(), node()
	s := &server{t: t, clock: clock, url: a}
	store, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: clock, NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s.store = store
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	genuine := s.build(app, kefu.ModePlain, text(1, "genuine"))
	if r := s.post(app.AppID, genuine); r.status != 200 {
		t.Fatalf("genuine push to node A: %d %q", r.status, r.body)
	}
	s.url = b
	forged := forgedMessage(s, app)
	forged.Query = genuine.Query
	if r := s.post(app.AppID, forged); r.status != 403 {
		t.Fatalf("forged body under the same URL at node B: %d %q, want 403", r.status, r.body)
	}
	if r := s.post(app.AppID, genuine); r.status != 200 || r.body != "success" {
		t.Fatalf("WeChat's retry at node B: %d %q", r.status, r.body)
	}
	assertOnlyGenuine(t, s.messages(app.AppID))
}

// forgedMessage is what an attacker would post: another user, another message.
func forgedMessage(s *server, app *kefu.App) pushreq.Request {
	m := text(2, "forged")
	m.OpenID = "oAttackerChosenUser"
	return s.build(app, kefu.ModePlain, m)
}

func assertOnlyGenuine(t *testing.T, ms []*kefu.Message) {
	t.Helper()
	if len(ms) != 1 || ms[0].Content != "genuine" {
		t.Fatalf("stored %d messages, want only the genuine one: %+v", len(ms), ms)
	}
}

// The signature is SHA-1 over the token, timestamp and nonce concatenated after
// sorting, so digits moved between timestamp and nonce sign the same: the record is
// of the signature, which every such spelling of a used URL shares. With the
// window on, such a spelling is also far out of it; with the window off it is not.
func TestReplayWithDigitsShiftedRefused(t *testing.T) {
	s := newServer(t, time.Unix(1714112445, 0), options{window: 0})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	signer, err := pushreq.New(app, kefu.ModePlain)
	if err != nil {
		t.Fatal(err)
	}
	genuine, _ := signer.Build(text(1, "genuine"), 1714112445, "486452656")
	if r := s.post(app.AppID, genuine); r.status != 200 {
		t.Fatalf("genuine: %d %q", r.status, r.body)
	}
	for _, shifted := range [][2]string{{"17141124454", "86452656"}, {"171411244", "5486452656"}} {
		forged := forgedMessage(s, app)
		forged.Query = url.Values{"signature": genuine.Query["signature"], "timestamp": {shifted[0]}, "nonce": {shifted[1]}}
		if r := s.post(app.AppID, forged); r.status != 403 {
			t.Fatalf("timestamp %s, nonce %s under the genuine signature: %d %q, want 403", shifted[0], shifted[1], r.status, r.body)
		}
	}
	assertOnlyGenuine(t, s.messages(app.AppID))
}

// A URL whose timestamp runs ahead of kefu's clock stays valid longer: its record
// must last as long as the window takes the URL, counted from that timestamp.
func TestReplayRecordOutlastsTheURL(t *testing.T) {
	start := time.Unix(1714112445, 0)
	s := newServer(t, start, options{window: 5 * time.Minute})
	app := s.addApp(officialAppID, kefu.ModePlain, kefu.FormatXML)
	signer, err := pushreq.New(app, kefu.ModePlain)
	if err != nil {
		t.Fatal(err)
	}
	ahead := start.Add(4 * time.Minute).Unix() // WeChat's clock 4 minutes ahead of ours
	genuine, _ := signer.Build(text(1, "genuine"), ahead, "777")
	if r := s.post(app.AppID, genuine); r.status != 200 {
		t.Fatalf("genuine: %d %q", r.status, r.body)
	}
	s.clock.Advance(8 * time.Minute) // the URL is good until ahead+5m, 9 minutes from start
	forged := forgedMessage(s, app)
	forged.Query = genuine.Query
	if r := s.post(app.AppID, forged); r.status != 403 {
		t.Fatalf("forged body 8 minutes later, the URL still in the window: %d %q, want 403", r.status, r.body)
	}
	assertOnlyGenuine(t, s.messages(app.AppID))
}
