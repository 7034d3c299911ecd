package worker_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/egress"
	"kefu/wechat/sim/simtest"
)

// insideEndpoint is a fake internal service on loopback (kefu's /metrics, a pprof
// address) that records every request. It answers with a real PNG, so that were it
// ever fetched its answer would be stored and the test could not miss it.
type insideEndpoint struct {
	*httptest.Server
	hits atomic.Int32
}

func newInsideEndpoint(t *testing.T) *insideEndpoint {
	t.Helper()
	in := &insideEndpoint{}
	img := pngImage(t, 66)
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(img)
	}))
	t.Cleanup(in.Close)
	return in
}

// serveOn starts h on another loopback address than the inside endpoint's, so that
// a policy can allow the one and not the other; skipped where there is none.
func serveOn(t *testing.T, ip string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s (only 127.0.0.1 is configured here): %v", ip, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// waitAttempted waits until every message has been tried at least once.
func (e *env) waitAttempted(t *testing.T, ids ...int64) {
	t.Helper()
	simtest.WaitFor(t, func() bool {
		for _, id := range ids {
			if m := e.message(t, id); m.Attempts == 0 {
				return false
			}
		}
		return true
	}, "every message tried")
}

// TestPicURLNeverReachesInside: no push can make kefu fetch an internal endpoint on
// loopback — not by naming it, not by an allowed host name that resolves to it, not
// by a redirect from an allowed server — and nothing is stored for such a push. A
// picture on an allowed server is fetched meanwhile, so the fetcher does fetch URLs.
func TestPicURLNeverReachesInside(t *testing.T) {
	in := newInsideEndpoint(t)
	inPort := portOf(t, in.URL)
	img := pngImage(t, 7)
	cdn := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pic.png":
			w.Write(img)
		case "/to-inside":
			http.Redirect(w, r, in.URL+"/metrics", http.StatusFound)
		case "/to-name":
			http.Redirect(w, r, "http://mmbiz.qpic.cn:"+inPort+"/debug/pprof/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	cdnPort := portOf(t, cdn.URL)
	// The picture client as serve builds it, but with a resolver under the test's
	// control and the fake CDN's one address and port allowed. 127.0.0.1 is even on
	// the host list: the address check must hold on its own.
	hosts := []string{"mmbiz.qpic.cn", "cdn.test", "127.0.0.1"}
	pictures := egress.Policy{
		Hosts: hosts, Redirects: 3,
		AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(cdn.Listener.Addr().String())},
		Lookup: func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "mmbiz.qpic.cn": // WeChat's CDN name, pointed inside
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			case "cdn.test":
				return []netip.Addr{netip.MustParseAddr("127.0.0.2")}, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
	}.Client()
	e := newEnv(t, envOptions{noRun: true, pictures: pictures})
	e.runFetcher(t)

	attacks := map[string]int64{}
	for i, picURL := range []string{
		in.URL + "/metrics",                              // the address itself
		"http://mmbiz.qpic.cn:" + inPort + "/metrics",    // an allowed name resolving inside
		"http://cdn.test:" + cdnPort + "/to-inside",      // a redirect to the address
		"http://cdn.test:" + cdnPort + "/to-name",        // a redirect to the name
		"http://localhost:" + inPort + "/metrics",        // not on the list
		"http://[::ffff:127.0.0.1]:" + inPort + "/debug", // not on the list either
	} {
		attacks[picURL] = e.inboundImage(t, "o1", int64(i+1), "MEDIA_WECHAT_NEVER_HAD", picURL)
	}
	card := e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: "o1", MsgType: "miniprogrampage", Kind: kefu.KindCard,
		MsgID: 100, Title: "Card", PagePath: "pages/a", ThumbURL: in.URL + "/thumb"}).MessageID
	good := e.inboundImage(t, "o1", 101, "MEDIA_WECHAT_NEVER_HAD", "http://cdn.test:"+cdnPort+"/pic.png")

	ids := []int64{card, good}
	for _, id := range attacks {
		ids = append(ids, id)
	}
	e.waitAttempted(t, ids...)
	if m := e.waitMedia(t, good, kefu.MediaStored); m.MediaKey == "" {
		t.Fatal("the allowed picture was not stored")
	}
	if n := in.hits.Load(); n != 0 {
		t.Fatalf("the internal endpoint was reached %d times", n)
	}
	for picURL, id := range attacks {
		m := e.message(t, id)
		if m.MediaState == kefu.MediaStored || m.MediaKey != "" {
			t.Errorf("%s: stored %q", picURL, m.MediaKey)
		}
		if !strings.Contains(m.ErrReason, "url: Not fetched: kefu refused") {
			t.Errorf("%s: reason %q; want the URL refused", picURL, m.ErrReason)
		}
		t.Logf("%s: %s", picURL, m.ErrReason)
	}
	// The card's only source is refused: nothing to try again.
	if m := e.message(t, card); m.MediaState != kefu.MediaFailed || !strings.Contains(m.ErrReason, "address 127.0.0.1 (loopback") {
		t.Errorf("card: %q %q", m.MediaState, m.ErrReason)
	}
}

