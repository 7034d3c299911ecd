package worker_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
	"kefu/worker"
)

// runFetcher starts a media fetcher on e until the test ends.
func (e *env) runFetcher(t *testing.T) *worker.MediaFetcher {
	f := worker.NewMediaFetcher(worker.MediaFetcherConfig{
		Store: e.store, API: e.client, Clock: e.clock, Poll: 5 * time.Millisecond,
		RetryBase: time.Second, RetryCeiling: time.Minute,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

func (e *env) inboundImage(t *testing.T, openID string, msgID int64, mediaID, picURL string) int64 {
	t.Helper()
	return e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: openID, MsgType: "image", Kind: kefu.KindImage,
		MsgID: msgID, MediaID: mediaID, PicURL: picURL}).MessageID
}

func (e *env) waitMedia(t *testing.T, id int64, want kefu.MediaState) *kefu.Message {
	t.Helper()
	var m *kefu.Message
	simtest.WaitFor(t, func() bool {
		m = e.message(t, id)
		if m.MediaState == kefu.MediaPending && m.Attempts > 0 {
			e.clock.Advance(time.Minute) // a retry is waiting on the test clock
		}
		return m.MediaState == want
	}, "media state "+string(want))
	return m
}

func TestInboundImageRehostedAndServedAfterWeChatForgets(t *testing.T) {
	testInboundImage(t, envOptions{})
}

func testInboundImage(t *testing.T, o envOptions) {
	o.noRun = true
	e := newEnv(t, o)
	e.runFetcher(t)
	img := pngImage(t, 42)
	mediaID := e.wx.PutMedia(img, "image/png")
	thumb := pngImage(t, 43)
	thumbID := e.wx.PutMedia(thumb, "image/png")
	e.wx.UserMessage(appID, "o1")
	id := e.inboundImage(t, "o1", 1, mediaID, "")
	cardID := e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: "o1", MsgType: "miniprogrampage", Kind: kefu.KindCard,
		MsgID: 2, Title: "Card", PagePath: "pages/a", ThumbMediaID: thumbID}).MessageID

	m := e.waitMedia(t, id, kefu.MediaStored)
	c := e.waitMedia(t, cardID, kefu.MediaStored)

	e.clock.Advance(4 * 24 * time.Hour)
	_, _, err := e.client.GetMedia(context.Background(), appID, mediaID)
	if f, ok := kefu.AsAPIFailure(err); !ok || f.ErrCode() != kefu.WxInvalidMedia {
		t.Fatalf("WeChat's copy after 4 days: %v; want 40007", err)
	}
	// kefu's copies outlive WeChat's (served to the console at /media/{key}).
	for _, tc := range []struct {
		key  string
		want []byte
	}{{m.MediaKey, img}, {c.MediaKey, thumb}} {
		got, err := e.store.Media(context.Background(), tc.key)
		if err != nil || got.ContentType != "image/png" || !bytes.Equal(got.Data, tc.want) {
			t.Errorf("stored media %s: %v", tc.key, err)
		}
	}
}

// loopbackPictures is a picture client that, unlike the default, reaches the
// servers given, on 127.0.0.1: an operator's explicit allowance of their address
// and port.
func loopbackPictures(servers ...*httptest.Server) *http.Client {
	var allow []netip.AddrPort
	for _, s := range servers {
		allow = append(allow, netip.MustParseAddrPort(s.Listener.Addr().String()))
	}
	return api.PictureClient([]string{"127.0.0.1"}, nil, allow)
}

func TestInboundImageFallsBackToPicURL(t *testing.T) {
	img := pngImage(t, 9)
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(img)
	}))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)})
	e.runFetcher(t)
	id := e.inboundImage(t, "o1", 1, "MEDIA_WECHAT_NEVER_HAD", pics.URL+"/pic.png")
	m := e.waitMedia(t, id, kefu.MediaStored)
	got, err := e.store.Media(context.Background(), m.MediaKey)
	if err != nil || !bytes.Equal(got.Data, img) {
		t.Fatalf("stored %v, %v", got, err)
	}
}

func TestInboundImageRetriedWhileWeChatFails(t *testing.T) {
	e := newEnv(t, envOptions{noRun: true})
	e.wx.SetFaults(sim.Faults{SystemErrorShare: 1})
	mediaID := e.wx.PutMedia(pngImage(t, 5), "image/png")
	e.runFetcher(t)
	id := e.inboundImage(t, "o1", 1, mediaID, "")
	simtest.WaitFor(t, func() bool {
		e.clock.Advance(time.Second) // retries come due on the test clock
		return e.message(t, id).Attempts >= 2
	}, "two failed attempts")
	if m := e.message(t, id); m.MediaState != kefu.MediaPending || !strings.Contains(m.ErrReason, "-1") {
		t.Fatalf("while WeChat fails: %q %q", m.MediaState, m.ErrReason)
	}
	e.wx.SetFaults(sim.Faults{})
	e.waitMedia(t, id, kefu.MediaStored)
}

func TestInboundImageGivenUpWhenExpired(t *testing.T) {
	e := newEnv(t, envOptions{noRun: true})
	id := e.inboundImage(t, "o1", 1, "MEDIA_GONE", "")
	e.clock.Advance(73 * time.Hour)
	e.runFetcher(t)
	m := e.waitMedia(t, id, kefu.MediaFailed)
	if !strings.Contains(m.ErrReason, "no longer has") {
		t.Errorf("reason: %q", m.ErrReason)
	}
	if m.Attempts != 1 {
		t.Errorf("attempts = %d; an expired media_id is given up at once", m.Attempts)
	}
}

