package crypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustKey(t testing.TB, encoded string) Key {
	t.Helper()
	k, err := ParseKey(encoded)
	if err != nil {
		t.Fatalf("ParseKey: %v", err)
	}
	return k
}

// decryptRaw undoes only base64 and AES-CBC, for checking the exact plaintext
// layout independently of the code under test.
func decryptRaw(t testing.TB, k Key, encrypt string) []byte {
	t.Helper()
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(k[:])
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, k[:16]).CryptBlocks(plain, ct)
	return plain
}

// encryptRaw encrypts plain as given, with no padding or framing, so tests can
// build envelopes that a correct sender would never produce.
func encryptRaw(t testing.TB, k Key, plain []byte) string {
	t.Helper()
	block, err := aes.NewCipher(k[:])
	if err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, k[:16]).CryptBlocks(ct, plain)
	return base64.StdEncoding.EncodeToString(ct)
}

func TestDecryptVectors(t *testing.T) {
	key := mustKey(t, vecAESKey)
	tests := []struct {
		name                 string
		encrypt              string
		random, msg, appID   string
		msgLen               int
		cipherLen, fullStrLn int
	}{
		{"V1 request", v1Encrypt, v1Random, v1Msg, vecAppID, v1MsgLen, v1CipherLen, v1FullStrLen},
		{"V2 request", v2Encrypt, v2Random, v2Msg, vecComponent, v2MsgLen, v2CipherLen, v2FullStrLen},
		{"V1 reply", v1ReplyEncrypt, v1ReplyRandom, v1ReplyMsg, vecAppID, 25, 64, 63},
		{"V2 reply", v2ReplyEncrypt, v2ReplyRandom, v2ReplyMsg, vecComponent, 52, 96, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, appID, err := Decrypt(key, tt.encrypt)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if string(msg) != tt.msg {
				t.Errorf("msg = %q, want %q", msg, tt.msg)
			}
			if len(msg) != tt.msgLen {
				t.Errorf("len(msg) = %d, want %d", len(msg), tt.msgLen)
			}
			if appID != tt.appID {
				t.Errorf("appid tail = %q, want %q", appID, tt.appID)
			}

			f, err := decryptFrame(newKeySchedule(key), tt.encrypt)
			if err != nil {
				t.Fatal(err)
			}
			if string(f.random[:]) != tt.random {
				t.Errorf("random = %q, want %q", f.random[:], tt.random)
			}

			plain := decryptRaw(t, key, tt.encrypt)
			if len(plain) != tt.cipherLen {
				t.Errorf("ciphertext bytes = %d, want %d", len(plain), tt.cipherLen)
			}
			if got := binary.BigEndian.Uint32(plain[16:20]); int(got) != tt.msgLen {
				t.Errorf("msg_len field = %d, want %d", got, tt.msgLen)
			}
			pad := int(plain[len(plain)-1])
			if full := len(plain) - pad; full != tt.fullStrLn {
				t.Errorf("FullStr bytes = %d, want %d", full, tt.fullStrLn)
			}
		})
	}
}

func TestEncryptVectors(t *testing.T) {
	key := mustKey(t, vecAESKey)
	tests := []struct {
		name               string
		random, msg, appID string
		want               string
		ts, nonce, wantSig string
	}{
		{"V1 reply", v1ReplyRandom, v1ReplyMsg, vecAppID, v1ReplyEncrypt, v1ReplyTimestamp, v1ReplyNonce, v1ReplyMsgSignature},
		{"V2 reply", v2ReplyRandom, v2ReplyMsg, vecComponent, v2ReplyEncrypt, v2ReplyTimestamp, v2ReplyNonce, v2ReplyMsgSignature},
		{"V1 request", v1Random, v1Msg, vecAppID, v1Encrypt, v1Timestamp, v1Nonce, v1MsgSignature},
		{"V2 request", v2Random, v2Msg, vecComponent, v2Encrypt, v2Timestamp, v2Nonce, v2MsgSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Encrypt(key, random16(tt.random), []byte(tt.msg), tt.appID)
			if got != tt.want {
				t.Fatalf("Encrypt =\n%s\nwant\n%s", got, tt.want)
			}
			if sig := MsgSignature(vecToken, tt.ts, tt.nonce, got); sig != tt.wantSig {
				t.Fatalf("MsgSignature = %s, want %s", sig, tt.wantSig)
			}
		})
	}
}

// TestV1ReplyPadding checks the one detail the vector spells out: 63 bytes of
// FullStr take a single pad byte 0x01.
func TestV1ReplyPadding(t *testing.T) {
	plain := decryptRaw(t, mustKey(t, vecAESKey), v1ReplyEncrypt)
	if len(plain) != 64 || plain[63] != 0x01 {
		t.Fatalf("len %d, last byte %#x; want 64 and 0x01", len(plain), plain[len(plain)-1])
	}
}

// frameBytes builds an unpadded FullStr with an arbitrary msg_len field.
func frameBytes(msgLen uint32, msg, appID string) []byte {
	b := []byte(v1Random)
	b = binary.BigEndian.AppendUint32(b, msgLen)
	b = append(b, msg...)
	return append(b, appID...)
}

