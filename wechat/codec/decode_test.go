package codec

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"kefu"
)

// both holds one push in the two formats.
type both struct{ xml, json string }

func xmlDoc(inner string) string { return "<xml>" + inner + "</xml>" }

func TestDecodeKinds(t *testing.T) {
	cases := []struct {
		msgType, event string
		want           kefu.Kind
	}{
		{"text", "", kefu.KindText},
		{"image", "", kefu.KindImage},
		{"miniprogrampage", "", kefu.KindCard},
		{"event", "user_enter_tempsession", kefu.KindEnter},
		{"event", "debug_demo", kefu.KindDebugDemo},
		{"event", "wxa_media_check", kefu.KindOther},
		{"event", "kf_create_session", kefu.KindOther},
		{"event", "", kefu.KindOther},
		{"", "", kefu.KindOther},
		{"voice", "", kefu.KindOther},
		{"Text", "", kefu.KindOther},
		{"text", "user_enter_tempsession", kefu.KindText},
		{"Event", "debug_demo", kefu.KindOther},
	}
	for _, c := range cases {
		docs := both{
			xml:  xmlDoc("<MsgType>" + c.msgType + "</MsgType><Event>" + c.event + "</Event>"),
			json: `{"MsgType":"` + c.msgType + `","Event":"` + c.event + `"}`,
		}
		for f, body := range docs.byFormat() {
			p, _, err := Decode([]byte(body), f)
			if err != nil {
				t.Errorf("%s %s/%s: %v", f, c.msgType, c.event, err)
				continue
			}
			if p.Inbound.Kind != c.want {
				t.Errorf("%s %s/%s: kind %q, want %q", f, c.msgType, c.event, p.Inbound.Kind, c.want)
			}
		}
	}
}

func (b both) byFormat() map[kefu.Format]string {
	return map[kefu.Format]string{kefu.FormatXML: b.xml, kefu.FormatJSON: b.json}
}

func TestDecodeRejects(t *testing.T) {
	text, err := os.ReadFile("testdata/text.xml")
	if err != nil {
		t.Fatal(err)
	}
	deep := 100000
	cases := map[string]string{
		"garbage":              "hello, world",
		"empty":                "",
		"white space":          " \r\n\t",
		"json array":           "[]",
		"json null":            "null",
		"json string":          `"text"`,
		"json number":          "42",
		"json two objects":     `{}{}`,
		"truncated json":       `{"ToUserName":"toUser","MsgType":"te`,
		"other root":           "<foo/>",
		"other root with data": "<foo><MsgType>text</MsgType></foo>",
		"truncated xml":        string(text[:len(text)/2]),
		"xml without end":      "<xml><MsgType>text</MsgType>",
		"mismatched tags":      "<xml><MsgType>text</Event></xml>",
		"text before root":     "junk<xml></xml>",
		"two roots":            "<xml></xml><xml></xml>",
		"text after root":      "<xml></xml>junk",
		"undefined entity":     "<xml><Content>&nbsp;</Content></xml>",
		"unterminated cdata":   "<xml><Content><![CDATA[abc</Content></xml>",
		"xml msgid abc":        xmlDoc("<MsgType>text</MsgType><MsgId>abc</MsgId>"),
		"json msgid abc":       `{"MsgType":"text","MsgId":"abc"}`,
		"xml msgid overflow":   xmlDoc("<MsgId>9223372036854775808</MsgId>"),
		"json msgid overflow":  `{"MsgId":9223372036854775808}`,
		"json msgid str over":  `{"MsgId":"9223372036854775808"}`,
		"json msgid float":     `{"MsgId":1.5}`,
		"json msgid exponent":  `{"MsgId":1e3}`,
		"json msgid bool":      `{"MsgId":true}`,
		"json msgid object":    `{"MsgId":{}}`,
		"xml createtime junk":  xmlDoc("<CreateTime>yesterday</CreateTime>"),
		"json createtime junk": `{"CreateTime":"yesterday"}`,
		"deep json array":      strings.Repeat("[", deep) + strings.Repeat("]", deep),
		"deep json in object":  `{"a":` + strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep) + "}",
		"deep unclosed json":   `{"a":` + strings.Repeat("[", deep),
		"deep unclosed xml":    "<xml>" + strings.Repeat("<a>", deep),
		"deep junk xml root":   strings.Repeat("<a>", deep) + strings.Repeat("</a>", deep),
	}
	for name, body := range cases {
		for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
			p, _, err := Decode([]byte(body), f)
			if err == nil {
				t.Errorf("%s (as %s): decoded to %+v, want an error", name, f, p.Inbound)
				continue
			}
			if p != nil {
				t.Errorf("%s (as %s): non-nil Push with error", name, f)
			}
			var e *kefu.Error
			if !errors.As(err, &e) || e.Code != kefu.EInvalid {
				t.Errorf("%s (as %s): error %#v is not a kefu EInvalid error", name, f, err)
			}
			if len(err.Error()) > 300 {
				t.Errorf("%s (as %s): error is %d bytes long", name, f, len(err.Error()))
			}
		}
	}
}

