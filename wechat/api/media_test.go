package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/api"
)

const uploadPath = "/cgi-bin/media/upload"

func TestUploadRefusedBeforeNetwork(t *testing.T) {
	e := newEnv(t, setup{})
	tooLarge := append(bytes.Clone(pngBytes), make([]byte, kefu.MaxImageBytes)...)
	gif := append([]byte("GIF89a"), bytes.Repeat([]byte{2}, 64)...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"too large", tooLarge, "2097152"},
		{"text", []byte("hello, not an image"), "JPEG or PNG"},
		{"gif", gif, "JPEG or PNG"},
	}
	for _, tc := range tests {
		_, _, err := e.client.UploadImage(context.Background(), testApp, tc.data)
		if kefu.ErrorCodeOf(err) != kefu.EInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an EInvalid error naming %q", tc.name, err, tc.want)
		}
	}
	if n := e.total(); n != 0 {
		t.Fatalf("%d requests for refused uploads", n)
	}
}

func TestUploadSentAsMultipart(t *testing.T) {
	e := newEnv(t, setup{})
	id, expires, err := e.client.UploadImage(context.Background(), testApp, jpegBytes)
	if err != nil {
		t.Fatal(err)
	}
	if want := testStart.Add(72 * time.Hour); !expires.Equal(want) {
		t.Fatalf("expires %v, want %v (created_at as a number)", expires, want)
	}
	data, ct, ok := e.sim.Media(id)
	if !ok || !bytes.Equal(data, jpegBytes) || ct != "image/jpeg" {
		t.Fatalf("stored %q %v", ct, ok)
	}
	body := e.lastBody(uploadPath)
	for _, want := range []string{`name="media"`, `filename="image.jpg"`, "Content-Type: image/jpeg"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Fatalf("multipart body lacks %s", want)
		}
	}
}

func TestUploadCreatedAt(t *testing.T) {
	created := testStart.Add(-time.Minute)
	tests := []struct {
		name    string
		body    string
		expires time.Time
	}{
		{"string", `{"type":"image","media_id":"m1","created_at":"` + strconv.FormatInt(created.Unix(), 10) + `"}`, created.Add(72 * time.Hour)},
		{"number", `{"errcode":0,"errmsg":"ok","type":"image","media_id":"m1","created_at":` + strconv.FormatInt(created.Unix(), 10) + `}`, created.Add(72 * time.Hour)},
		{"absent", `{"type":"image","media_id":"m1"}`, testStart.Add(72 * time.Hour)},
		{"unreadable", `{"type":"image","media_id":"m1","created_at":"xxx"}`, testStart.Add(72 * time.Hour)},
		{"far off", `{"type":"image","media_id":"m1","created_at":1}`, testStart.Add(72 * time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == uploadPath {
					answer(w, tc.body)
					return true
				}
				return false
			}})
			id, expires, err := e.client.UploadImage(context.Background(), testApp, pngBytes)
			if err != nil || id != "m1" || !expires.Equal(tc.expires) {
				t.Fatalf("%q, %v, %v; want m1, %v", id, expires, err, tc.expires)
			}
		})
	}
}

func TestGetMedia(t *testing.T) {
	e := newEnv(t, setup{})
	ctx := context.Background()
	id := e.sim.PutMedia(pngBytes, "")
	data, ct, err := e.client.GetMedia(ctx, testApp, id)
	if err != nil || !bytes.Equal(data, pngBytes) || ct != "image/png" {
		t.Fatalf("GetMedia: %d bytes, %q, %v", len(data), ct, err)
	}

	e.clock.Advance(72*time.Hour + time.Second)
	_, _, err = e.client.GetMedia(ctx, testApp, id)
	ae := apiError(t, err)
	if ae.Code != kefu.WxInvalidMedia || ae.Retryable() || ae.Op != "media" {
		t.Fatalf("expired media: %v", err)
	}
	// The media_id came from a user: the sender's advice to upload again is not
	// for it.
	if r := ae.Reason(); !strings.Contains(r, "no longer has it") || strings.Contains(r, "upload") {
		t.Fatalf("expired media: reason %q", r)
	}
	if _, _, err := e.client.GetMedia(ctx, testApp, "never-was"); apiError(t, err).Code != 40007 {
		t.Fatalf("unknown media: %v", err)
	}
}

