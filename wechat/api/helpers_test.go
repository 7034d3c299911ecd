package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
	"kefu/wechat/api"
	"kefu/wechat/sim"
)

const (
	testApp    = "wxapitest00001"
	testSecret = "app-secret-for-the-api-tests-0001"
	sendPath   = "/cgi-bin/message/custom/send"
)

var (
	cst       = time.FixedZone("CST", 8*60*60)
	testStart = time.Date(2025, 3, 3, 10, 0, 0, 0, cst)

	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{1}, 64)...)
)

// setup configures an env; the zero value is a stable-mode client on a plain sim.
type setup struct {
	mode    api.TokenMode
	timeout time.Duration
	margin  time.Duration
	http    *http.Client // nil: the client's default
	// pictures fetches FetchURL's URLs; nil: the client's default, which refuses
	// loopback and so every test server.
	pictures *http.Client
	sim      sim.APIOptions
	// intercept, if set, sees every request first; it answers it and returns true,
	// or returns false to pass it on to the simulator.
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

// env is a client talking over loopback HTTP to a simulated WeChat with testApp, on
// a test clock. Every request is counted by path, and its body kept.
type env struct {
	t      *testing.T
	clock  *testclock.Clock
	sim    *sim.API
	srv    *httptest.Server
	client *api.Client
	logs   *bytes.Buffer

	mu     sync.Mutex
	counts map[string]int
	bodies map[string][][]byte
}

func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	e := &env{t: t, clock: testclock.New(testStart), logs: &bytes.Buffer{},
		counts: map[string]int{}, bodies: map[string][][]byte{}}
	s.sim.Clock = e.clock
	e.sim = sim.NewAPI(s.sim)
	e.sim.AddApp(testApp, testSecret)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		e.mu.Lock()
		e.counts[r.URL.Path]++
		e.bodies[r.URL.Path] = append(e.bodies[r.URL.Path], body)
		e.mu.Unlock()
		if s.intercept != nil && s.intercept(w, r) {
			return
		}
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	e.client = e.newClient(e.srv.URL, s)
	return e
}

// newClient returns a client of baseURL on e's clock, logging at debug level into
// e.logs (a lock-free buffer is fine: slog's handler serialises writes).
func (e *env) newClient(baseURL string, s setup) *api.Client {
	return api.New(api.Config{
		BaseURL:       baseURL,
		HTTPClient:    s.http,
		PictureClient: s.pictures,
		Clock:         e.clock,
		Timeout:       s.timeout,
		TokenMode:     s.mode,
		TokenMargin:   s.margin,
		Secret: func(_ context.Context, appID string) (string, error) {
			if appID != testApp {
				return "", kefu.Errorf(kefu.ENotFound, "no app %s", appID)
			}
			return testSecret, nil
		},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
}

// lockedWriter lets the test read the log buffer while clients write to it.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *env) count(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[path]
}

func (e *env) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.counts {
		n += c
	}
	return n
}

func (e *env) lastBody(path string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bodies[path]
	if len(b) == 0 {
		return nil
	}
	return b[len(b)-1]
}

func (e *env) fetches() int { return e.sim.TokenFetches(testApp) }

func (e *env) wantFetches(what string, n int) {
	e.t.Helper()
	if got := e.fetches(); got != n {
		e.t.Fatalf("%s: %d token fetches, want %d", what, got, n)
	}
}

// wrote has openID write to testApp, which opens its reply window.
func (e *env) wrote(openID string) {
	e.t.Helper()
	if err := e.sim.UserMessage(testApp, openID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) send(openID, text string) error {
	return e.client.SendMessage(context.Background(), testApp, textTo(openID, text))
}

func (e *env) mustSend(openID, text string) {
	e.t.Helper()
	if err := e.send(openID, text); err != nil {
		e.t.Fatalf("send %q to %s: %v", text, openID, err)
	}
}

// stableToken asks the simulator for testApp's stable token out of band: in normal
// mode it is the very token the client holds.
func (e *env) stableToken() string {
	e.t.Helper()
	body := `{"grant_type":"client_credential","appid":"` + testApp + `","secret":"` + testSecret + `"}`
	resp, err := http.Post(e.srv.URL+"/cgi-bin/stable_token", "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || a.AccessToken == "" {
		e.t.Fatalf("stable token: %v %+v", err, a)
	}
	return a.AccessToken
}

// classicToken fetches a classic token out of band, superseding the client's.
func (e *env) classicToken() string {
	e.t.Helper()
	q := url.Values{"grant_type": {"client_credential"}, "appid": {testApp}, "secret": {testSecret}}
	resp, err := http.Get(e.srv.URL + "/cgi-bin/token?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || a.AccessToken == "" {
		e.t.Fatalf("classic token: %v %+v", err, a)
	}
	return a.AccessToken
}

func textTo(openID, text string) *kefu.WireMessage {
	return &kefu.WireMessage{OpenID: openID, Content: kefu.Content{Kind: kefu.KindText, Text: text}}
}

// apiError returns err as an *api.Error and checks it satisfies kefu.APIFailure.
func apiError(t *testing.T, err error) *api.Error {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *api.Error", err, err)
	}
	f, ok := kefu.AsAPIFailure(err)
	if !ok || f.ErrCode() != e.Code || f.Retryable() != e.Retryable() || f.Reason() == "" {
		t.Fatalf("APIFailure view of %v: %v %v", err, f, ok)
	}
	return e
}

// answer writes a WeChat-style JSON answer.
func answer(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	io.WriteString(w, body)
}
