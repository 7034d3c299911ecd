package codec

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"kefu"
)

// decodeJSON reads a push that is one JSON object. It decodes into a map of raw
// values rather than a struct because encoding/json matches struct fields without
// regard to case, and WeChat's keys are case-sensitive (fieldNames). Numbers stay raw
// so that a MsgId never passes through float64.
func decodeJSON(body []byte) (*Push, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, kefu.Errorf(kefu.EInvalid, "json push: %s", clip(err.Error(), 160))
	}
	if doc == nil {
		return nil, kefu.Errorf(kefu.EInvalid, "json push: want an object, have null")
	}
	var w wire
	// Walking the field table, not the map, keeps the error for a document with
	// several bad fields the same from one call to the next.
	for i, name := range fieldNames {
		raw, ok := doc[name]
		if !ok {
			continue
		}
		f := field(i)
		text, ok := jsonText(raw, f.numeric())
		if !ok {
			want := "a string"
			if f.numeric() {
				want = "a number or a decimal string"
			}
			return nil, kefu.Errorf(kefu.EInvalid, "json push: %s must be %s", name, want)
		}
		w[f] = text
	}
	return w.push(body, "json")
}

// jsonText returns a raw value as text: a string's contents, a number's digits when
// numeric is set, and "" for null (as encoding/json leaves a field untouched for
// null). Numbers are also accepted as strings because cloud functions send MsgId so.
// raw has already been validated by json.Unmarshal.
func jsonText(raw json.RawMessage, numeric bool) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		return jsonString(raw)
	case c == 'n':
		return "", true
	case numeric && (c == '-' || c >= '0' && c <= '9'):
		return string(raw), true
	}
	return "", false
}

// jsonString unquotes a JSON string. The common case, no escapes and valid UTF-8, is
// a slice of the input; anything else goes through encoding/json, which also
// replaces invalid UTF-8 the way a struct decode would.
func jsonString(raw json.RawMessage) (string, bool) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
