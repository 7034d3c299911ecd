package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Bounds on the steps a caller's deadline would otherwise leave to one timeout, so
// that a dead host fails fast at the dial.
const (
	dialTimeout      = 5 * time.Second
	handshakeTimeout = 5 * time.Second
)

// Client returns an *http.Client that goes only where p allows: every request's
// URL (redirects included) passes CheckURL, and every connection's address passes
// CheckAddr, checked on the resolved address before it is dialled and once more
// by the dialer itself. It never uses a proxy (see the package doc). Callers bound
// each request with their context.
func (p Policy) Client() *http.Client {
	g := &guard{policy: p}
	g.dialer = &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Control: g.control}
	g.base = &http.Transport{
		Proxy:                 nil,
		DialContext:           g.dial,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   handshakeTimeout,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: g, CheckRedirect: g.checkRedirect}
}

// guard is the client's transport: the URL check in front of an http.Transport
// whose dialer checks addresses.
type guard struct {
	policy Policy
	dialer *net.Dialer
	base   *http.Transport
}

// RoundTrip refuses a URL the policy does not allow before anything is resolved
// or dialled. http.Client calls it for each redirect hop as well.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.policy.CheckURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return g.base.RoundTrip(req)
}

// checkRedirect follows at most policy.Redirects redirects; past that the redirect
// answer is returned as it is. The Referer is dropped: the URL it would carry may
// be signed.
func (g *guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > g.policy.Redirects {
		return http.ErrUseLastResponse
	}
	req.Header.Del("Referer")
	return g.policy.CheckURL(req.URL)
}

// dial resolves the host itself, so that every address a name leads to is checked
// before any is dialled, and dials the allowed ones in turn.
func (g *guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("egress: bad port in %q", address)
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var refused, failed error
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, uint16(port))
		if err := g.policy.CheckAddr(ap); err != nil {
			refused = cmpErr(refused, err)
			continue
		}
		conn, err := g.dialer.DialContext(ctx, network, ap.String())
		if err == nil {
			return conn, nil
		}
		failed = err
		if ctx.Err() != nil {
			break
		}
	}
	if failed != nil {
		return nil, failed
	}
	if refused != nil {
		return nil, refused
	}
	return nil, fmt.Errorf("egress: %s has no address", host)
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// resolve returns the addresses of host, a name or a literal.
func (g *guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	host = normalHost(host) // as CheckURL compared it
	if g.policy.Lookup != nil {
		return g.policy.Lookup(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// control is the dialer's last word on the address it is about to connect to,
// whatever path led there.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Refusal{Target: "address " + address, Reason: "not an IP address and port"}
	}
	return g.policy.CheckAddr(ap)
}

// IsRefusal reports whether err (or one it wraps) is a *Refusal.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}
