package egress_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"kefu/egress"
)

// inside is a fake internal endpoint on loopback (a /metrics, a pprof address) that
// records every request it gets.
type inside struct {
	*httptest.Server
	hits atomic.Int32
}

func newInside(t *testing.T) *inside {
	t.Helper()
	in := &inside{}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.hits.Add(1)
		fmt.Fprintln(w, "# HELP go_goroutines secret internal answer")
	}))
	t.Cleanup(in.Close)
	return in
}

// serveOn starts h on ip (another loopback address than the inside endpoint's, so
// that a policy can allow one and not the other); the test is skipped where the
// system has no such address.
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

func port(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// lookup is a resolver for the tests: names that look public lead inside.
func lookup(names map[string]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := names[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
}

func get(c *http.Client, u string) (*http.Response, error) {
	resp, err := c.Get(u)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// TestClientNeverReachesInside: no URL, DNS name or redirect makes the client reach
// an internal endpoint on loopback, while an allowed server is reached.
func TestClientNeverReachesInside(t *testing.T) {
	in := newInside(t)
	inPort := port(t, in.URL)
	png := []byte("\x89PNG\r\n\x1a\n...")
	cdn := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pic.png":
			w.Write(png)
		case "/to-inside": // a redirect straight to the internal address
			http.Redirect(w, r, in.URL+"/metrics", http.StatusFound)
		case "/to-name": // to an allowed name that resolves inside
			http.Redirect(w, r, "http://mmbiz.qpic.cn:"+inPort+"/metrics", http.StatusFound)
		case "/to-mapped":
			http.Redirect(w, r, "http://[::ffff:127.0.0.1]:"+inPort+"/metrics", http.StatusFound)
		case "/to-unlisted":
			http.Redirect(w, r, "http://unlisted.test:"+inPort+"/metrics", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, "/pic.png", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	cdnPort := port(t, cdn.URL)
	p := egress.Policy{
		Hosts:      []string{"mmbiz.qpic.cn", "cdn.test", "127.0.0.1", "::ffff:127.0.0.1", "localhost", "twice.test"},
		AllowAddrs: []netip.AddrPort{addrPort(t, cdn.URL)},
		Redirects:  3,
		Lookup: lookup(map[string]string{
			"mmbiz.qpic.cn": "127.0.0.1", // an allowed, public-looking name pointing inside
			"localhost":     "::1",
			"cdn.test":      "127.0.0.2",
			"unlisted.test": "127.0.0.1",
		}),
	}
	c := p.Client()

	if resp, err := get(c, "http://cdn.test:"+cdnPort+"/pic.png"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the allowed server: %v %v", resp, err)
	}
	if resp, err := get(c, "http://cdn.test:"+cdnPort+"/hop"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("a redirect within the allowed server: %v %v", resp, err)
	}
	for _, u := range []string{
		in.URL + "/metrics",
		"http://[::ffff:127.0.0.1]:" + inPort + "/metrics",
		"http://mmbiz.qpic.cn:" + inPort + "/metrics",
		"http://MMBIZ.qpic.cn.:" + inPort + "/metrics",
		"http://localhost:" + inPort + "/metrics",
		"http://cdn.test:" + cdnPort + "/to-inside",
		"http://cdn.test:" + cdnPort + "/to-name",
		"http://cdn.test:" + cdnPort + "/to-mapped",
		"http://cdn.test:" + cdnPort + "/to-unlisted",
		"http://cdn.test:" + cdnPort + "/to-file",
		"http://unlisted.test:" + inPort + "/metrics",
	} {
		resp, err := get(c, u)
		var r *egress.Refusal
		if !errors.As(err, &r) {
			t.Errorf("GET %s: %v, %v; want a refusal", u, resp, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("GET %s: the error echoes the answer: %v", u, err)
		}
	}
	if n := in.hits.Load(); n != 0 {
		t.Fatalf("the internal endpoint was reached %d times", n)
	}

	// Allowing all of loopback opens its ranges, not its ports: the endpoint, on a
	// port other than 80 and 443, is still refused, by name or by address.
	p.Allow = append(p.Allow, netip.MustParsePrefix("127.0.0.0/8"))
	for _, u := range []string{in.URL + "/metrics", "http://mmbiz.qpic.cn:" + inPort + "/metrics", "http://cdn.test:" + cdnPort + "/to-inside"} {
		if _, err := get(p.Client(), u); err == nil || !strings.Contains(err.Error(), "refused port "+inPort+" on 127.0.0.1: only ports 80, 443") {
			t.Errorf("GET %s with loopback allowed: %v; want its port refused", u, err)
		}
	}
	if n := in.hits.Load(); n != 0 {
		t.Fatalf("with loopback allowed, the internal endpoint was reached %d times", n)
	}

	// The same endpoint is reached once its address and port are allowed: the test
	// can tell.
	p.AllowAddrs = append(p.AllowAddrs, addrPort(t, in.URL))
	if _, err := get(p.Client(), in.URL+"/metrics"); err != nil || in.hits.Load() != 1 {
		t.Fatalf("with its ip:port allowed: %v, %d hits", err, in.hits.Load())
	}
}

// addrPort is a test server's address and port, as Policy.AllowAddrs takes it.
func addrPort(t *testing.T, rawURL string) netip.AddrPort {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return netip.MustParseAddrPort(u.Host)
}

// TestClientRefusesURLBeforeAnyIO: a URL the policy does not allow is refused
// before its host is resolved or anything is dialled.
func TestClientRefusesURLBeforeAnyIO(t *testing.T) {
	var lookups atomic.Int32
	p := egress.Policy{Hosts: []string{"mmbiz.qpic.cn"}, Lookup: func(context.Context, string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("1.1.1.1")}, nil
	}}
	for _, u := range []string{"http://unlisted.example/x.jpg", "gopher://mmbiz.qpic.cn/x", "http:///x"} {
		if _, err := get(p.Client(), u); !egress.IsRefusal(err) {
			t.Errorf("GET %s: %v; want a refusal", u, err)
		}
	}
	p.Hosts = nil
	if _, err := get(p.Client(), "http://mmbiz.qpic.cn/x.jpg"); err == nil || !strings.Contains(err.Error(), "refused host mmbiz.qpic.cn: no host is allowed") {
		t.Errorf("no hosts: %v", err)
	}
	if n := lookups.Load(); n != 0 {
		t.Fatalf("%d lookups for URLs the policy refuses", n)
	}
}

func TestClientRefusalsSayWhy(t *testing.T) {
	p := egress.Policy{Hosts: []string{"127.0.0.1", "mmbiz.qpic.cn"},
		Lookup: lookup(map[string]string{"mmbiz.qpic.cn": "10.1.2.3"})}
	for u, want := range map[string]string{
		"http://127.0.0.1:9/metrics":   "refused address 127.0.0.1: loopback",
		"http://mmbiz.qpic.cn/x.jpg":   "refused address 10.1.2.3: private",
		"http://example.com/x.jpg":     "refused host example.com: not on the list",
		"gopher://mmbiz.qpic.cn/x.jpg": `refused scheme "gopher"`,
	} {
		_, err := get(p.Client(), u)
		if err == nil || !strings.Contains(err.Error(), want) || !egress.IsRefusal(err) {
			t.Errorf("GET %s: %v; want %q", u, err, want)
		}
	}
}

// TestClientRedirectLimit: past Redirects, the redirect itself is the answer.
func TestClientRedirectLimit(t *testing.T) {
	var n atomic.Int32
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, fmt.Sprintf("/hop%d", n.Load()), http.StatusFound)
	}))
	allow := []netip.AddrPort{addrPort(t, srv.URL)}
	for _, redirects := range []int{0, 2} {
		n.Store(0)
		c := egress.Policy{Hosts: []string{"127.0.0.2"}, AllowAddrs: allow, Redirects: redirects}.Client()
		resp, err := get(c, srv.URL+"/start")
		if err != nil || resp.StatusCode != http.StatusFound || int(n.Load()) != redirects+1 {
			t.Errorf("Redirects %d: %v %v after %d requests", redirects, resp, err, n.Load())
		}
	}
}

