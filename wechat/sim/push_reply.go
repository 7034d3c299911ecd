package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

// msgTypeTransfer is the one passive reply WeChat honours for customer service.
const msgTypeTransfer = "transfer_customer_service"

// checkTransfer accepts body only as a transfer_customer_service reply to the push m
// (docs/protocol.md §9), written in the app's format:
//
//   - secure mode: only the encrypted envelope (§5.5), its MsgSignature valid over
//     token, TimeStamp, Nonce and Encrypt, its ciphertext opening with the app's
//     key (current or previous) and appid tail;
//   - compatible mode: the envelope or the plaintext reply (§5.5: "either");
//   - plaintext mode: the plaintext reply only.
//
// The document inside must say transfer_customer_service, to the user, from the
// mini program's original id. The envelope's Nonce need not echo the push's nonce
// and its TimeStamp is not checked for skew: WeChat's checks there are UNCONFIRMED.
func (e *endpoint) checkTransfer(m *kefu.Inbound, body []byte) error {
	if f, ok := codec.Sniff(body); !ok || f != e.app.Format {
		return fmt.Errorf("reply is not %s, the app's format", e.app.Format)
	}
	env, err := parseEnvelope(body, e.app.Format)
	if err != nil {
		return err
	}
	doc := body
	switch {
	case env.Encrypt != "" && e.cipher == nil:
		return errors.New("encrypted reply in plaintext mode")
	case env.Encrypt != "":
		if doc, err = e.openReply(env); err != nil {
			return err
		}
	case e.app.Mode == kefu.ModeSecure:
		return errors.New("unencrypted reply in secure mode")
	}
	return e.checkTransferDoc(m, doc)
}

// envelope is an encrypted reply with its fields as text, as they are signed.
type envelope struct {
	Encrypt, MsgSignature, TimeStamp, Nonce string
}

// parseEnvelope reads an encrypted reply; a plaintext reply parses too, with no
// Encrypt. JSON keys match case-insensitively (Go's rule), so easywechat's
// lowercase keys pass as well as the official ones (docs/protocol.md §5.5 allows this
// leniency), and TimeStamp and Nonce may each be a number or a string.
func parseEnvelope(body []byte, f kefu.Format) (envelope, error) {
	if f == kefu.FormatJSON {
		var j struct {
			Encrypt, MsgSignature string
			TimeStamp, Nonce      json.RawMessage
		}
		if err := json.Unmarshal(body, &j); err != nil {
			return envelope{}, errors.New("reply is not a JSON object")
		}
		ts, err1 := jsonText(j.TimeStamp)
		nonce, err2 := jsonText(j.Nonce)
		if err := errors.Join(err1, err2); err != nil {
			return envelope{}, err
		}
		return envelope{j.Encrypt, j.MsgSignature, ts, nonce}, nil
	}
	var x struct {
		XMLName                                 xml.Name `xml:"xml"`
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&x); err != nil {
		return envelope{}, errors.New("reply is not an <xml> document")
	}
	return envelope{x.Encrypt, x.MsgSignature, x.TimeStamp, x.Nonce}, nil
}

// jsonText gives a JSON string's value or a number's text: what gets signed.
func jsonText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("reply TimeStamp or Nonce is neither a string nor a number")
	}
	return n.String(), nil
}

// openReply checks the envelope's signature and decrypts it.
func (e *endpoint) openReply(env envelope) ([]byte, error) {
	if env.MsgSignature == "" || env.TimeStamp == "" || env.Nonce == "" {
		return nil, errors.New("encrypted reply lacks MsgSignature, TimeStamp or Nonce")
	}
	if _, err := strconv.ParseInt(env.TimeStamp, 10, 64); err != nil {
		return nil, errors.New("encrypted reply TimeStamp is not an integer")
	}
	want := crypt.MsgSignature(e.app.Token, env.TimeStamp, env.Nonce, env.Encrypt)
	if !crypt.Equal(env.MsgSignature, want) {
		return nil, errors.New("encrypted reply has a bad MsgSignature")
	}
	doc, _, err := e.cipher.Open(env.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("encrypted reply does not open: %w", err)
	}
	return doc, nil
}

// checkTransferDoc checks the plaintext reply document.
func (e *endpoint) checkTransferDoc(m *kefu.Inbound, doc []byte) error {
	p, f, err := codec.Decode(doc, e.app.Format)
	if err != nil {
		return fmt.Errorf("reply does not parse: %w", err)
	}
	r := &p.Inbound
	switch {
	case f != e.app.Format:
		return fmt.Errorf("reply document is %s, not the app's %s", f, e.app.Format)
	case r.MsgType != msgTypeTransfer:
		return fmt.Errorf("reply MsgType %q: only %s is honoured", clip(r.MsgType), msgTypeTransfer)
	case r.ToUserName != m.OpenID:
		return errors.New("transfer reply ToUserName is not the user's openid")
	case r.OpenID != e.app.OriginalID:
		return errors.New("transfer reply FromUserName is not the mini program's original id")
	}
	return nil
}

// clip shortens outside text quoted in a reason.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
