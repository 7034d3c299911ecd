package crypt

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// randomMessage mixes ASCII, Chinese, emoji and raw bytes, so that msg_len (a
// byte count) and the rune count usually differ.
func randomMessage(r *rand.Rand) []byte {
	pieces := []string{"a", "Z", "0", " ", "\n", "<", "]]>", "你", "好", "客服", "消息", "😀", "\x00", "\xff"}
	n := r.IntN(120)
	var b strings.Builder
	for range n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return []byte(b.String())
}

func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	key := mustKey(t, keyC)
	c := mustCipher(t, vecAppID, keyC, keyA)
	sawMultibyte := false
	for i := range 2000 {
		msg := randomMessage(r)
		if i < 70 { // every length around the block boundaries, ASCII only
			msg = []byte(strings.Repeat("x", i))
		}
		if utf8.RuneCount(msg) != len(msg) {
			sawMultibyte = true
		}
		var random [16]byte
		for j := range random {
			random[j] = byte(r.Uint32())
		}

		enc := Encrypt(key, random, msg, vecAppID)
		plain := decryptRaw(t, key, enc)
		if len(plain)%32 != 0 {
			t.Fatalf("ciphertext of %d bytes is not whole 32-byte blocks", len(plain))
		}
		if got := binary.BigEndian.Uint32(plain[16:20]); int(got) != len(msg) {
			t.Fatalf("msg_len = %d, want %d bytes (%d runes)", got, len(msg), utf8.RuneCount(msg))
		}
		gotMsg, gotAppID, err := Decrypt(key, enc)
		if err != nil || string(gotMsg) != string(msg) || gotAppID != vecAppID {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %q, %v", msg, gotMsg, gotAppID, err)
		}

		used := KeyIndex(i % 2)
		sealed, err := c.Seal(msg, used)
		if err != nil {
			t.Fatal(err)
		}
		opened, gotUsed, err := c.Open(sealed)
		if err != nil || string(opened) != string(msg) || gotUsed != used {
			t.Fatalf("Open(Seal(%q, %v)) = %q, %v, %v", msg, used, opened, gotUsed, err)
		}
	}
	if !sawMultibyte {
		t.Fatal("generator produced no multi-byte text")
	}
}

// TestChineseMsgLen pins the byte count on the example the official C# sample
// warns about: msg_len counts UTF-8 bytes, not characters.
func TestChineseMsgLen(t *testing.T) {
	key := mustKey(t, vecAESKey)
	msg := []byte("消息长度是按字节来算的")
	plain := decryptRaw(t, key, Encrypt(key, random16(v1Random), msg, vecAppID))
	if got := binary.BigEndian.Uint32(plain[16:20]); got != 33 {
		t.Fatalf("msg_len = %d, want 33 (11 characters × 3 bytes)", got)
	}
}