// A well-formed document whose unknown elements nest deeply is still a push: the
// decoder skips them without recursion.
func TestDecodeDeepUnknownXML(t *testing.T) {
	deep := 100000
	body := xmlDoc("<MsgType>text</MsgType>" + strings.Repeat("<a>", deep) + strings.Repeat("</a>", deep))
	p, _, err := Decode([]byte(body), kefu.FormatXML)
	if err != nil {
		t.Fatal(err)
	}
	if p.Inbound.Kind != kefu.KindText {
		t.Errorf("kind %q", p.Inbound.Kind)
	}
}

func TestDecodeSniffFallback(t *testing.T) {
	for _, name := range []string{"text", "miniprogrampage", "secure"} {
		for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
			other := kefu.FormatJSON
			if f == kefu.FormatJSON {
				other = kefu.FormatXML
			}
			body, err := os.ReadFile("testdata/" + name + "." + string(f))
			if err != nil {
				t.Fatal(err)
			}
			direct, _, err := Decode(body, f)
			if err != nil {
				t.Fatal(err)
			}
			// An app configured for the other format still gets the push.
			p, got, err := Decode(body, other)
			if err != nil {
				t.Fatalf("%s.%s configured as %s: %v", name, f, other, err)
			}
			if got != f {
				t.Errorf("%s.%s configured as %s: format %q, want %q", name, f, other, got, f)
			}
			if !reflect.DeepEqual(p, direct) {
				t.Errorf("%s.%s: fallback gives %+v, direct %+v", name, f, p, direct)
			}
			// No format configured at all: Sniff decides.
			if _, got, err := Decode(body, ""); err != nil || got != f {
				t.Errorf("%s.%s with no format: %q, %v", name, f, got, err)
			}
		}
	}
}

// When the fallback also fails, the error comes from the format the body looks like,
// which is the one that explains what is wrong.
func TestDecodeFallbackError(t *testing.T) {
	_, got, err := Decode([]byte(xmlDoc("<MsgId>abc</MsgId>")), kefu.FormatJSON)
	if err == nil || got != kefu.FormatXML || !strings.Contains(err.Error(), "MsgId") {
		t.Errorf("format %q, error %v: want the XML MsgId error", got, err)
	}
	_, got, err = Decode([]byte("hello"), kefu.FormatJSON)
	if err == nil || got != kefu.FormatJSON {
		t.Errorf("format %q, error %v: want the JSON error", got, err)
	}
}

func TestDecodeMsgIDFullRange(t *testing.T) {
	for _, id := range []string{"9223372036854775807", "-9223372036854775808", "9007199254740993"} {
		for f, body := range (both{
			xml:  xmlDoc("<MsgType><![CDATA[text]]></MsgType><MsgId>" + id + "</MsgId>"),
			json: `{"MsgType":"text","MsgId":` + id + `}`,
		}).byFormat() {
			checkMsgID(t, f, body, id)
		}
		checkMsgID(t, kefu.FormatJSON, `{"MsgType":"text","MsgId":"`+id+`"}`, id)
		checkMsgID(t, kefu.FormatXML, xmlDoc("<MsgId><![CDATA["+id+"]]></MsgId>"), id)
	}
}

func checkMsgID(t *testing.T, f kefu.Format, body, want string) {
	t.Helper()
	p, _, err := Decode([]byte(body), f)
	if err != nil {
		t.Errorf("%s %s: %v", f, body, err)
		return
	}
	if got := p.Inbound.DedupKey(); got != "m:"+want {
		t.Errorf("%s %s: dedup key %s", f, body, got)
	}
}

func TestDecodeNumbersLenient(t *testing.T) {
	for _, body := range []string{
		`{"CreateTime":null,"MsgId":null}`,
		`{"CreateTime":"","MsgId":""}`,
		`{}`,
		xmlDoc("<CreateTime></CreateTime><MsgId/>"),
		xmlDoc(""),
		"<xml/>",
	} {
		p, _, err := Decode([]byte(body), kefu.FormatJSON)
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if p.Inbound.CreateTime != 0 || p.Inbound.MsgID != 0 || p.Inbound.Kind != kefu.KindOther {
			t.Errorf("%s: %+v", body, p.Inbound)
		}
	}
	p, _, err := Decode([]byte(`{"CreateTime":" 1714112445 ","MsgId":" 7 "}`), kefu.FormatJSON)
	if err != nil || p.Inbound.CreateTime != 1714112445 || p.Inbound.MsgID != 7 {
		t.Errorf("padded strings: %+v, %v", p, err)
	}
}

