package codec

import (
	"encoding/json"
	"time"

	"kefu"
)

// msgTypeTransfer is the passive reply that hands the user's message to WeChat's web
// customer-service tool (docs/protocol.md §9).
const msgTypeTransfer = "transfer_customer_service"

// TransferReply builds the transfer_customer_service passive reply to the push m in
// format f (FormatJSON gives JSON, anything else the XML WeChat documents). The
// reply goes back the way the push came, so the user's OpenID becomes ToUserName and
// the mini program's original id FromUserName. In secure mode the caller encrypts
// the result and wraps it in an EncryptedReply.
func TransferReply(m *kefu.Inbound, f kefu.Format, now time.Time) []byte {
	if f == kefu.FormatJSON {
		// Marshalling strings and an integer cannot fail.
		b, _ := json.Marshal(struct {
			ToUserName   string
			FromUserName string
			CreateTime   int64
			MsgType      string
		}{m.OpenID, m.ToUserName, now.Unix(), msgTypeTransfer})
		return b
	}
	b := make([]byte, 0, 192)
	b = append(b, "<xml>"...)
	b = appendCDATA(b, "ToUserName", m.OpenID)
	b = appendCDATA(b, "FromUserName", m.ToUserName)
	b = appendIntElement(b, "CreateTime", now.Unix())
	b = appendCDATA(b, "MsgType", msgTypeTransfer)
	return append(b, "</xml>"...)
}
