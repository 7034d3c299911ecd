package webhook

import (
	"strconv"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

// reply builds the answer to a stored push: "success", or transfer_customer_service
// when the Transfer rule asks for it. Only user messages are ever transferred, never
// events (docs/protocol.md §9). A reply to a push that came encrypted is encrypted with
// the key that opened it, and signed with the push's nonce echoed (§5.5).
func (h *Handler) reply(entry *appEntry, p *pushInfo) (answer, error) {
	m := p.inbound
	userMessage := m.Kind == kefu.KindText || m.Kind == kefu.KindImage || m.Kind == kefu.KindCard
	if h.cfg.Transfer == nil || !userMessage || !h.cfg.Transfer(entry.app, m) {
		return successAnswer, nil
	}
	now := h.cfg.Clock.Now()
	body := codec.TransferReply(m, p.format, now)
	if p.sealed() {
		encrypted, err := entry.cipher.Seal(body, p.key)
		if err != nil {
			return answer{}, err
		}
		ts := strconv.FormatInt(now.Unix(), 10)
		nonce := p.nonce
		body = codec.EncryptedReply{
			Encrypt:      encrypted,
			MsgSignature: crypt.MsgSignature(entry.app.Token, ts, nonce, encrypted),
			TimeStamp:    now.Unix(),
			Nonce:        nonce,
		}.Encode(p.format)
	}
	return answer{contentType: contentType(p.format), body: body, result: "transfer"}, nil
}

func contentType(f kefu.Format) string {
	if f == kefu.FormatJSON {
		return "application/json"
	}
	return "text/xml; charset=utf-8"
}

// sealed reports whether the push carried ciphertext, so that a reply other than
// "success" must be encrypted too.
func (p *pushInfo) sealed() bool { return p.mode != string(kefu.ModePlain) }
