package crypt

import "testing"

func TestSignatureV0(t *testing.T) {
	tests := []struct {
		name             string
		token, ts, nonce string
		want             string
	}{
		{"GET verification", "AAAAA", "1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696"},
		{"plaintext POST", "AAAAA", "1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78"},
		{"secure POST", "AAAAA", "1714112445", "415670741", "6c5c811b55cc85e0e1b54100749188c20beb3f5d"},
		{"third-party secure POST", "AAAAA", "1715943329", "1590219412", "cc0c594499c1634947d5b502f158ee518947db27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Signature(tt.token, tt.ts, tt.nonce)
			if got != tt.want {
				t.Fatalf("Signature = %s, want %s", got, tt.want)
			}
			if !Equal(got, tt.want) {
				t.Fatal("Equal(got, want) = false")
			}
		})
	}
}

func TestMsgSignatureVectors(t *testing.T) {
	tests := []struct {
		name                      string
		token, ts, nonce, encrypt string
		want                      string
	}{
		{"V1 request", vecToken, v1Timestamp, v1Nonce, v1Encrypt, v1MsgSignature},
		{"V1 reply", vecToken, v1ReplyTimestamp, v1ReplyNonce, v1ReplyEncrypt, v1ReplyMsgSignature},
		{"V2 request", vecToken, v2Timestamp, v2Nonce, v2Encrypt, v2MsgSignature},
		{"V2 reply", vecToken, v2ReplyTimestamp, v2ReplyNonce, v2ReplyEncrypt, v2ReplyMsgSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MsgSignature(tt.token, tt.ts, tt.nonce, tt.encrypt); got != tt.want {
				t.Fatalf("MsgSignature = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSignatureOrderIndependent pins the sort: WeChat hashes the sorted list, so
// the argument order must not matter, and an Encrypt starting with '+' sorts first.
func TestSignatureOrderIndependent(t *testing.T) {
	a := MsgSignature(vecToken, v1Timestamp, v1Nonce, v1Encrypt)
	b := MsgSignature(v1Encrypt, v1Nonce, v1Timestamp, vecToken)
	if a != b {
		t.Fatalf("argument order changed the signature: %s vs %s", a, b)
	}
}

// TestSignatureLongInput covers a join that outgrows the stack buffer.
func TestSignatureLongInput(t *testing.T) {
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	a := MsgSignature(vecToken, v1Timestamp, v1Nonce, string(long))
	b := MsgSignature(string(long), v1Nonce, v1Timestamp, vecToken)
	if a != b || len(a) != 40 {
		t.Fatalf("long input: %q vs %q", a, b)
	}
}

func TestSignatureMismatch(t *testing.T) {
	const want = "6c5c811b55cc85e0e1b54100749188c20beb3f5d"
	tests := []struct {
		name             string
		token, ts, nonce string
	}{
		{"wrong token", "AAAAB", "1714112445", "415670741"},
		{"wrong timestamp", "AAAAA", "1714112446", "415670741"},
		{"wrong nonce", "AAAAA", "1714112445", "415670742"},
		{"empty token", "", "1714112445", "415670741"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if Equal(Signature(tt.token, tt.ts, tt.nonce), want) {
				t.Fatal("a wrong input produced the expected signature")
			}
		})
	}
	if Equal(MsgSignature(vecToken, v1Timestamp, v1Nonce, v1Encrypt+"x"), v1MsgSignature) {
		t.Fatal("a tampered Encrypt produced the expected msg_signature")
	}
}

func TestEqual(t *testing.T) {
	const sig = "6c5c811b55cc85e0e1b54100749188c20beb3f5d"
	tests := []struct {
		name      string
		got, want string
		equal     bool
	}{
		{"same", sig, sig, true},
		{"last char differs", sig[:39] + "e", sig, false},
		{"first char differs", "7" + sig[1:], sig, false},
		{"uppercase", "6C5C811B55CC85E0E1B54100749188C20BEB3F5D", sig, false},
		{"prefix", sig[:39], sig, false},
		{"longer", sig + "0", sig, false},
		{"empty got", "", sig, false},
		{"both empty", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(tt.got, tt.want); got != tt.equal {
				t.Fatalf("Equal = %v, want %v", got, tt.equal)
			}
		})
	}
}
