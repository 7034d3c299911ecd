package kefu

// PushSignature is the URL signature a plaintext push came with. WeChat's
// `signature` covers the token, the timestamp and the nonce, not the body, so anyone
// who sees one push URL could post other documents under it while the timestamp
// window lasts. Recording each signature with the document it came with closes
// that: WeChat's retry repeats the same document, a forgery cannot. The signature
// itself is the key, not the (timestamp, nonce) it covers: the three strings are
// concatenated before hashing, so digits moved between timestamp and nonce sign the
// same.
type PushSignature struct {
	Signature string
	// Sealed is true when the document was authenticated by its own signature
	// (msg_signature over its ciphertext). Such a push is recorded, so that its URL
	// cannot be reused for a plaintext document, but never refused.
	Sealed bool
}

// ErrSignatureReused refuses a push whose URL signature was already used with
// another document: a replayed URL carrying a forged message.
var ErrSignatureReused = &Error{Code: EConflict, Message: "this signature was already used with another body"}