// TestPicURLDefaultPolicy: as serve is configured by default, a PicUrl off WeChat's
// CDN hosts is not fetched at all, and one on them that resolves inside is refused.
func TestPicURLDefaultPolicy(t *testing.T) {
	in := newInsideEndpoint(t)
	e := newEnv(t, envOptions{noRun: true}) // the client's default picture client
	e.runFetcher(t)
	direct := e.inboundImage(t, "o1", 1, "MEDIA_WECHAT_NEVER_HAD", in.URL+"/metrics")
	e.waitAttempted(t, direct)
	if m := e.message(t, direct); m.MediaState == kefu.MediaStored || !strings.Contains(m.ErrReason, "url: Not fetched: kefu refused host 127.0.0.1 (not on the list") {
		t.Errorf("direct: %q %q", m.MediaState, m.ErrReason)
	}
	if n := in.hits.Load(); n != 0 {
		t.Fatalf("the internal endpoint was reached %d times", n)
	}
	// Only a URL, from a host off the list: nothing to try, now or later.
	card := e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: "o1", MsgType: "miniprogrampage", Kind: kefu.KindCard,
		MsgID: 2, Title: "Card", PagePath: "pages/a", ThumbURL: in.URL + "/thumb"}).MessageID
	if m := e.waitMedia(t, card, kefu.MediaFailed); m.Attempts != 1 {
		t.Errorf("card: %d attempts", m.Attempts)
	}
}

// TestPictureHostsAreThePictureClients: which hosts a URL may name is the picture
// client's policy alone; the fetcher keeps no list of its own. A URL on a host the
// client lists is fetched; one on another host is refused by the client before a
// request is made, and the reason says it was not fetched.
func TestPictureHostsAreThePictureClients(t *testing.T) {
	img := pngImage(t, 21)
	var hits atomic.Int32
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(img)
	}))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)}) // lists 127.0.0.1
	e.runFetcher(t)
	listed := e.inboundImage(t, "o1", 1, "MEDIA_WECHAT_NEVER_HAD", pics.URL+"/pic.png")
	unlisted := e.inboundImage(t, "o1", 2, "MEDIA_WECHAT_NEVER_HAD", "http://localhost:"+portOf(t, pics.URL)+"/pic.png")
	e.waitMedia(t, listed, kefu.MediaStored)
	m := e.waitMedia(t, unlisted, kefu.MediaFailed)
	if !strings.Contains(m.ErrReason, "url: Not fetched: kefu refused host localhost (not on the list of hosts allowed)") {
		t.Errorf("unlisted: reason %q", m.ErrReason)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the picture server got %d requests; want the listed one only", n)
	}
}

