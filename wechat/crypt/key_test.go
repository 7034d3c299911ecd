package crypt

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		encoded string
		wantHex string
	}{
		{vecAESKey, strings.Repeat("00", 32)},
		// The last three set the unused low bits of the 43rd character, which a
		// Strict decoder rejects (docs/protocol.md §5.1).
		{"kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4"},
		{"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051"},
		{"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760"},
	}
	for _, tt := range tests {
		t.Run(tt.encoded[:8], func(t *testing.T) {
			k, err := ParseKey(tt.encoded)
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if got := hex.EncodeToString(k[:]); got != tt.wantHex {
				t.Fatalf("key = %s, want %s", got, tt.wantHex)
			}
		})
	}
}

func TestParseKeyRejects(t *testing.T) {
	valid := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"42 chars", valid[:42]},
		{"44 chars", valid + "A"},
		{"44 chars with padding", valid + "="},
		{"url-safe dash", "-" + valid[1:]},
		{"url-safe underscore", valid[:42] + "_"},
		{"padding inside", valid[:20] + "=" + valid[21:]},
		{"space", valid[:10] + " " + valid[11:]},
		{"newline", valid[:42] + "\n"},
		{"carriage return", "\r" + valid[1:]},
		{"non-ASCII", valid[:40] + "é" + "A"}, // é is two bytes: 43 bytes in all
		{"NUL", valid[:42] + "\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.encoded)
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("err = %v, want ErrBadKey", err)
			}
			if k != (Key{}) {
				t.Fatal("a rejected key returned non-zero bytes")
			}
		})
	}
}

// TestKeyRedacted keeps key bytes out of anything fmt can produce.
func TestKeyRedacted(t *testing.T) {
	k, err := ParseKey("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
	if err != nil {
		t.Fatal(err)
	}
	raw := hex.EncodeToString(k[:])
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		out := fmt.Sprintf(verb, k)
		if strings.Contains(strings.ToLower(out), raw[:8]) || strings.Contains(out, "141") {
			t.Errorf("%s printed key material: %s", verb, out)
		}
		if !strings.Contains(out, "redacted") {
			t.Errorf("%s = %q, want the placeholder", verb, out)
		}
	}
}
