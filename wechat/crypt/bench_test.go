package crypt

import "testing"

// BenchmarkOpen measures the per-push decrypt of a V1-sized (167-byte) message.
func BenchmarkOpen(b *testing.B) {
	c := mustCipher(b, vecAppID, vecAESKey, "")
	b.ReportAllocs()
	b.SetBytes(int64(len(v1Msg)))
	for b.Loop() {
		if _, _, err := c.Open(v1Encrypt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenPrevious measures the rotation path: the current key fails first.
func BenchmarkOpenPrevious(b *testing.B) {
	c := mustCipher(b, vecAppID, keyA, vecAESKey)
	b.ReportAllocs()
	for b.Loop() {
		if _, used, err := c.Open(v1Encrypt); err != nil || used != KeyPrevious {
			b.Fatal(used, err)
		}
	}
}

// BenchmarkSeal measures an encrypted passive reply (transfer_customer_service
// is of this size).
func BenchmarkSeal(b *testing.B) {
	c := mustCipher(b, vecAppID, vecAESKey, "")
	msg := []byte(v1Msg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Seal(msg, KeyCurrent); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMsgSignature measures the msg_signature check of a V1 push.
func BenchmarkMsgSignature(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !Equal(MsgSignature(vecToken, v1Timestamp, v1Nonce, v1Encrypt), v1MsgSignature) {
			b.Fatal("mismatch")
		}
	}
}

// TestOpenAllocations guards the hot path: the decoded buffer, which becomes
// the returned msg, should be Open's only allocation. The bound leaves room for
// one more so that a toolchain change does not fail the build on its own.
func TestOpenAllocations(t *testing.T) {
	c := mustCipher(t, vecAppID, vecAESKey, "")
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := c.Open(v1Encrypt); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Fatalf("Open allocates %.0f times per call, want at most 2", allocs)
	}
}