// TestMediaLifetimeFromReceipt: attempts stop MediaTTL after kefu received the
// push, whatever CreateTime claims: one far in the future does not extend them,
// one far in the past does not cut them short.
func TestMediaLifetimeFromReceipt(t *testing.T) {
	e := newEnv(t, envOptions{noRun: true})
	img := pngImage(t, 3)
	ingestAt := func(msgID int64, mediaID string, createTime time.Time) int64 {
		t.Helper()
		res, err := e.store.Ingest(context.Background(), &kefu.Inbound{AppID: appID, OpenID: "o1", ToUserName: "gh_test",
			MsgType: "image", Kind: kefu.KindImage, MsgID: msgID, MediaID: mediaID,
			CreateTime: createTime.Unix(), ReceivedAt: e.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return res.MessageID
	}
	future := ingestAt(1, "MEDIA_GONE", e.clock.Now().Add(10*365*24*time.Hour))
	e.clock.Advance(73 * time.Hour)
	past := ingestAt(2, e.wx.PutMedia(img, "image/png"), e.clock.Now().Add(-10*24*time.Hour))
	e.runFetcher(t)
	if m := e.waitMedia(t, future, kefu.MediaFailed); m.Attempts != 1 || !strings.Contains(m.ErrReason, "expired") {
		t.Errorf("CreateTime in the future: %d attempts, %q", m.Attempts, m.ErrReason)
	}
	e.waitMedia(t, past, kefu.MediaStored)
}

// pngClaiming is a small PNG whose header claims w×h.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	b := bytes.Clone(pngImage(t, 1))
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestInboundMediaMustDecode: only what decodes whole as an image within the limits
// is stored, whatever its first bytes or its Content-Type say; the reason names
// none of what the server answered.
func TestInboundMediaMustDecode(t *testing.T) {
	fakePNG := append([]byte("\x89PNG\r\n\x1a\n"), "<html><title>internal admin</title></html>"...)
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(fakePNG)
	}))
	defer pics.Close()
	e := newEnv(t, envOptions{noRun: true, pictures: loopbackPictures(pics)})
	e.runFetcher(t)
	genuine := pngImage(t, 8)
	cases := map[string]int64{
		"starts like a PNG":  e.inboundImage(t, "o1", 1, e.wx.PutMedia(fakePNG, "image/png"), ""),
		"truncated PNG":      e.inboundImage(t, "o1", 2, e.wx.PutMedia(genuine[:len(genuine)-8], "image/png"), ""),
		"60000×60000":        e.inboundImage(t, "o1", 3, e.wx.PutMedia(pngClaiming(t, 60000, 60000), "image/png"), ""),
		"URL serving a fake": e.inboundImage(t, "o1", 4, "MEDIA_WECHAT_NEVER_HAD", pics.URL+"/p.png"),
	}
	ok := e.inboundImage(t, "o1", 5, e.wx.PutMedia(genuine, ""), "")
	for _, id := range cases {
		e.waitAttempted(t, id)
	}
	if m := e.waitMedia(t, ok, kefu.MediaStored); m.MediaKey == "" {
		t.Fatal("the real PNG was not stored")
	}
	for name, id := range cases {
		m := e.message(t, id)
		if m.MediaState == kefu.MediaStored {
			t.Errorf("%s: stored", name)
		}
		want := "not a complete JPEG, PNG, GIF or WebP image"
		if name == "60000×60000" {
			want = "larger than kefu keeps"
		}
		if !strings.Contains(m.ErrReason, want) || strings.Contains(m.ErrReason, "html") || strings.Contains(m.ErrReason, "text/") {
			t.Errorf("%s: reason %q; want %q and nothing of the answer", name, m.ErrReason, want)
		}
	}
	stored, err := e.store.Media(context.Background(), e.message(t, ok).MediaKey)
	if err != nil || stored.ContentType != "image/png" || !bytes.Equal(stored.Data, genuine) {
		t.Fatalf("stored %v, %v", stored, err)
	}
}
