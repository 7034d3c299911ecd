package crypt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	keyA = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	keyB = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	keyC = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

func mustCipher(t testing.TB, appID, cur, prev string) *Cipher {
	t.Helper()
	c, err := NewCipher(appID, cur, prev)
	if err != nil {
		t.Fatalf("NewCipher: %v", err)
	}
	return c
}

// sealFixed seals under a fixed random prefix, so that which error a wrong key
// produces (bad padding, or rarely a bad msg_len) is the same on every run.
func sealFixed(t testing.TB, encodedKey string, msg []byte, appID string) string {
	t.Helper()
	return Encrypt(mustKey(t, encodedKey), random16(v1Random), msg, appID)
}

func TestCipherOpenVectors(t *testing.T) {
	tests := []struct {
		name, appID, encrypt, msg string
	}{
		{"V1 request", vecAppID, v1Encrypt, v1Msg},
		{"V1 reply", vecAppID, v1ReplyEncrypt, v1ReplyMsg},
		{"V2 request", vecComponent, v2Encrypt, v2Msg},
		{"V2 reply", vecComponent, v2ReplyEncrypt, v2ReplyMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCipher(t, tt.appID, vecAESKey, "")
			msg, used, err := c.Open(tt.encrypt)
			if err != nil || used != KeyCurrent || string(msg) != tt.msg {
				t.Fatalf("Open = %q, %v, %v", msg, used, err)
			}
		})
	}
}

func TestCipherOpenWrongAppID(t *testing.T) {
	// V2 is sealed for the component appid, not the mini program's.
	c := mustCipher(t, vecAppID, vecAESKey, "")
	if _, _, err := c.Open(v2Encrypt); !errors.Is(err, ErrBadAppID) {
		t.Fatalf("err = %v, want ErrBadAppID", err)
	}
	// A prefix of the right appid is not the appid.
	c = mustCipher(t, vecAppID[:len(vecAppID)-1], vecAESKey, "")
	if _, _, err := c.Open(v1Encrypt); !errors.Is(err, ErrBadAppID) {
		t.Fatalf("err = %v, want ErrBadAppID", err)
	}
}

func TestCipherRotation(t *testing.T) {
	old := mustCipher(t, vecAppID, keyA, "")
	cur := mustCipher(t, vecAppID, keyB, "")
	rotated := mustCipher(t, vecAppID, keyB, keyA)
	msg := []byte(`{"MsgType":"text","Content":"你好"}`)

	sealedOld := sealFixed(t, keyA, msg, vecAppID)
	sealedCur := sealFixed(t, keyB, msg, vecAppID)

	tests := []struct {
		name     string
		c        *Cipher
		encrypt  string
		wantUsed KeyIndex
		wantErr  error
	}{
		{"current key", rotated, sealedCur, KeyCurrent, nil},
		{"previous key", rotated, sealedOld, KeyPrevious, nil},
		{"old key, no previous configured", cur, sealedOld, KeyCurrent, ErrBadPadding},
		{"neither key", mustCipher(t, vecAppID, keyC, vecAESKey), sealedOld, KeyCurrent, ErrBadPadding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, used, err := tt.c.Open(tt.encrypt)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if used != tt.wantUsed || string(got) != string(msg) {
				t.Fatalf("Open = %q, %v; want %q, %v", got, used, msg, tt.wantUsed)
			}
			// The reply goes out under the key that opened the push, and the
			// single-key Cipher holding that key can read it.
			reply, err := tt.c.Seal([]byte("ok"), used)
			if err != nil {
				t.Fatal(err)
			}
			reader := cur
			if used == KeyPrevious {
				reader = old
			}
			if back, _, err := reader.Open(reply); err != nil || string(back) != "ok" {
				t.Fatalf("reply did not open with the %v key: %q %v", used, back, err)
			}
		})
	}
}

// TestCipherOpenErrorPrecedence pins which error Open reports when no key works.
func TestCipherOpenErrorPrecedence(t *testing.T) {
	forOther := sealFixed(t, keyA, []byte("x"), "wxother")
	tests := []struct {
		name    string
		c       *Cipher
		encrypt string
		want    error
	}{
		{"current gives bad appid, previous bad padding", mustCipher(t, vecAppID, keyA, keyB), forOther, ErrBadAppID},
		{"current bad padding, previous gives bad appid", mustCipher(t, vecAppID, keyB, keyA), forOther, ErrBadAppID},
		{"both bad padding", mustCipher(t, vecAppID, keyB, keyC), forOther, ErrBadPadding},
		{"base64 error is not retried", mustCipher(t, vecAppID, keyB, keyC), "!!", ErrBadBase64},
		{"length error is not retried", mustCipher(t, vecAppID, keyB, keyC), "AAAA", ErrBadCiphertext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, used, err := tt.c.Open(tt.encrypt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg != nil || used != KeyCurrent {
				t.Fatalf("failed Open returned %q, %v", msg, used)
			}
		})
	}
}

func TestNewCipherRejects(t *testing.T) {
	tests := []struct {
		name             string
		appID, cur, prev string
		want             error
	}{
		{"empty appid", "", keyA, "", ErrBadAppID},
		{"bad current key", vecAppID, keyA[:42], "", ErrBadKey},
		{"empty current key", vecAppID, "", keyA, ErrBadKey},
		{"bad previous key", vecAppID, keyA, keyB + "=", ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCipher(tt.appID, tt.cur, tt.prev)
			if !errors.Is(err, tt.want) || c != nil {
				t.Fatalf("NewCipher = %v, %v; want nil, %v", c, err, tt.want)
			}
			if strings.Contains(err.Error(), "kWxP") || strings.Contains(err.Error(), "abcd") {
				t.Fatalf("error quotes the key: %v", err)
			}
		})
	}
}

func TestSealRejectsMissingKey(t *testing.T) {
	c := mustCipher(t, vecAppID, keyA, "")
	for _, i := range []KeyIndex{KeyPrevious, 2, -1} {
		if _, err := c.Seal([]byte("x"), i); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("Seal(%v) err = %v, want ErrNoSuchKey", i, err)
		}
	}
}

// TestSealIsRandomized checks that two seals of one message differ (fresh random
// prefix) and that Seal matches Encrypt given the prefix it drew.
func TestSealIsRandomized(t *testing.T) {
	c := mustCipher(t, vecAppID, vecAESKey, "")
	a, err := c.Seal([]byte(v1ReplyMsg), KeyCurrent)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Seal([]byte(v1ReplyMsg), KeyCurrent)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two seals produced the same Encrypt")
	}
	f, err := decryptFrame(newKeySchedule(Key{}), a)
	if err != nil {
		t.Fatal(err)
	}
	if want := Encrypt(Key{}, f.random, []byte(v1ReplyMsg), vecAppID); a != want {
		t.Fatal("Seal disagrees with Encrypt under the same random prefix")
	}
}

func TestCipherRedacted(t *testing.T) {
	c := mustCipher(t, vecAppID, keyC, keyA)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		for _, arg := range []any{c, *c} {
			out := fmt.Sprintf(verb, arg)
			if out != "crypt.Cipher(wxba5fad812f8e6fb9, 2 keys)" {
				t.Errorf("%s of %T = %q", verb, arg, out)
			}
		}
	}
}

func TestKeyIndexString(t *testing.T) {
	if KeyCurrent.String() != "current" || KeyPrevious.String() != "previous" || KeyIndex(7).String() != "KeyIndex(7)" {
		t.Fatal("KeyIndex.String")
	}
}