func TestDecryptRejects(t *testing.T) {
	key := mustKey(t, vecAESKey)
	other := mustKey(t, "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")

	// 16+4+5+18 = 43 bytes of frame, so 21 pad bytes make two blocks.
	body := frameBytes(5, "hello", vecAppID)
	padded := func(pad []byte) []byte { return append(append([]byte{}, body...), pad...) }
	good := padded(bytes.Repeat([]byte{21}, 21))

	tests := []struct {
		name    string
		key     Key
		encrypt string
		want    error
	}{
		{"control: well formed", key, encryptRaw(t, key, good), nil},
		{"not base64", key, "not base64!", ErrBadBase64},
		{"url-safe base64", key, strings.NewReplacer("+", "-", "/", "_").Replace(v1Encrypt), ErrBadBase64},
		{"missing base64 padding", key, strings.TrimRight(v1ReplyEncrypt, "="), ErrBadBase64},
		{"non-zero trailing bits", key, v1ReplyEncrypt[:len(v1ReplyEncrypt)-3] + "T==", ErrBadBase64},
		{"empty", key, "", ErrBadCiphertext},
		{"16 bytes", key, base64.StdEncoding.EncodeToString(make([]byte, 16)), ErrBadCiphertext},
		{"48 bytes", key, base64.StdEncoding.EncodeToString(make([]byte, 48)), ErrBadCiphertext},
		{"31 bytes", key, base64.StdEncoding.EncodeToString(make([]byte, 31)), ErrBadCiphertext},
		{"truncated vector", key, base64.StdEncoding.EncodeToString(mustDecode(t, v1Encrypt)[:200]), ErrBadCiphertext},
		{"pad byte 0", key, encryptRaw(t, key, padded(append(bytes.Repeat([]byte{21}, 20), 0))), ErrBadPadding},
		{"pad byte 33", key, encryptRaw(t, key, padded(append(bytes.Repeat([]byte{21}, 20), 33))), ErrBadPadding},
		{"pad byte 255", key, encryptRaw(t, key, padded(append(bytes.Repeat([]byte{21}, 20), 255))), ErrBadPadding},
		{"inconsistent pad bytes", key, encryptRaw(t, key, padded(append(append(bytes.Repeat([]byte{21}, 10), 20), bytes.Repeat([]byte{21}, 10)...))), ErrBadPadding},
		{"wrong key", other, v1Encrypt, ErrBadPadding},
		{"msg_len too long", key, encryptRaw(t, key, append(frameBytes(44, "hello", vecAppID), bytes.Repeat([]byte{21}, 21)...)), ErrBadCiphertext},
		{"msg_len 2^32-1", key, encryptRaw(t, key, append(frameBytes(^uint32(0), "hello", vecAppID), bytes.Repeat([]byte{21}, 21)...)), ErrBadCiphertext},
		{"shorter than header", key, encryptRaw(t, key, append([]byte("0123456789abcdef012"), bytes.Repeat([]byte{13}, 13)...)), ErrBadCiphertext},
		{"all padding", key, encryptRaw(t, key, bytes.Repeat([]byte{32}, 32)), ErrBadCiphertext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, appID, err := Decrypt(tt.key, tt.encrypt)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && (msg != nil || appID != "") {
				t.Fatalf("failed Decrypt returned data: %q %q", msg, appID)
			}
		})
	}
}

// TestDecryptMsgLenExact covers the boundaries of msg_len: all of the remainder
// (empty appid tail) and zero (empty msg).
func TestDecryptMsgLenExact(t *testing.T) {
	key := mustKey(t, vecAESKey)
	tests := []struct {
		name, msg, appID string
	}{
		{"empty appid tail", "hello", ""},
		{"empty msg", "", vecAppID},
		{"both empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, appID, err := Decrypt(key, Encrypt(key, random16(v1Random), []byte(tt.msg), tt.appID))
			if err != nil || string(msg) != tt.msg || appID != tt.appID {
				t.Fatalf("got %q %q %v", msg, appID, err)
			}
		})
	}
}

// TestErrorsCarryNoSecrets makes sure no error text quotes the input.
func TestErrorsCarryNoSecrets(t *testing.T) {
	other := mustKey(t, "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
	for _, enc := range []string{"not base64!", v1Encrypt[:40], v1Encrypt} {
		_, _, err := Decrypt(other, enc)
		if err == nil {
			t.Fatal("want an error")
		}
		if strings.Contains(err.Error(), enc[:8]) || strings.Contains(err.Error(), "hello") {
			t.Fatalf("error quotes its input: %v", err)
		}
	}
	if _, err := ParseKey("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2"); err == nil || strings.Contains(err.Error(), "jWmY") {
		t.Fatalf("ParseKey error = %v", err)
	}
}

func mustDecode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecryptCBCMatchesStdlib checks the in-place CBC loop against crypto/cipher
// on random keys and lengths, whatever the padding says.
func TestDecryptCBCMatchesStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var k Key
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		ct := make([]byte, 16*r.IntN(20))
		for i := range ct {
			ct[i] = byte(r.Uint32())
		}
		want := make([]byte, len(ct))
		block, _ := aes.NewCipher(k[:])
		cipher.NewCBCDecrypter(block, k[:16]).CryptBlocks(want, ct)
		got := bytes.Clone(ct)
		newKeySchedule(k).decryptCBC(got)
		if !bytes.Equal(got, want) {
			t.Fatalf("decryptCBC differs from crypto/cipher on %d bytes", len(ct))
		}
	}
}
