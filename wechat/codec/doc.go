// Package codec turns WeChat's customer-service push documents into kefu.Inbound
// values and renders the two passive replies kefu ever sends back in the HTTP
// response: transfer_customer_service and the secure-mode envelope around it.
//
// A mini program chooses XML or JSON once, in its console, but operators change that
// setting without telling us, so decoding falls back to whichever format the body
// plainly is. Decoding is lenient about what WeChat varies (element order, white
// space, unknown fields, events kefu does not handle) and strict about what would
// corrupt a stored message (a malformed document, a MsgId that is not an int64).
//
// The package knows nothing of signatures or ciphertext: it reads and writes the
// Encrypt field as an opaque string and leaves the cryptography to wechat/crypt.
package codec
