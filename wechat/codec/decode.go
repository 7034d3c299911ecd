package codec

import "kefu"

// Push is one decoded push document: the Inbound fields it carries and, when present,
// the Encrypt field (compatible or secure mode). Both are returned because in
// compatible mode the document holds plaintext fields and ciphertext side by side,
// and the caller, not the codec, decides which one it trusts.
type Push struct {
	// Inbound leaves AppID and ReceivedAt zero for the caller, who knows the URL and
	// the clock. Its Raw is the body given to Decode, not a copy.
	Inbound kefu.Inbound
	Encrypt string
}

// Decode parses a plaintext push document. It tries format f first; if that fails
// and Sniff says the body is the other format, it decodes the other format instead,
// so a console switched between XML and JSON does not lose messages. It returns the
// format actually used, which on failure is the format whose error is reported.
//
// Every well-formed document decodes, whatever its MsgType or Event: WeChat sends
// unrelated events to the same URL, and those are kefu.KindOther, not errors. Errors
// are *kefu.Error with code kefu.EInvalid. The returned Inbound.Raw aliases body, so
// the caller must not reuse body's storage while the Push is in use.
func Decode(body []byte, f kefu.Format) (*Push, kefu.Format, error) {
	p, err := decodeAs(body, f)
	if err == nil {
		return p, f, nil
	}
	if g, ok := Sniff(body); ok && g != f {
		p, err = decodeAs(body, g)
		if err == nil {
			return p, g, nil
		}
		return nil, g, err
	}
	return nil, f, err
}

// decodeAs decodes body in exactly the format f.
func decodeAs(body []byte, f kefu.Format) (*Push, error) {
	switch f {
	case kefu.FormatXML:
		return decodeXML(body)
	case kefu.FormatJSON:
		return decodeJSON(body)
	}
	return nil, kefu.Errorf(kefu.EInvalid, "push: unknown format %q", f)
}