// Keys are WeChat's, case and all: other spellings are someone else's fields.
func TestDecodeCaseSensitive(t *testing.T) {
	for f, body := range (both{
		xml:  xmlDoc("<MsgType>miniprogrampage</MsgType><appid>wxother</appid><msgid>abc</msgid><content>x</content><Thumburl>u</Thumburl>"),
		json: `{"MsgType":"miniprogrampage","appid":"wxother","msgid":"abc","content":"x","Thumburl":"u"}`,
	}).byFormat() {
		p, _, err := Decode([]byte(body), f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		in := p.Inbound
		if in.CardAppID != "" || in.MsgID != 0 || in.Content != "" || in.ThumbURL != "" {
			t.Errorf("%s: a differently cased key was read: %+v", f, in)
		}
	}
}

func TestDecodeJSONStrings(t *testing.T) {
	body := `{"MsgType":"text","Content":"line\nbreak \"quoted\" \u4f60\u597d \ud83d\ude00 a\/b","ToUserName":null,"FromUserName":"bad` + "\xff" + `utf8"}`
	p, _, err := Decode([]byte(body), kefu.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	if want := "line\nbreak \"quoted\" 你好 😀 a/b"; p.Inbound.Content != want {
		t.Errorf("Content = %q, want %q", p.Inbound.Content, want)
	}
	if p.Inbound.ToUserName != "" || p.Inbound.OpenID != "bad\uFFFDutf8" {
		t.Errorf("ToUserName %q, OpenID %q", p.Inbound.ToUserName, p.Inbound.OpenID)
	}
}

func TestDecodeXMLText(t *testing.T) {
	for body, want := range map[string]string{
		xmlDoc("<Content>a<b>nested</b>c</Content>"):              "ac",
		xmlDoc("<Content><![CDATA[x]]>y<![CDATA[z]]></Content>"):  "xyz",
		xmlDoc("<Content><![CDATA[<xml>]]></Content>"):            "<xml>",
		xmlDoc("<Content>first</Content><Content>last</Content>"): "last",
		xmlDoc("<w:Content xmlns:w='urn:x'>ns</w:Content>"):       "ns",
	} {
		p, _, err := Decode([]byte(body), kefu.FormatXML)
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if p.Inbound.Content != want {
			t.Errorf("%s: Content %q, want %q", body, p.Inbound.Content, want)
		}
	}
}

func TestSniff(t *testing.T) {
	for body, want := range map[string]kefu.Format{
		"<xml/>":      kefu.FormatXML,
		" \r\n\t<xml": kefu.FormatXML,
		"{}":          kefu.FormatJSON,
		"\n{":         kefu.FormatJSON,
		"":            "",
		"   ":         "",
		"[]":          "",
		"\ufeff{}":    "",
		"x<xml/>":     "",
	} {
		got, ok := Sniff([]byte(body))
		if got != want || ok != (want != "") {
			t.Errorf("Sniff(%q) = %q, %v; want %q", body, got, ok, want)
		}
	}
}

// Values are made storable: NUL and invalid UTF-8 become U+FFFD.
func TestDecodeCleansText(t *testing.T) {
	for _, body := range []string{
		`{"FromUserName":"o\u00001","MsgType":"text","Content":"a\u0000b"}`,
		"<xml><FromUserName>o\uFFFD1</FromUserName><MsgType>text</MsgType><Content>a\uFFFDb</Content></xml>",
	} {
		p, _, err := Decode([]byte(body), kefu.FormatJSON)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if p.Inbound.Content != "a\uFFFDb" || p.Inbound.OpenID != "o\uFFFD1" {
			t.Fatalf("%q: content %q openid %q", body, p.Inbound.Content, p.Inbound.OpenID)
		}
	}
	p, _, err := Decode([]byte("{\"MsgType\":\"text\",\"Content\":\"a\xffb\"}"), kefu.FormatJSON)
	if err == nil && p.Inbound.Content != "a\uFFFDb" {
		t.Fatalf("invalid UTF-8 kept: %q", p.Inbound.Content)
	}
}

// A text field holding another JSON type is left empty, not refused: every
// well-formed push is stored, with its raw document.
func TestDecodeMistypedTextField(t *testing.T) {
	for _, body := range []string{`{"MsgType":"text","Content":5}`, `{"MsgType":["text"],"Event":{"a":1}}`} {
		p, _, err := Decode([]byte(body), kefu.FormatJSON)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if p.Inbound.Content != "" || string(p.Inbound.Raw) != body {
			t.Fatalf("%s: %+v", body, p.Inbound)
		}
	}
}
