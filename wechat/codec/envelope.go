package codec

import (
	"encoding/json"

	"kefu"
)

// EncryptedReply is the secure-mode reply envelope (docs/protocol.md §5.5): a passive
// reply other than "success" must reach WeChat encrypted, with a signature over the
// reply's own timestamp and nonce. The JSON tags pin the official key casing and
// order; easywechat's lowercase keys are not what WeChat documents.
type EncryptedReply struct {
	Encrypt      string `json:"Encrypt"`
	MsgSignature string `json:"MsgSignature"`
	TimeStamp    int64  `json:"TimeStamp"`
	Nonce        string `json:"Nonce"`
}

// Encode renders the envelope in format f (FormatJSON gives JSON, anything else XML).
// In JSON, TimeStamp is a number and Nonce a string, as in WeChat's worked example,
// whose final reply this reproduces byte for byte.
func (r EncryptedReply) Encode(f kefu.Format) []byte {
	if f == kefu.FormatJSON {
		// Marshalling strings and an integer cannot fail.
		b, _ := json.Marshal(r)
		return b
	}
	b := make([]byte, 0, 128+len(r.Encrypt))
	b = append(b, "<xml>"...)
	b = appendCDATA(b, "Encrypt", r.Encrypt)
	b = appendCDATA(b, "MsgSignature", r.MsgSignature)
	b = appendIntElement(b, "TimeStamp", r.TimeStamp)
	b = appendCDATA(b, "Nonce", r.Nonce)
	return append(b, "</xml>"...)
}
