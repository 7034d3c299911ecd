package egress

import "net/netip"

// special is a range of addresses that is not globally reachable, with the name
// refusals give it.
type special struct {
	prefix netip.Prefix
	name   string
}

func prefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// specialV4 is the IANA IPv4 Special-Purpose Address Registry's ranges that are not
// globally reachable, plus multicast and the reserved 240/4. First match wins.
var specialV4 = []special{
	{prefix("0.0.0.0/32"), "unspecified"},
	{prefix("0.0.0.0/8"), `"this network" (0.0.0.0/8)`},
	{prefix("10.0.0.0/8"), "private (RFC 1918)"},
	{prefix("100.64.0.0/10"), "shared address space (carrier-grade NAT, RFC 6598)"},
	{prefix("127.0.0.0/8"), "loopback"},
	{prefix("169.254.0.0/16"), "link-local"},
	{prefix("172.16.0.0/12"), "private (RFC 1918)"},
	{prefix("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"},
	{prefix("192.0.2.0/24"), "documentation (TEST-NET-1)"},
	{prefix("192.88.99.0/24"), "6to4 relay anycast (deprecated)"},
	{prefix("192.168.0.0/16"), "private (RFC 1918)"},
	{prefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{prefix("198.51.100.0/24"), "documentation (TEST-NET-2)"},
	{prefix("203.0.113.0/24"), "documentation (TEST-NET-3)"},
	{prefix("224.0.0.0/4"), "multicast"},
	{prefix("255.255.255.255/32"), "broadcast"},
	{prefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"},
}

// specialV6 is the same for IPv6. The forms that embed an IPv4 address (NAT64's
// well-known prefix, 6to4) are judged by the address they embed, in Special.
// Anything outside 2000::/3, the only range allocated for global unicast, is
// refused after these.
var specialV6 = []special{
	{prefix("::/128"), "unspecified"},
	{prefix("::1/128"), "loopback"},
	{prefix("::/96"), "IPv4-compatible (deprecated)"},
	{prefix("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"},
	{prefix("100::/64"), "discard-only (RFC 6666)"},
	{prefix("2001:db8::/32"), "documentation"},
	{prefix("2001::/23"), "IETF protocol assignments (2001::/23, Teredo among them)"},
	{prefix("3fff::/20"), "documentation"},
	{prefix("5f00::/16"), "SRv6 SIDs"},
	{prefix("fc00::/7"), "private (unique local)"},
	{prefix("fe80::/10"), "link-local"},
	{prefix("fec0::/10"), "site-local (deprecated)"},
	{prefix("ff00::/8"), "multicast"},
}

var (
	nat64     = prefix("64:ff9b::/96")
	sixToFour = prefix("2002::/16")
	global6   = prefix("2000::/3")
)

// Special reports whether a is an address an outside URL must not reach, and what
// kind it is: loopback, private, link-local, multicast, unspecified, or another
// range that is not globally reachable. IPv4-mapped addresses (::ffff:a.b.c.d) are
// judged as the IPv4 address; NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses
// by the IPv4 address they embed. A zone is ignored.
func Special(a netip.Addr) (kind string, ok bool) {
	if !a.IsValid() {
		return "invalid", true
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return match(specialV4, a)
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		if kind, ok := Special(netip.AddrFrom4([4]byte(b[12:16]))); ok {
			return "NAT64 form of " + kind, true
		}
		return "", false
	case sixToFour.Contains(a):
		if kind, ok := Special(netip.AddrFrom4([4]byte(b[2:6]))); ok {
			return "6to4 form of " + kind, true
		}
		return "", false
	}
	if kind, ok := match(specialV6, a); ok {
		return kind, true
	}
	if !global6.Contains(a) {
		return "not global unicast (outside 2000::/3)", true
	}
	return "", false
}

func match(table []special, a netip.Addr) (string, bool) {
	for _, s := range table {
		if s.prefix.Contains(a) {
			return s.name, true
		}
	}
	return "", false
}
