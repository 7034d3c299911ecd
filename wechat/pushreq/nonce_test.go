package pushreq

import "testing"

// Nonces do not repeat, and do not look like a counter.
func TestNoncesDoNotRepeat(t *testing.T) {
	n := NewNonces()
	seen := map[string]bool{}
	prev := ""
	for range 200000 {
		s := n.Next()
		if seen[s] {
			t.Fatalf("nonce %s came twice", s)
		}
		seen[s] = true
		if prev != "" && len(s) > 3 && s[:len(s)-1] == prev[:len(prev)-1] {
			t.Fatalf("consecutive nonces %s and %s look like a counter", prev, s)
		}
		prev = s
	}
}
