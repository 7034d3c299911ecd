package codec

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"testing"

	"kefu"
)

// The decoders are measured against the plainest decode the standard library offers
// for the same text push (an Unmarshal into a struct), measured in the same run, so
// the figures read as a ratio on a noisy machine.

func BenchmarkDecodeJSON(b *testing.B) { benchDecode(b, "testdata/text.json", kefu.FormatJSON) }

func BenchmarkDecodeXML(b *testing.B) { benchDecode(b, "testdata/text.xml", kefu.FormatXML) }

func benchDecode(b *testing.B, path string, f kefu.Format) {
	body := readBench(b, path)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(body, f); err != nil {
			b.Fatal(err)
		}
	}
}

// baselineText is what a naive decoder would unmarshal a text push into.
type baselineText struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
	MsgID        int64 `json:"MsgId" xml:"MsgId"`
}

func BenchmarkBaselineJSONStruct(b *testing.B) {
	body := readBench(b, "testdata/text.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v baselineText
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineXMLStruct(b *testing.B) {
	body := readBench(b, "testdata/text.xml")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v baselineText
		if err := xml.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func readBench(b *testing.B, path string) []byte {
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return body
}
