package codec

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu"
)

// field is one push field kefu reads. Both decoders find fields through fieldNames,
// so the XML and JSON readers cannot come to disagree about a spelling.
type field int

const (
	fToUserName field = iota
	fFromUserName
	fCreateTime
	fMsgType
	fEvent
	fMsgID
	fContent
	fPicURL
	fMediaID
	fTitle
	fAppID
	fPagePath
	fThumbURL
	fThumbMediaID
	fSessionFrom
	fEncrypt
	fieldCount
)

// fieldNames spells each field exactly as WeChat does. Matching is case-sensitive on
// purpose: unrelated events carry lowercase keys such as "appid" that must not be
// mistaken for a card's AppId.
var fieldNames = [fieldCount]string{
	fToUserName:   "ToUserName",
	fFromUserName: "FromUserName",
	fCreateTime:   "CreateTime",
	fMsgType:      "MsgType",
	fEvent:        "Event",
	fMsgID:        "MsgId",
	fContent:      "Content",
	fPicURL:       "PicUrl",
	fMediaID:      "MediaId",
	fTitle:        "Title",
	fAppID:        "AppId",
	fPagePath:     "PagePath",
	fThumbURL:     "ThumbUrl",
	fThumbMediaID: "ThumbMediaId",
	fSessionFrom:  "SessionFrom",
	fEncrypt:      "Encrypt",
}

// fieldNamed finds the field WeChat calls name; ok is false for fields kefu ignores.
func fieldNamed(name string) (f field, ok bool) {
	for i, n := range fieldNames {
		if n == name {
			return field(i), true
		}
	}
	return 0, false
}

// numeric reports whether f holds an integer rather than a string.
func (f field) numeric() bool { return f == fCreateTime || f == fMsgID }

// wire is a push as the document spells it: every field as text, numbers not yet
// parsed. It is the meeting point of the two formats.
type wire [fieldCount]string

// push parses the numbers and builds the Push; what names the format ("xml" or
// "json") in error messages.
func (w *wire) push(body []byte, what string) (*Push, error) {
	createTime, ok := parseInt(w[fCreateTime])
	if !ok {
		return nil, notInt(what, fCreateTime)
	}
	msgID, ok := parseInt(w[fMsgID])
	if !ok {
		return nil, notInt(what, fMsgID)
	}
	for i := range w {
		w[i] = clean(w[i])
	}
	return &Push{
		Inbound: kefu.Inbound{
			ToUserName:   w[fToUserName],
			OpenID:       w[fFromUserName],
			CreateTime:   createTime,
			MsgType:      w[fMsgType],
			Event:        w[fEvent],
			MsgID:        msgID,
			Kind:         kindOf(w[fMsgType], w[fEvent]),
			Content:      w[fContent],
			PicURL:       w[fPicURL],
			MediaID:      w[fMediaID],
			Title:        w[fTitle],
			CardAppID:    w[fAppID],
			PagePath:     w[fPagePath],
			ThumbURL:     w[fThumbURL],
			ThumbMediaID: w[fThumbMediaID],
			SessionFrom:  w[fSessionFrom],
			Raw:          body,
		},
		Encrypt: w[fEncrypt],
	}, nil
}

// parseInt reads a decimal int64, treating an empty or absent value as 0 because
// events carry no MsgId. Surrounding white space is allowed: pretty-printed XML and
// cloud-function JSON strings both produce it.
func parseInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// notInt reports a bad number without quoting it: the text came from outside and may
// be long or hostile.
func notInt(what string, f field) error {
	return kefu.Errorf(kefu.EInvalid, "%s push: %s is not a 64-bit decimal integer", what, fieldNames[f])
}

// kindOf classifies a push. Only exact, case-sensitive matches count; everything else
// is KindOther, which kefu stores and acknowledges without further action.
func kindOf(msgType, event string) kefu.Kind {
	switch msgType {
	case "text":
		return kefu.KindText
	case "image":
		return kefu.KindImage
	case "miniprogrampage":
		return kefu.KindCard
	case "event":
		switch event {
		case kefu.EventEnterSession:
			return kefu.KindEnter
		case kefu.EventDebugDemo:
			return kefu.KindDebugDemo
		}
	}
	return kefu.KindOther
}

// clean makes a value safe to store as text in any database: invalid UTF-8 and NUL
// characters (which a JSON push can smuggle in as \u0000, and which PostgreSQL's
// TEXT refuses) become U+FFFD. The raw document is kept as it came.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
