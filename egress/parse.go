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

// ParsePrefixes reads a list of CIDR prefixes or single addresses (10.8.0.0/16,
// 127.0.0.1, ::1) separated by commas or spaces, as a configuration value.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range fields(s) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q: want a CIDR prefix (10.8.0.0/16) or an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
