package egress

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ParseHosts reads a list of host names separated by commas or spaces, as a
// configuration value: no scheme, path or port; IP literals are taken as written.
func ParseHosts(s string) ([]string, error) {
	var hosts []string
	for _, f := range fields(s) {
		h := normalHost(f)
		if a, err := netip.ParseAddr(h); err == nil && a.Zone() == "" {
			hosts = append(hosts, h)
			continue
		}
		u, err := url.Parse("http://" + h + "/")
		if err != nil || h == "" || u.Host != h || u.Port() != "" || u.User != nil {
			return nil, fmt.Errorf("host %q: want a bare host name such as mmbiz.qpic.cn", f)
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// ParseAllow reads what an operator opens although special-purpose, separated by
// commas or spaces, as a configuration value: CIDR prefixes or single addresses
// (10.8.0.0/16, 10.8.0.1, ::1), reached on the policy's ports (Policy.Allow), and
// address:port pairs (127.0.0.1:9090, [::1]:9090), each reached on its port only
// (Policy.AllowAddrs).
func ParseAllow(s string) (prefixes []netip.Prefix, addrs []netip.AddrPort, err error) {
	for _, f := range fields(s) {
		if p, err := netip.ParsePrefix(f); err == nil {
			prefixes = append(prefixes, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil && a.Zone() == "" {
			prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		if ap, err := netip.ParseAddrPort(f); err == nil && ap.Addr().Zone() == "" && ap.Port() != 0 {
			addrs = append(addrs, ap)
			continue
		}
		return nil, nil, fmt.Errorf("%q: want a CIDR prefix (10.8.0.0/16), an IP address, or an IP address and port (127.0.0.1:9090)", f)
	}
	return prefixes, addrs, nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
