package crypt

import "encoding/base64"

// strictBase64 rejects non-zero trailing bits, so that apart from line breaks
// (which every Go base64 decoder skips) a ciphertext has one Encrypt spelling:
// WeChat's encoder only produces that one. Built once, because Strict returns a
// fresh copy on every call.
var strictBase64 = base64.StdEncoding.Strict()

// Encrypt builds an Encrypt value: base64 of AES-256-CBC (IV = key[:16]) over
// random || msg_len || msg || appID, PKCS#7-padded to 32 bytes. random is a
// parameter so that tests can reproduce the official vectors; production code
// uses Cipher.Seal, which draws it from crypto/rand. Encrypt panics if msg is
// 4 GiB or longer, which msg_len cannot express.
func Encrypt(key Key, random [16]byte, msg []byte, appID string) string {
	return encodeCiphertext(newKeySchedule(key).seal(random, msg, appID))
}

// Decrypt opens an Encrypt value and returns the message and the appid tail,
// which the caller must compare with its own AppID (Cipher.Open does). It is
// strict about every layer, because a lenient decrypt turns a wrong key into
// garbage downstream instead of an error here. It never panics.
func Decrypt(key Key, encrypt string) (msg []byte, appID string, err error) {
	f, err := decryptFrame(newKeySchedule(key), encrypt)
	if err != nil {
		return nil, "", err
	}
	return f.msg, string(f.appID), nil
}

func decryptFrame(s *keySchedule, encrypt string) (frame, error) {
	ct, err := decodeCiphertext(encrypt)
	if err != nil {
		return frame{}, err
	}
	return s.open(ct)
}

// decodeCiphertext base64-decodes an Encrypt value and checks that it is whole
// 32-byte blocks. A length that is a multiple of the AES block (16) but not of 32
// cannot come from the scheme's padding, so it is rejected before any AES work.
// Neither check depends on the key.
func decodeCiphertext(encrypt string) ([]byte, error) {
	ct, err := strictBase64.DecodeString(encrypt)
	if err != nil {
		return nil, ErrBadBase64
	}
	if len(ct) == 0 || len(ct)%padBlock != 0 {
		return nil, ErrBadCiphertext
	}
	return ct, nil
}

// encodeCiphertext is the standard, padded base64 WeChat expects in replies.
func encodeCiphertext(ct []byte) string {
	return base64.StdEncoding.EncodeToString(ct)
}
