package egress

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// Policy says where a client for outside-supplied URLs may go. The zero value
// refuses every host; set Hosts, or AnyHost for a client that may go anywhere
// public. A Policy is read when Client is called; change it afterwards and nothing
// happens.
type Policy struct {
	// Hosts are the host names (or literal IP addresses) URLs may name, the first
	// request's and every redirect's, compared without case and without a trailing
	// dot. The addresses they resolve to are checked all the same.
	Hosts []string
	// AnyHost lets URLs name any host; the address check still applies.
	AnyHost bool
	// Allow lists prefixes that may be reached although they are special-purpose
	// (an internal mirror), on Ports like any other address: a prefix holding
	// loopback must not open every service there (kefu's own /metrics, pprof) to
	// any allowed name that resolves to it. Only an operator's configuration
	// belongs here, never anything from the request.
	Allow []netip.Prefix
	// AllowAddrs lists single services that may be reached although special-
	// purpose and on a port outside Ports: exactly that address on exactly that
	// port (the simulator on 127.0.0.1:9090, a test server). Operator
	// configuration only, like Allow.
	AllowAddrs []netip.AddrPort
	// Ports are the ports addresses may be reached on, other than AllowAddrs';
	// empty: 80 and 443.
	Ports []uint16
	// Redirects is how many redirects are followed, each checked like the first
	// request; beyond that the redirect itself is the answer. 0: none.
	Redirects int
	// Lookup resolves a host name; nil: the system resolver. Tests point names at
	// addresses with it.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Refusal is the error for a destination the policy does not allow. It says what
// was refused and why, and never carries anything a server answered.
type Refusal struct {
	Target string // what was refused: a URL's host or scheme, an address, a port
	Reason string
}

func (r *Refusal) Error() string { return "egress: refused " + r.Target + ": " + r.Reason }

// defaultPorts are HTTP's and HTTPS's.
var defaultPorts = []uint16{80, 443}

// CheckURL reports whether u may be requested: http or https, a host the policy
// names. The address it leads to is checked when it is dialled.
func (p Policy) CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &Refusal{Target: "scheme " + fmt.Sprintf("%q", u.Scheme), Reason: "only http and https are fetched"}
	}
	host := normalHost(u.Hostname())
	if host == "" {
		return &Refusal{Target: "a URL without a host", Reason: "nothing to fetch"}
	}
	if !p.AnyHost && len(p.Hosts) == 0 {
		return &Refusal{Target: "host " + host, Reason: "no host is allowed"}
	}
	if !p.AnyHost && !slices.ContainsFunc(p.Hosts, func(h string) bool { return normalHost(h) == host }) {
		return &Refusal{Target: "host " + host, Reason: "not on the list of hosts allowed"}
	}
	return nil
}

// CheckAddr reports whether the address (after DNS) may be connected to: one of
// AllowAddrs, else an ordinary public address or one in an allowed prefix, on one
// of Ports.
func (p Policy) CheckAddr(ap netip.AddrPort) error {
	a := ap.Addr().WithZone("").Unmap()
	for _, allowed := range p.AllowAddrs {
		if allowed.Addr().WithZone("").Unmap() == a && allowed.Port() == ap.Port() {
			return nil
		}
	}
	inAllowed := slices.ContainsFunc(p.Allow, func(allowed netip.Prefix) bool { return allowed.Contains(a) })
	if kind, special := Special(a); special && !inAllowed {
		return &Refusal{Target: "address " + a.String(), Reason: kind + ": not the public internet"}
	}
	ports := p.Ports
	if len(ports) == 0 {
		ports = defaultPorts
	}
	if !slices.Contains(ports, ap.Port()) {
		return &Refusal{Target: fmt.Sprintf("port %d on %s", ap.Port(), a), Reason: fmt.Sprintf("only ports %s are reached", portList(ports))}
	}
	return nil
}

// normalHost lower-cases a host name and drops a trailing dot, which names the
// same host.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ", ")
}
