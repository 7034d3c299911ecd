package codec

import (
	"encoding/json"
	"strconv"

	"kefu"
)

// EncodePush renders a push document the way WeChat writes one: the inverse of
// Decode, for the sides of kefu that play WeChat (the load generator, the
// simulator, tests). Empty strings and zero numbers are left out, so a Push holding
// only ToUserName and Encrypt renders the secure-mode envelope, and one holding both
// plaintext fields and Encrypt renders the compatible-mode document.
func EncodePush(p *Push, f kefu.Format) []byte {
	m := &p.Inbound
	var w wire
	w[fToUserName] = m.ToUserName
	w[fFromUserName] = m.OpenID
	w[fMsgType] = m.MsgType
	w[fEvent] = m.Event
	w[fContent] = m.Content
	w[fPicURL] = m.PicURL
	w[fMediaID] = m.MediaID
	w[fTitle] = m.Title
	w[fAppID] = m.CardAppID
	w[fPagePath] = m.PagePath
	w[fThumbURL] = m.ThumbURL
	w[fThumbMediaID] = m.ThumbMediaID
	w[fSessionFrom] = m.SessionFrom
	w[fEncrypt] = p.Encrypt
	if m.CreateTime != 0 {
		w[fCreateTime] = strconv.FormatInt(m.CreateTime, 10)
	}
	if m.MsgID != 0 {
		w[fMsgID] = strconv.FormatInt(m.MsgID, 10)
	}
	if f == kefu.FormatJSON {
		return w.appendJSON(make([]byte, 0, 256))
	}
	return w.appendXML(make([]byte, 0, 384))
}

func (w *wire) appendXML(b []byte) []byte {
	b = append(b, "<xml>"...)
	for i, v := range w {
		if v == "" {
			continue
		}
		name := fieldNames[i]
		if field(i).numeric() {
			n, _ := strconv.ParseInt(v, 10, 64)
			b = appendIntElement(b, name, n)
		} else {
			b = appendCDATA(b, name, v)
		}
	}
	return append(b, "</xml>"...)
}

func (w *wire) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	for i, v := range w {
		if v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		name, _ := json.Marshal(fieldNames[i])
		b = append(b, name...)
		b = append(b, ':')
		if field(i).numeric() {
			b = append(b, v...)
		} else {
			s, _ := json.Marshal(v)
			b = append(b, s...)
		}
	}
	return append(b, '}')
}
