package egress_test

import (
	"net/netip"
	"strings"
	"testing"

	"kefu/egress"
)

func TestSpecial(t *testing.T) {
	for _, tc := range []struct {
		addr string
		kind string // "" for an ordinary public address; else a word the kind must contain
	}{
		// Public addresses, v4 and v6, in their several spellings.
		{"1.1.1.1", ""},
		{"8.8.8.8", ""},
		{"101.226.233.160", ""}, // a CDN address of the kind mmbiz.qpic.cn resolves to
		{"::ffff:8.8.8.8", ""},
		{"2400:da00::6666", ""},
		{"2606:4700:4700::1111", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", ""},  // 6to4 of 8.8.8.8
		{"100.63.255.255", ""},   // just below CGNAT
		{"100.128.0.0", ""},      // just above
		{"172.15.255.255", ""},   // just below 172.16/12
		{"172.32.0.0", ""},       // just above
		{"223.255.255.255", ""},  // just below multicast
		{"192.0.1.255", ""},      // between 192.0.0.0/24 and TEST-NET-1
		{"198.20.0.0", ""},       // just above benchmarking

		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "this network"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:192.168.0.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "link-local"}, // cloud metadata
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"febf::1", "link-local"},
		{"fec0::1", "site-local"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"ff0e::1", "multicast"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.255", "carrier-grade NAT"},
		{"192.0.0.8", "IETF"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"192.88.99.1", "6to4 relay"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.254", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"::7f00:1", "IPv4-compatible"}, // ::127.0.0.1
		{"::808:808", "IPv4-compatible"},
		{"64:ff9b::7f00:1", "NAT64 form of loopback"},
		{"64:ff9b::a00:1", "NAT64 form of private"},
		{"64:ff9b::a9fe:a9fe", "NAT64 form of link-local"},
		{"64:ff9b:1::a00:1", "local-use NAT64"},
		{"2002:7f00:1::1", "6to4 form of loopback"},
		{"2002:c0a8:101::1", "6to4 form of private"},
		{"2002:a9fe:a9fe::", "6to4 form of link-local"},
		{"2001::1", "Teredo"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
		{"100::1", "discard-only"},
		{"5f00::1", "SRv6"},
		{"4000::1", "not global unicast"},
		{"::ffff:0.0.0.0", "unspecified"},
	} {
		kind, special := egress.Special(netip.MustParseAddr(tc.addr))
		if special != (tc.kind != "") || !strings.Contains(kind, tc.kind) {
			t.Errorf("Special(%s) = %q, %v; want kind containing %q", tc.addr, kind, special, tc.kind)
		}
	}
	if _, special := egress.Special(netip.Addr{}); !special {
		t.Error("the zero Addr is not refused")
	}
}