func TestGetMediaOddAnswers(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		code                    int
	}{
		{"error as octet-stream", "application/octet-stream", `{"errcode":40007,"errmsg":"invalid media_id"}`, 40007},
		{"error as text", "text/plain", `{"errcode":40007,"errmsg":"invalid media_id"}`, 40007},
		{"JSON without errcode", "application/json", `{"hello":1}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{intercept: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/cgi-bin/media/get" {
					w.Header().Set("Content-Type", tc.contentType)
					w.Write([]byte(tc.body))
					return true
				}
				return false
			}})
			_, _, err := e.client.GetMedia(context.Background(), testApp, "m1")
			if ae := apiError(t, err); ae.Code != tc.code {
				t.Fatalf("%v, want errcode %d", err, tc.code)
			}
		})
	}
}

func TestFetchURL(t *testing.T) {
	big := append(bytes.Clone(jpegBytes), make([]byte, 10<<20)...)
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/typed":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngBytes)
		case "/untyped":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(jpegBytes)
		case "/big":
			w.Write(big)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/oops":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer pics.Close()
	// The test server is on loopback, which only an explicit allowance of its
	// address and port opens.
	e := newEnv(t, setup{pictures: api.PictureClient([]string{"127.0.0.1"}, nil, []netip.AddrPort{netip.MustParseAddrPort(pics.Listener.Addr().String())})})
	ctx := context.Background()

	data, ct, err := e.client.FetchURL(ctx, pics.URL+"/typed?sig=abc")
	if err != nil || !bytes.Equal(data, pngBytes) || ct != "image/png" {
		t.Fatalf("typed: %q %v", ct, err)
	}
	data, ct, err = e.client.FetchURL(ctx, pics.URL+"/untyped")
	if err != nil || !bytes.Equal(data, jpegBytes) || ct != "image/jpeg" {
		t.Fatalf("untyped: %q %v", ct, err)
	}
	if ae := apiError(t, fetchErr(e.client, pics.URL+"/gone")); ae.HTTPStatus != 404 || ae.Retryable() {
		t.Fatalf("404: %v", ae)
	}
	if ae := apiError(t, fetchErr(e.client, pics.URL+"/busy")); ae.HTTPStatus != 503 || !ae.Retryable() {
		t.Fatalf("503: %v", ae)
	}
	// A download repeated shows nobody anything: any 5xx may be tried again.
	if ae := apiError(t, fetchErr(e.client, pics.URL+"/oops")); ae.HTTPStatus != 500 || !ae.Retryable() {
		t.Fatalf("500: %v", ae)
	}
	if ae := apiError(t, fetchErr(e.client, pics.URL+"/big")); !strings.Contains(ae.Error(), "larger than") {
		t.Fatalf("too big: %v", ae)
	}
	// The picture client's policy judges every URL, its scheme and host too: no
	// check of FetchURL's own to disagree with it.
	for u, want := range map[string]string{
		"ftp://127.0.0.1/x.png": `Not fetched: kefu refused scheme "ftp"`,
		"http:///x.png":         "Not fetched: kefu refused a URL without a host",
	} {
		if ae := apiError(t, fetchErr(e.client, u)); ae.Retryable() || !strings.HasPrefix(ae.Reason(), want) {
			t.Errorf("%s: %v (%q); want a final refusal starting %q", u, ae, ae.Reason(), want)
		}
	}
	if err := fetchErr(e.client, "http://[::1/x.png"); kefu.ErrorCodeOf(err) != kefu.EInvalid {
		t.Fatalf("a URL that does not parse: %v", err)
	}
	if e.fetches() != 0 {
		t.Fatal("FetchURL fetched a token")
	}
}

// TestFetchURLRefusesInside: by default FetchURL reaches neither loopback nor a host
// off WeChat's CDN list, says so, and does not call it retryable.
func TestFetchURLRefusesInside(t *testing.T) {
	var hits atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(pngBytes)
	}))
	defer inside.Close()
	e := newEnv(t, setup{})
	for _, tc := range []struct{ url, want string }{
		{inside.URL + "/metrics", "host 127.0.0.1 (not on the list"},
		{"http://mmbiz.qpic.cn.evil.example/x", "not on the list"},
	} {
		err := fetchErr(e.client, tc.url)
		ae := apiError(t, err)
		if ae.Retryable() || !strings.Contains(ae.Reason(), "refused") || !strings.Contains(ae.Reason(), tc.want) {
			t.Errorf("%s: %v (%q); want a final refusal mentioning %q", tc.url, err, ae.Reason(), tc.want)
		}
	}
	// Listed, but loopback: the address check holds.
	c := api.New(api.Config{PictureClient: api.PictureClient([]string{"127.0.0.1"}, nil, nil)})
	if ae := apiError(t, fetchErr(c, inside.URL+"/metrics")); !strings.Contains(ae.Reason(), "address 127.0.0.1 (loopback") {
		t.Errorf("listed loopback: %q", ae.Reason())
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server was reached %d times", hits.Load())
	}
}

func fetchErr(c *api.Client, url string) error {
	_, _, err := c.FetchURL(context.Background(), url)
	return err
}
