package egress_test

import (
	"fmt"
	"testing"

	"kefu/egress"
)

func TestParseHosts(t *testing.T) {
	got, err := egress.ParseHosts(" mmbiz.qpic.cn,MMBIZ.QLOGO.CN.  127.0.0.1,::1")
	if err != nil || fmt.Sprint(got) != "[mmbiz.qpic.cn mmbiz.qlogo.cn 127.0.0.1 ::1]" {
		t.Fatalf("ParseHosts = %v, %v", got, err)
	}
	if got, err := egress.ParseHosts(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"https://mmbiz.qpic.cn", "mmbiz.qpic.cn/x", "mmbiz.qpic.cn:80", "user@mmbiz.qpic.cn", "a b/c"} {
		if _, err := egress.ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q) took it", bad)
		}
	}
}

func TestParseAllow(t *testing.T) {
	prefixes, addrs, err := egress.ParseAllow("10.8.1.2/16, 127.0.0.1 ::1,fd00::/8 127.0.0.1:9090,[::1]:8443")
	if err != nil || fmt.Sprint(prefixes) != "[10.8.0.0/16 127.0.0.1/32 ::1/128 fd00::/8]" || fmt.Sprint(addrs) != "[127.0.0.1:9090 [::1]:8443]" {
		t.Fatalf("ParseAllow = %v, %v, %v", prefixes, addrs, err)
	}
	if prefixes, addrs, err := egress.ParseAllow(""); err != nil || prefixes != nil || addrs != nil {
		t.Fatalf("empty: %v, %v, %v", prefixes, addrs, err)
	}
	for _, bad := range []string{"10.8.0.0/33", "localhost", "localhost:9090", "fe80::1%eth0", "[fe80::1%eth0]:80", "10.0.0.0/8/8", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:http"} {
		if _, _, err := egress.ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q) took it", bad)
		}
	}
}