// TestExpiredMediaIDNotFetchedByURLEither: past the media_id's life nothing is
// tried, not even a URL that would still answer: the lifetime bounds every attempt.
func TestExpiredMediaIDNotFetchedByURLEither(t *testing.T) {
	img := pngImage(t, 11)
	var hits atomic.Int32
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write(img) }))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)})
	id := e.inboundImage(t, "o1", 1, e.wx.PutMedia(img, "image/png"), pics.URL+"/p")
	e.clock.Advance(73 * time.Hour)
	e.runFetcher(t)
	if m := e.waitMedia(t, id, kefu.MediaFailed); m.Attempts != 1 || hits.Load() != 0 {
		t.Fatalf("attempts %d, %d URL fetches", m.Attempts, hits.Load())
	}
}

// TestInboundMediaFinalFailures: when every source has failed in a way another try
// would repeat — WeChat does not know the media_id (40007), the answer is not an
// image kefu keeps, the URL is refused by the picture client or answers 404 — the
// message is failed on its first attempt, with each source's reason, instead of
// being downloaded and decoded again for three days.
func TestInboundMediaFinalFailures(t *testing.T) {
	notImage := append([]byte("\x89PNG\r\n\x1a\n"), "<html>"...)
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/html" {
			w.Write(notImage)
			return
		}
		http.NotFound(w, r)
	}))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)})
	e.runFetcher(t)
	const never = "MEDIA_WECHAT_NEVER_HAD"
	cases := map[int64][]string{
		e.inboundImage(t, "o1", 1, never, ""):                                           {"media_id:", "errcode 40007"},
		e.inboundImage(t, "o1", 2, e.wx.PutMedia(notImage, "image/png"), ""):            {"media_id: not a complete JPEG"},
		e.inboundImage(t, "o1", 3, e.wx.PutMedia(pngClaiming(t, 60000, 60000), ""), ""): {"media_id: an image larger than kefu keeps"},
		e.inboundImage(t, "o1", 4, never, pics.URL+"/html"):                             {"errcode 40007", "url: not a complete JPEG"},
		e.inboundImage(t, "o1", 5, never, pics.URL+"/gone"):                             {"errcode 40007", "url: The picture's server answered HTTP 404"},
		e.inboundImage(t, "o1", 6, never, "http://127.0.0.1:1/pic.png"):                 {"errcode 40007", "url: Not fetched: kefu refused address 127.0.0.1 (loopback"},
		e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: "o1", MsgType: "miniprogrampage", Kind: kefu.KindCard,
			MsgID: 7, Title: "Card", PagePath: "pages/a", ThumbURL: pics.URL + "/html"}).MessageID: {"url: not a complete JPEG"},
	}
	for id := range cases {
		e.waitAttempted(t, id)
	}
	for id, want := range cases {
		m := e.message(t, id)
		if m.MediaState != kefu.MediaFailed || m.Attempts != 1 {
			t.Errorf("message %d: %q after %d attempts (%s); want failed after 1", id, m.MediaState, m.Attempts, m.ErrReason)
		}
		for _, w := range append(want, "trying again would not change that") {
			if !strings.Contains(m.ErrReason, w) {
				t.Errorf("message %d: reason %q; want %q in it", id, m.ErrReason, w)
			}
		}
	}
}

// TestInboundMediaPassingFailuresRetried: a failure that may pass keeps the
// message pending and tried again, even when the other source failed for good: the
// picture server's 503 or 500; and a refusal about the app rather than the media (a
// wrong AppSecret), which an operator may put right within the media's three days.
func TestInboundMediaPassingFailuresRetried(t *testing.T) {
	img := pngImage(t, 12)
	var served atomic.Int32
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch served.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.Write(img)
		}
	}))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)})
	ctx := context.Background()
	app, err := e.store.App(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	wrong := *app
	wrong.Secret = "not-the-secret"
	if err := e.store.UpdateApp(ctx, &wrong); err != nil {
		t.Fatal(err)
	}
	e.runFetcher(t)
	byURL := e.inboundImage(t, "o1", 1, "MEDIA_WECHAT_NEVER_HAD", pics.URL+"/pic.png")
	secret := e.inboundImage(t, "o1", 2, e.wx.PutMedia(img, "image/png"), "")
	simtest.WaitFor(t, func() bool {
		m := e.message(t, byURL)
		if m.MediaState != kefu.MediaPending {
			return true
		}
		if m.Attempts >= 1 && served.Load() < 2 {
			e.clock.Advance(time.Minute)
		}
		return served.Load() >= 2 && m.Attempts >= 2
	}, "two attempts at the URL")
	if m := e.message(t, byURL); m.MediaState != kefu.MediaPending || !strings.Contains(m.ErrReason, "url: The picture's server answered HTTP 500") {
		t.Fatalf("after 503 and 500: %q %q", m.MediaState, m.ErrReason)
	}
	if m := e.message(t, secret); m.MediaState != kefu.MediaPending || !strings.Contains(m.ErrReason, "AppSecret") {
		t.Fatalf("with a wrong AppSecret: %q %q", m.MediaState, m.ErrReason)
	}
	if err := e.store.UpdateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	e.waitMedia(t, byURL, kefu.MediaStored)
	e.waitMedia(t, secret, kefu.MediaStored)
}
