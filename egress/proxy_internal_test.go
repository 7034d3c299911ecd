package egress

import "testing"

// TestClientUsesNoProxy: a proxy from the environment would fetch any URL on kefu's
// behalf, past the address check.
func TestClientUsesNoProxy(t *testing.T) {
	g, ok := Policy{AnyHost: true}.Client().Transport.(*guard)
	if !ok || g.base.Proxy != nil {
		t.Fatalf("transport %T uses a proxy", g)
	}
}

// TestDialerControlChecksAddress: the dialer refuses an inside address even when
// something reaches it without the guard's own resolution.
func TestDialerControlChecksAddress(t *testing.T) {
	g := Policy{AnyHost: true}.Client().Transport.(*guard)
	for addr, ok := range map[string]bool{"127.0.0.1:80": false, "[::1]:443": false, "93.184.215.14:443": true, "1.1.1.1:25": false, "nonsense": false} {
		if err := g.dialer.Control("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("Control(%s) = %v; want allowed %v", addr, err, ok)
		}
	}
}
