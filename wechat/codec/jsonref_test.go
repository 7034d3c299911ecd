package codec

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"kefu"
)

// referenceJSON is the obvious decoder jsonObject replaces: unmarshal into a map of
// raw values, then look the fields up. It is slower but hard to get wrong, so the
// tests and the fuzz target hold decodeJSON to it.
func referenceJSON(body []byte) (*Push, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, kefu.Errorf(kefu.EInvalid, "null")
	}
	var w wire
	for i, name := range fieldNames {
		raw, ok := doc[name]
		if !ok {
			continue
		}
		text, ok := jsonText(raw, field(i).numeric())
		if !ok && field(i).numeric() {
			return nil, kefu.Errorf(kefu.EInvalid, "%s", name)
		}
		w[i] = text
	}
	return w.push(body, "json")
}

// sameAsReference fails the test when decodeJSON and referenceJSON disagree on body.
// Error messages may differ; success, failure and results may not.
func sameAsReference(t *testing.T, body []byte) {
	t.Helper()
	got, err := decodeJSON(body)
	want, refErr := referenceJSON(body)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("%q: decodeJSON error %v, reference error %v", body, err, refErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decodeJSON %+v, reference %+v", body, got.Inbound, want.Inbound)
	}
}

func TestDecodeJSONMatchesReference(t *testing.T) {
	for _, body := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"MsgType":"text"}`,
		"\n{\n \"MsgType\" : \"text\" ,\n \"Content\" : \"a,}]\\\"\" }\n",
		`{"x":{"MsgType":"image","y":[1,{"z":"]}"}]},"MsgType":"text"}`,
		`{"MsgType":"text","MsgType":"image"}`,
		`{"\u0041ppId":"escaped key","MsgType":"miniprogrampage"}`,
		`{"MsgId":-1,"CreateTime":0}`,
		`{"a":true,"b":false,"c":null,"d":-1.5e+3,"MsgId":12}`,
		`{"Content":"\u0000\ud800"}`,
		`{"Content":5}`, `{"Content":true}`, `{"MsgId":[]}`, `{"MsgId":1e3}`,
		`[]`, `null`, `1`, `"s"`, `{`, `{"a"}`, `{"a":1,}`, `{}x`,
	} {
		sameAsReference(t, []byte(body))
	}
	for name, f := range pushInputs(t) {
		if f == kefu.FormatJSON {
			body, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			sameAsReference(t, body)
		}
	}
}