func TestCheckAddr(t *testing.T) {
	p := egress.Policy{
		Allow:      []netip.Prefix{netip.MustParsePrefix("10.8.0.0/16"), netip.MustParsePrefix("127.0.0.0/8")},
		AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:9090"), netip.MustParseAddrPort("[fd00::5]:8080")},
	}
	for ap, ok := range map[string]bool{
		"1.1.1.1:443":             true,
		"1.1.1.1:80":              true,
		"1.1.1.1:8080":            false, // ports other than HTTP's and HTTPS's
		"1.1.1.1:22":              false,
		"[2606:4700::1111]:443":   true,
		"10.8.3.4:443":            true, // an allowed prefix, on an allowed port
		"[::ffff:10.8.3.4]:80":    true,
		"10.8.3.4:8443":           false, // an allowed prefix opens no other port
		"127.0.0.1:80":            true,
		"127.0.0.1:6060":          false, // pprof on loopback, which is allowed on 80 and 443 only
		"127.0.0.1:9090":          true,  // one address and port
		"[::ffff:127.0.0.1]:9090": true,
		"127.0.0.1:9091":          false,
		"127.0.0.2:9090":          false,
		"[fd00::5]:8080":          true,
		"[fd00::5]:443":           false, // not in an allowed prefix: special
		"10.9.0.1:443":            false,
		"169.254.169.254:80":      false,
	} {
		err := p.CheckAddr(netip.MustParseAddrPort(ap))
		if (err == nil) != ok {
			t.Errorf("CheckAddr(%s) = %v; want allowed %v", ap, err, ok)
		}
	}
	p.Ports = []uint16{8443}
	if p.CheckAddr(netip.MustParseAddrPort("1.1.1.1:8443")) != nil || p.CheckAddr(netip.MustParseAddrPort("1.1.1.1:443")) == nil {
		t.Error("Ports does not replace the default ports")
	}
}

func TestCheckURL(t *testing.T) {
	p := egress.Policy{Hosts: []string{"mmbiz.qpic.cn", "Mmbiz.Qlogo.CN."}}
	for u, ok := range map[string]bool{
		"http://mmbiz.qpic.cn/mmbiz_jpg/abc/0": true,
		"https://MMBIZ.QPIC.CN./x":             true,
		"https://mmbiz.qlogo.cn/x":             true,
		"https://mmbiz.qpic.cn:8443/x":         true, // the port is the dial's business
		"https://sub.mmbiz.qpic.cn/x":          false,
		"https://mmbiz.qpic.cn.evil.example/x": false,
		"https://evil.example/mmbiz.qpic.cn":   false,
		"https://mmbiz.qpic.cn@evil.example/x": false,
		"ftp://mmbiz.qpic.cn/x":                false,
		"file:///etc/passwd":                   false,
		"http:///x":                            false,
	} {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.CheckURL(parsed); (err == nil) != ok {
			t.Errorf("CheckURL(%s) = %v; want allowed %v", u, err, ok)
		}
	}
	if (egress.Policy{}).CheckURL(&url.URL{Scheme: "https", Host: "mmbiz.qpic.cn"}) == nil {
		t.Error("the zero Policy allows a host")
	}
	if (egress.Policy{AnyHost: true}).CheckURL(&url.URL{Scheme: "https", Host: "example.com"}) != nil {
		t.Error("AnyHost refuses a host")
	}
}
