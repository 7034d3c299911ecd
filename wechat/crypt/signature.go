package crypt

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"slices"
)

// Signature computes the signature query parameter that WeChat sends on the URL
// verification GET and on every push: lowercase hex SHA-1 of token, timestamp and
// nonce, sorted byte-wise and concatenated. The secret token is what makes it
// unforgeable.
func Signature(token, timestamp, nonce string) string {
	parts := [...]string{token, timestamp, nonce}
	return sortedSHA1(parts[:])
}

// MsgSignature computes msg_signature, the signature that binds an Encrypt value
// to the token, both on inbound pushes (timestamp and nonce from the URL) and on
// encrypted replies (the reply's own TimeStamp and Nonce).
func MsgSignature(token, timestamp, nonce, encrypt string) string {
	parts := [...]string{token, timestamp, nonce, encrypt}
	return sortedSHA1(parts[:])
}

// Equal reports whether two signatures are identical, in time that does not
// depend on where they differ, so that a forger learns nothing from response
// timing. It does not fold case: WeChat always sends lowercase hex.
func Equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sortedSHA1 sorts parts in place and hashes their concatenation. The join is
// built in a stack buffer, which covers the usual push without a heap allocation.
func sortedSHA1(parts []string) string {
	slices.Sort(parts)
	var buf [512]byte
	joined := buf[:0]
	for _, p := range parts {
		joined = append(joined, p...)
	}
	sum := sha1.Sum(joined)
	var digest [2 * sha1.Size]byte
	hex.Encode(digest[:], sum[:])
	return string(digest[:])
}
