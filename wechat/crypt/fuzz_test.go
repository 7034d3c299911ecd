package crypt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

// FuzzDecrypt feeds arbitrary Encrypt values to Decrypt and Cipher.Open under
// the vectors' key. Neither may panic, every failure must be one of the
// sentinels, and whatever decrypts must be exactly what Encrypt would produce
// from the recovered parts: strict parsing leaves no slack in the layout.
func FuzzDecrypt(f *testing.F) {
	for _, s := range []string{
		v1Encrypt, v2Encrypt, v1ReplyEncrypt, v2ReplyEncrypt,
		"", "=", "!!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA==",
		base64.StdEncoding.EncodeToString(make([]byte, 32)),
		v1ReplyEncrypt[:40] + "\n" + v1ReplyEncrypt[40:],
	} {
		f.Add(s)
	}
	key := Key{} // the vectors' all-"A" EncodingAESKey
	s := newKeySchedule(key)
	c, err := NewCipher(vecAppID, vecAESKey, "")
	if err != nil {
		f.Fatal(err)
	}
	sentinels := []error{ErrBadBase64, ErrBadCiphertext, ErrBadPadding}

	f.Fuzz(func(t *testing.T, encrypt string) {
		msg, appID, err := Decrypt(key, encrypt)
		_, _, openErr := c.Open(encrypt)
		if err != nil {
			if !isOneOf(err, sentinels) {
				t.Fatalf("Decrypt returned a non-sentinel error: %v", err)
			}
			if !errors.Is(openErr, err) {
				t.Fatalf("Open err = %v, Decrypt err = %v", openErr, err)
			}
			return
		}
		if (appID == vecAppID) != (openErr == nil) {
			t.Fatalf("appid tail %q but Open err = %v", appID, openErr)
		}

		f, err := decryptFrame(s, encrypt)
		if err != nil {
			t.Fatalf("decryptFrame disagrees with Decrypt: %v", err)
		}
		again := Encrypt(key, f.random, msg, appID)
		want, _ := base64.StdEncoding.DecodeString(encrypt)
		got, _ := base64.StdEncoding.DecodeString(again)
		if !bytes.Equal(got, want) {
			t.Fatalf("re-encrypting (%q, %q) gave a different ciphertext", msg, appID)
		}
	})
}

// FuzzRoundTrip seals arbitrary messages for arbitrary appids and opens them
// again, with both the free functions and a Cipher holding two keys.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(v1Msg), vecAppID)
	f.Add([]byte(v2Msg), vecComponent)
	f.Add([]byte("消息长度是按字节来算的"), "wx")
	f.Add([]byte{}, "")
	f.Add(bytes.Repeat([]byte{32}, 32), "\x00\xff")
	key := Key{1, 2, 3}

	f.Fuzz(func(t *testing.T, msg []byte, appID string) {
		enc := Encrypt(key, [16]byte{9}, msg, appID)
		gotMsg, gotAppID, err := Decrypt(key, enc)
		if err != nil || !bytes.Equal(gotMsg, msg) || gotAppID != appID {
			t.Fatalf("Decrypt(Encrypt(%q, %q)) = %q, %q, %v", msg, appID, gotMsg, gotAppID, err)
		}
		if appID == "" {
			return // NewCipher refuses an empty appid
		}
		c, err := NewCipher(appID, keyA, keyB)
		if err != nil {
			t.Fatal(err)
		}
		for _, used := range []KeyIndex{KeyCurrent, KeyPrevious} {
			sealed, err := c.Seal(msg, used)
			if err != nil {
				t.Fatal(err)
			}
			opened, gotUsed, err := c.Open(sealed)
			if err != nil || !bytes.Equal(opened, msg) || gotUsed != used {
				t.Fatalf("Open(Seal(%q, %v)) = %q, %v, %v", msg, used, opened, gotUsed, err)
			}
		}
	})
}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
