package codec

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"kefu"
)

// decodeJSON reads a push that is one JSON object. encoding/json validates the
// document; the top-level members are then walked by hand (jsonObject) instead of
// unmarshalled, for two reasons: encoding/json matches struct fields without regard
// to case, while WeChat's keys are case-sensitive (fieldNames), and numbers stay as
// their digits, so a MsgId never passes through float64. Walking also costs a
// fraction of the allocations a map of raw values would.
func decodeJSON(body []byte) (*Push, error) {
	if !json.Valid(body) {
		var probe json.RawMessage // only to learn what is wrong, on this rare path
		msg := "not valid JSON"
		if err := json.Unmarshal(body, &probe); err != nil {
			msg = err.Error()
		}
		return nil, kefu.Errorf(kefu.EInvalid, "json push: %s", clip(msg, 160))
	}
	var w wire
	err := jsonObject(body, func(key, value []byte) error {
		f, ok := fieldNamedBytes(key)
		if !ok {
			return nil
		}
		text, ok := jsonText(value, f.numeric())
		switch {
		case ok:
			w[f] = text
		case f.numeric():
			// CreateTime and MsgId make the dedup key: a document whose values for
			// them cannot be read cannot be stored exactly once.
			return kefu.Errorf(kefu.EInvalid, "json push: %s must be a number or a decimal string", fieldNames[f])
		}
		// A text field of another type is left empty rather than refused: events
		// kefu does not know may use a name of ours differently, and every
		// well-formed push is stored (its raw document keeps the value).
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w.push(body, "json")
}

// jsonText returns a raw value as text: a string's contents, a number's digits when
// numeric is set, and "" for null (as encoding/json leaves a field untouched for
// null). Numbers are also accepted as strings because cloud functions send MsgId so.
func jsonText(raw []byte, numeric bool) (string, bool) {
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
// a plain copy of the bytes between the quotes; anything else goes through
// encoding/json, which also replaces invalid UTF-8 the way a struct decode would.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 {
		return "", false
	}
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

// fieldNamedBytes is fieldNamed for a raw JSON key, quotes included. Keys written
// with escapes are unquoted first, so "\u0041ppId" is AppId as JSON says it is.
func fieldNamedBytes(key []byte) (field, bool) {
	if bytes.IndexByte(key, '\\') >= 0 {
		s, ok := jsonString(key)
		if !ok {
			return 0, false
		}
		return fieldNamed(s)
	}
	if len(key) < 2 {
		return 0, false
	}
	inner := key[1 : len(key)-1]
	for i, n := range fieldNames {
		if string(inner) == n { // compiles to a comparison, no allocation
			return field(i), true
		}
	}
	return 0, false
}
