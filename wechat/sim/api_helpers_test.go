package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/testclock"
)

const (
	testApp    = "wxsimtest0001"
	testSecret = "app-secret-0001"
)

var (
	cst       = time.FixedZone("CST", 8*60*60)
	testStart = time.Date(2025, 3, 3, 10, 0, 0, 0, cst)

	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{1}, 64)...)
	gifBytes  = append([]byte("GIF89a"), bytes.Repeat([]byte{2}, 64)...)
)

// harness is an API on a test clock behind a loopback server, with testApp added.
type harness struct {
	t     *testing.T
	api   *API
	clock *testclock.Clock
	srv   *httptest.Server
}

func newHarness(t *testing.T, opts APIOptions) *harness {
	t.Helper()
	clock := testclock.New(testStart)
	opts.Clock = clock
	api := NewAPI(opts)
	api.AddApp(testApp, testSecret)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &harness{t: t, api: api, clock: clock, srv: srv}
}

// result holds any answer of the API server.
type result struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Type        string `json:"type"`
	MediaID     string `json:"media_id"`
	CreatedAt   int64  `json:"created_at"`
}

// do sends a request and decodes the JSON answer; it fails the test on a transport
// error or a non-200 status.
func (h *harness) do(method, path string, q url.Values, contentType string, body io.Reader) result {
	h.t.Helper()
	resp, err := h.roundTrip(method, path, q, contentType, body)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
	}
	var r result
	if err := json.Unmarshal(raw, &r); err != nil {
		h.t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
	}
	return r
}

func (h *harness) roundTrip(method, path string, q url.Values, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, h.srv.URL+path+"?"+q.Encode(), body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.srv.Client().Do(req)
}

func (h *harness) classic() result {
	h.t.Helper()
	q := url.Values{"grant_type": {"client_credential"}, "appid": {testApp}, "secret": {testSecret}}
	return h.do("GET", "/cgi-bin/token", q, "", nil)
}

// token returns a fresh classic token.
func (h *harness) token() string {
	h.t.Helper()
	r := h.classic()
	if r.ErrCode != 0 || r.AccessToken == "" {
		h.t.Fatalf("token: %+v", r)
	}
	return r.AccessToken
}

func (h *harness) stable(force bool) result {
	h.t.Helper()
	body, _ := json.Marshal(stableRequest{GrantType: "client_credential", AppID: testApp, Secret: testSecret, ForceRefresh: force})
	return h.do("POST", "/cgi-bin/stable_token", nil, "application/json", bytes.NewReader(body))
}

func (h *harness) postJSON(path, tok, body string) result {
	h.t.Helper()
	return h.do("POST", path, url.Values{"access_token": {tok}}, "application/json", strings.NewReader(body))
}

func (h *harness) send(tok, body string) result {
	h.t.Helper()
	return h.postJSON("/cgi-bin/message/custom/send", tok, body)
}

func (h *harness) sendText(tok, openID, text string) result {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}})
	return h.send(tok, string(body))
}

func (h *harness) typing(tok, openID, command string) result {
	h.t.Helper()
	body, _ := json.Marshal(typingRequest{ToUser: openID, Command: command})
	return h.postJSON("/cgi-bin/message/custom/typing", tok, string(body))
}

// upload posts data as the multipart field named field.
func (h *harness) upload(tok, typ, field string, data []byte) result {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, "pic.bin")
	fw.Write(data)
	mw.Close()
	q := url.Values{"access_token": {tok}, "type": {typ}}
	return h.do("POST", "/cgi-bin/media/upload", q, mw.FormDataContentType(), &buf)
}

func (h *harness) uploadImage(tok string, data []byte) string {
	h.t.Helper()
	r := h.upload(tok, "image", "media", data)
	if r.ErrCode != 0 || r.MediaID == "" {
		h.t.Fatalf("upload: %+v", r)
	}
	return r.MediaID
}

// probe reports the errcode a token gets from media/get for an unknown media_id:
// 40007 means the token was accepted.
func (h *harness) probe(tok string) int {
	h.t.Helper()
	return h.do("GET", "/cgi-bin/media/get", url.Values{"access_token": {tok}, "media_id": {"none"}}, "", nil).ErrCode
}

func (h *harness) wrote(openID string) {
	h.t.Helper()
	if err := h.api.UserMessage(testApp, openID); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) entered(openID string) {
	h.t.Helper()
	if err := h.api.UserEntered(testApp, openID); err != nil {
		h.t.Fatal(err)
	}
}

func wantCode(t *testing.T, what string, r result, code int) {
	t.Helper()
	if r.ErrCode != code {
		t.Fatalf("%s: errcode %d (%q), want %d", what, r.ErrCode, r.ErrMsg, code)
	}
}
