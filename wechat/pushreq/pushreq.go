// Package pushreq builds the HTTP requests WeChat sends to a developer's server: URL
// verification and pushes, signed and (per mode) encrypted exactly as docs/protocol.md
// §3–§5 describe. The load generator uses it, and so do tests and the simulator that
// play WeChat's part.
package pushreq

import (
	"net/url"
	"strconv"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

// Request is one push ready to send: POST it to the server's URL with Query
// appended, Body as the body and ContentType as its Content-Type.
type Request struct {
	Query       url.Values
	Body        []byte
	ContentType string
}

// Signer builds requests for one mini program in one mode.
type Signer struct {
	app    *kefu.App
	mode   kefu.Mode
	cipher *crypt.Cipher
}

// New returns a Signer for app. mode is the mode to push in; it may differ from the
// app's configured mode, to test what a server does with the other modes.
func New(app *kefu.App, mode kefu.Mode) (*Signer, error) {
	s := &Signer{app: app, mode: mode}
	if mode != kefu.ModePlain {
		c, err := crypt.NewCipher(app.AppID, app.AESKey, "")
		if err != nil {
			return nil, err
		}
		s.cipher = c
	}
	return s, nil
}

// Verify builds the GET query of WeChat's URL check.
func (s *Signer) Verify(timestamp int64, nonce, echostr string) url.Values {
	ts := strconv.FormatInt(timestamp, 10)
	return url.Values{
		"signature": {crypt.Signature(s.app.Token, ts, nonce)},
		"timestamp": {ts},
		"nonce":     {nonce},
		"echostr":   {echostr},
	}
}

// Build signs (and in compatible or secure mode encrypts) one push.
func (s *Signer) Build(m *kefu.Inbound, timestamp int64, nonce string) (Request, error) {
	ts := strconv.FormatInt(timestamp, 10)
	format := s.app.Format
	doc := codec.EncodePush(&codec.Push{Inbound: *m}, format)
	q := url.Values{
		"signature": {crypt.Signature(s.app.Token, ts, nonce)},
		"timestamp": {ts},
		"nonce":     {nonce},
	}
	req := Request{Query: q, Body: doc, ContentType: ContentType(format)}
	if s.mode == kefu.ModePlain {
		return req, nil
	}
	encrypted, err := s.cipher.Seal(doc, crypt.KeyCurrent)
	if err != nil {
		return Request{}, err
	}
	q.Set("openid", m.OpenID)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", crypt.MsgSignature(s.app.Token, ts, nonce, encrypted))
	outer := codec.Push{Inbound: kefu.Inbound{ToUserName: m.ToUserName}, Encrypt: encrypted}
	if s.mode == kefu.ModeCompat {
		outer.Inbound = *m
	}
	req.Body = codec.EncodePush(&outer, format)
	return req, nil
}

// ContentType is the Content-Type WeChat is taken to send for a format
// (docs/protocol.md §4.2: the docs do not say; these are the usual values).
func ContentType(f kefu.Format) string {
	if f == kefu.FormatJSON {
		return "application/json"
	}
	return "text/xml"
}
