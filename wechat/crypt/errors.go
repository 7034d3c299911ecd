package crypt

import "errors"

// The sentinel errors are what callers branch on with errors.Is. None of them, nor
// any error this package wraps around them, carries key material, plaintext or
// ciphertext, so they are safe to log.
var (
	// ErrBadSignature means signature or msg_signature did not match. This package
	// never returns it; it is defined here so that every verifier (the webhook, the
	// simulator checking replies) names the failure the same way.
	ErrBadSignature = errors.New("crypt: signature mismatch")

	// ErrBadAppID means the envelope decrypted cleanly but its appid tail is not
	// this mini program's: a push meant for another app, or a mis-routed URL.
	ErrBadAppID = errors.New("crypt: appid tail does not match")

	// ErrBadPadding means the PKCS#7 padding is invalid, which in practice means
	// the message was sealed with another key.
	ErrBadPadding = errors.New("crypt: invalid padding")

	// ErrBadCiphertext means the decoded envelope has an impossible shape: empty,
	// not whole 32-byte blocks, or a msg_len that runs past the end.
	ErrBadCiphertext = errors.New("crypt: malformed ciphertext")

	// ErrBadBase64 means the Encrypt value is not standard, padded base64.
	ErrBadBase64 = errors.New("crypt: Encrypt is not valid base64")

	// ErrBadKey means an EncodingAESKey is not 43 characters of the base64
	// alphabet.
	ErrBadKey = errors.New("crypt: EncodingAESKey must be 43 base64 characters")

	// ErrNoSuchKey means Seal was asked for the previous key of a Cipher that has
	// none, or for a KeyIndex that does not exist.
	ErrNoSuchKey = errors.New("crypt: no such key")

	// ErrMsgTooLong means a message does not fit the 32-bit msg_len field.
	ErrMsgTooLong = errors.New("crypt: message longer than 4 GiB")
)
