package kefu

// SignedPair is what a plaintext push's signature covers besides the token: the
// timestamp and nonce of its URL (docs/protocol.md §4.1). The body is not covered,
// so anyone who sees one push URL could post other bodies under it while the
// timestamp window lasts. Recording each pair with a hash of the body it came with
// closes that: WeChat's retry repeats the same body, a forgery cannot.
type SignedPair struct {
	Timestamp int64
	Nonce     string
	BodyHash  string // hex SHA-256 of the request body as received
	// Sealed is true when the body itself was authenticated (msg_signature over its
	// ciphertext). Such a push is recorded, so that its URL cannot be reused for a
	// plaintext body, but never refused.
	Sealed bool
}

// ErrPairReused refuses a push whose signed (timestamp, nonce) pair was already
// used with another body: a replayed URL carrying a forged message.
var ErrPairReused = &Error{Code: EConflict, Message: "this signature (timestamp and nonce) was already used with another body"}
