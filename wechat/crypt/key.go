package crypt

import (
	"encoding/base64"
	"fmt"
	"io"
)

// encodedKeyLen is the length of an EncodingAESKey as the admin console shows it.
const encodedKeyLen = 43

// Key is a decoded EncodingAESKey: the AES-256 key, whose first 16 bytes are also
// the CBC IV. It formats as a fixed placeholder under every fmt verb so that a key
// printed by mistake never reaches a log.
type Key [32]byte

// ParseKey decodes an EncodingAESKey, which is base64 of the 32-byte key with the
// final "=" dropped. The decoding is deliberately not base64 Strict: the 43rd
// character carries two unused bits, and real keys set them (docs/protocol.md §5.1).
// The alphabet and length are still checked exactly, so a pasted key with a stray
// space, newline or URL-safe character is rejected rather than silently altered.
func ParseKey(encodingAESKey string) (Key, error) {
	var k Key
	if len(encodingAESKey) != encodedKeyLen {
		return k, ErrBadKey
	}
	for i := 0; i < len(encodingAESKey); i++ {
		if !isBase64Char(encodingAESKey[i]) {
			return k, ErrBadKey
		}
	}
	var buf [33]byte // DecodedLen(44)
	n, err := base64.StdEncoding.Decode(buf[:], []byte(encodingAESKey+"="))
	if err != nil || n != len(k) {
		return Key{}, ErrBadKey
	}
	copy(k[:], buf[:n])
	return k, nil
}

// isBase64Char reports whether c is in the standard base64 alphabet. The
// standard decoder would also skip '\r' and '\n', which a key must not contain.
func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// Format prints a placeholder for every verb (%v, %x, %d, %#v …), keeping key
// bytes out of logs and error messages.
func (Key) Format(f fmt.State, _ rune) {
	io.WriteString(f, "crypt.Key(redacted)")
}
