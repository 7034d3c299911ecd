package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

const (
	pushAppID    = "wxba5fad812f8e6fb9"
	pushOrigID   = "gh_97417a04a28d"
	pushToken    = "AAAAA"
	pushKey      = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	pushOtherKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	pushSecret   = "push-secret"
	pushUser     = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY"

	// testAttemptTimeout keeps stalled attempts short in real time.
	testAttemptTimeout = 200 * time.Millisecond
)

func pushApp(mode kefu.Mode, format kefu.Format) kefu.App {
	return kefu.App{AppID: pushAppID, OriginalID: pushOrigID, Secret: pushSecret, Token: pushToken,
		AESKey: pushKey, Mode: mode, Format: format}
}

// call is one request the fake developer server received.
type call struct {
	rawQuery string
	query    url.Values
	body     []byte
	ctype    string
}

// fakeDev is a developer server whose answers a test scripts: answer is called with
// the 1-based number of the request.
type fakeDev struct {
	answer func(n int, c call, w http.ResponseWriter, r *http.Request)
	mu     sync.Mutex
	calls  []call
}

func (f *fakeDev) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{rawQuery: r.URL.RawQuery, query: r.URL.Query(), body: body, ctype: r.Header.Get("Content-Type")}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := len(f.calls)
	f.mu.Unlock()
	f.answer(n, c, w, r)
}

func (f *fakeDev) got() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// say answers every request with body.
func say(body string) func(int, call, http.ResponseWriter, *http.Request) {
	return func(_ int, _ call, w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) }
}

// stall holds the request until the simulator gives up on it.
func stall(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// pushTest is a Simulator with one endpoint pointing at a fake developer server.
type pushTest struct {
	*testSim
	dev *fakeDev
	app kefu.App
	ctx context.Context
}

func newPushTest(t *testing.T, app kefu.App, answer func(int, call, http.ResponseWriter, *http.Request)) *pushTest {
	t.Helper()
	dev := &fakeDev{answer: answer}
	srv := httptest.NewServer(dev)
	t.Cleanup(srv.Close)
	st := startTestSim(t, testSimOptions{
		Options:   Options{AttemptTimeout: testAttemptTimeout},
		Endpoints: []Endpoint{{App: app, URL: srv.URL + "/wx/" + app.AppID}},
	})
	return &pushTest{testSim: st, dev: dev, app: app, ctx: t.Context()}
}

// decodePush checks a push's signatures and returns its plaintext message; it
// must be called from the test's goroutine.
func decodePush(t *testing.T, app kefu.App, c call) *kefu.Inbound {
	t.Helper()
	m, err := openPush(app, c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// openPush is decodePush for the fake server's goroutines.
func openPush(app kefu.App, c call) (*kefu.Inbound, error) {
	q := c.query
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if got, want := q.Get("signature"), crypt.Signature(app.Token, ts, nonce); got != want {
		return nil, fmt.Errorf("signature %q, want %q", got, want)
	}
	p, f, err := codec.Decode(c.body, app.Format)
	if err != nil || f != app.Format {
		return nil, fmt.Errorf("push body %q: format %s, err %v", c.body, f, err)
	}
	if app.Mode == kefu.ModePlain {
		if p.Encrypt != "" || q.Get("encrypt_type") != "" {
			return nil, fmt.Errorf("plaintext push carries ciphertext: %s?%s", c.body, c.rawQuery)
		}
		return &p.Inbound, nil
	}
	if q.Get("encrypt_type") != "aes" || q.Get("msg_signature") != crypt.MsgSignature(app.Token, ts, nonce, p.Encrypt) {
		return nil, fmt.Errorf("bad encrypted push query %s", c.rawQuery)
	}
	cipher, err := crypt.NewCipher(app.AppID, app.AESKey, "")
	if err != nil {
		return nil, err
	}
	doc, _, err := cipher.Open(p.Encrypt)
	if err != nil {
		return nil, err
	}
	inner, _, err := codec.Decode(doc, app.Format)
	if err != nil {
		return nil, err
	}
	return &inner.Inbound, nil
}

// answerTo runs build on the decoded push and answers with its result; a push that
// does not decode fails the test and gets a 500.
func answerTo(t *testing.T, app kefu.App, build func(m *kefu.Inbound, c call) []byte) func(int, call, http.ResponseWriter, *http.Request) {
	return func(_ int, c call, w http.ResponseWriter, _ *http.Request) {
		m, err := openPush(app, c)
		if err != nil {
			t.Error(err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write(build(m, c))
	}
}

// transferAnswer answers with a transfer_customer_service reply to the push, sealed
// with key (and signed with token) unless key is empty.
func transferAnswer(t *testing.T, app kefu.App, key, token string) func(int, call, http.ResponseWriter, *http.Request) {
	return answerTo(t, app, func(m *kefu.Inbound, c call) []byte {
		body := codec.TransferReply(m, app.Format, time.Unix(m.CreateTime, 0))
		if key != "" {
			body = sealReply(t, app, key, token, body, c.query.Get("nonce"))
		}
		return body
	})
}

func sealReply(t *testing.T, app kefu.App, key, token string, doc []byte, nonce string) []byte {
	cipher, err := crypt.NewCipher(app.AppID, key, "")
	if err != nil {
		t.Error(err)
		return nil
	}
	enc, err := cipher.Seal(doc, crypt.KeyCurrent)
	if err != nil {
		t.Error(err)
		return nil
	}
	const ts = 1713424427
	return codec.EncryptedReply{
		Encrypt:      enc,
		MsgSignature: crypt.MsgSignature(token, strconv.Itoa(ts), nonce, enc),
		TimeStamp:    ts,
		Nonce:        nonce,
	}.Encode(app.Format)
}

// mustPush fails the test when a user action errs: mustPush(t)(sim.Text(…)).
func mustPush(t *testing.T) func(PushResult, error) PushResult {
	return func(res PushResult, err error) PushResult {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
}

// newServer serves h on loopback and returns its developer URL for pushApp.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/wx/" + pushAppID
}
