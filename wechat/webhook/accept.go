package webhook

import (
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"time"

	"kefu"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
)

// pushInfo is what is known about a push as it goes through accept.
type pushInfo struct {
	mode    string // as it arrived: plain, compat or secure
	format  kefu.Format
	key     crypt.KeyIndex // the key that opened it
	nonce   string         // echoed in an encrypted reply
	inbound *kefu.Inbound
}

type answer struct {
	contentType string
	body        []byte
	result      string
}

var successAnswer = answer{contentType: "text/plain; charset=utf-8", body: []byte("success"), result: "success"}

// accept runs the push through authentication, decryption, decoding and the durable
// commit. Any failure before the commit stores nothing. The URL's signature is
// checked before the body is read: WeChat signs every push's URL in every mode
// (docs/protocol.md §4.1), so a request without it costs a hash, never a parse.
func (h *Handler) accept(w http.ResponseWriter, r *http.Request, appID string) (answer, pushInfo, *rejection) {
	var p pushInfo
	entry, rej := h.lookup(r.Context(), appID)
	if rej != nil {
		return answer{}, p, rej
	}
	app := entry.app
	params := parseParams(r)
	if rej := h.checkTimestamp(&params); rej != nil {
		return answer{}, p, rej
	}
	if rej := checkSignature(app, params); rej != nil {
		return answer{}, p, rej
	}
	body, rej := h.readBody(w, r)
	if rej != nil {
		return answer{}, p, rej
	}
	outer, format, err := codec.Decode(body, app.Format)
	if err != nil {
		return answer{}, p, errMalformed
	}
	p.format = format
	p.nonce = params.nonce
	switch {
	case outer.Encrypt != "":
		if rej := h.open(entry, params, outer, &p); rej != nil {
			return answer{}, p, rej
		}
	case params.encryptType == "aes":
		return answer{}, p, errMissingCipher
	// No downgrade: an app in secure or compatible mode takes ciphertext only. In
	// compatible mode WeChat sends it beside the plaintext, so a push without it is
	// a genuine push's URL with the ciphertext stripped (docs/decisions.md).
	case app.Mode == kefu.ModeSecure:
		return answer{}, p, errDowngrade
	case app.Mode == kefu.ModeCompat:
		return answer{}, p, errCompatPlain
	default:
		p.mode, p.inbound = string(kefu.ModePlain), &outer.Inbound
	}
	m := p.inbound
	m.AppID, m.ReceivedAt = app.AppID, h.cfg.Clock.Now()
	var seen sigSeen
	key := sigKey{app.AppID, params.signature}
	if app.Mode == kefu.ModePlain {
		// Only a plaintext-mode app takes pushes whose body no signature covers.
		m.Signed = &kefu.PushSignature{Signature: params.signature, Sealed: p.sealed()}
		seen = h.seen(params, m)
		if !m.Signed.Sealed && h.replays.conflicts(key, seen, m.ReceivedAt) {
			return answer{}, p, errReplayed
		}
	}
	res, err := h.cfg.Ingester.Ingest(r.Context(), m)
	if errors.Is(err, kefu.ErrSignatureReused) {
		return answer{}, p, errReplayed
	}
	if err != nil {
		h.log.Error("ingest failed", "app", app.AppID, "err", err)
		return answer{}, p, errStore
	}
	if m.Signed != nil {
		h.replays.remember(key, seen, m.ReceivedAt)
	}
	if res.Duplicate {
		h.log.Debug("duplicate push", "app", app.AppID, "wx_msgid", m.MsgID)
	}
	a, err := h.reply(entry, &p)
	if err != nil {
		h.log.Error("reply failed; answering success", "app", app.AppID, "err", err)
		a = successAnswer
	}
	if res.Duplicate && a.result == "success" {
		a.result = "duplicate"
	}
	return a, p, nil
}

// open checks msg_signature over the ciphertext, decrypts it with the current or the
// previous key, and decodes the plaintext inside, which is the only source of truth
// even when plaintext fields travel beside it (compatible mode).
func (h *Handler) open(entry *appEntry, params params, outer *codec.Push, p *pushInfo) *rejection {
	p.mode = string(kefu.ModeSecure)
	if outer.Inbound.MsgType != "" {
		p.mode = string(kefu.ModeCompat)
	}
	if !crypt.Equal(params.msgSignature, crypt.MsgSignature(entry.app.Token, params.timestamp, params.nonce, outer.Encrypt)) {
		return errBadMsgSignature
	}
	if entry.cipher == nil {
		return errNoKey
	}
	plain, key, err := entry.cipher.Open(outer.Encrypt)
	if errors.Is(err, crypt.ErrBadAppID) {
		return errWrongAppID
	}
	if err != nil {
		return errDecrypt
	}
	inner, format, err := codec.Decode(plain, p.format)
	if err != nil {
		return errMalformed
	}
	p.format, p.key, p.inbound = format, key, &inner.Inbound
	return nil
}

// seen is what the memory cache keeps of a push's URL signature: the hash of its
// document (the store compares documents as the cache does), until the timestamp
// window would refuse the URL (a minute more for clock steps) counted from the later
// of its timestamp and now, since a URL whose timestamp runs ahead of our clock
// stays valid longer. With the window off, a URL never expires; the cache then
// keeps it a day, and the store for good.
func (h *Handler) seen(params params, m *kefu.Inbound) sigSeen {
	keep := 24 * time.Hour
	if w := h.cfg.TimestampWindow; w > 0 {
		keep = w + time.Minute
	}
	from := time.Unix(params.ts, 0)
	if m.ReceivedAt.After(from) {
		from = m.ReceivedAt
	}
	return sigSeen{document: sha256.Sum256(m.Raw), until: from.Add(keep)}
}

// checkSignature verifies the plaintext-mode signature over token, timestamp, nonce.
func checkSignature(app *kefu.App, p params) *rejection {
	if !crypt.Equal(p.signature, crypt.Signature(app.Token, p.timestamp, p.nonce)) {
		return errBadSignature
	}
	return nil
}

// readBody reads at most MaxBody bytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *rejection) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, errMalformed
	}
	if len(body) == 0 {
		return nil, errEmptyBody
	}
	return body, nil
}
