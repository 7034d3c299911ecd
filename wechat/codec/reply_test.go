package codec

import (
	"strings"
	"testing"
	"time"

	"kefu"
)

// The official final reply of vector V1 (docs/protocol.md §6), byte for byte.
const v1FinalReply = `{"Encrypt":"ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==","MsgSignature":"1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1","TimeStamp":1713424427,"Nonce":"415670741"}`

func v1Reply() EncryptedReply {
	return EncryptedReply{
		Encrypt:      v1Encrypt,
		MsgSignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
		TimeStamp:    1713424427,
		Nonce:        "415670741",
	}
}

func TestEncryptedReplyJSONIsOfficial(t *testing.T) {
	if got := string(v1Reply().Encode(kefu.FormatJSON)); got != v1FinalReply {
		t.Errorf("got  %s\nwant %s", got, v1FinalReply)
	}
}

func TestEncryptedReplyXML(t *testing.T) {
	want := `<xml><Encrypt><![CDATA[` + v1Encrypt + `]]></Encrypt>` +
		`<MsgSignature><![CDATA[1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1]]></MsgSignature>` +
		`<TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>`
	if got := string(v1Reply().Encode(kefu.FormatXML)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The envelope must read back through the push decoder (same Encrypt field).
	p, _, err := Decode(v1Reply().Encode(kefu.FormatXML), kefu.FormatXML)
	if err != nil || p.Encrypt != v1Encrypt {
		t.Errorf("Decode(envelope) = %+v, %v", p, err)
	}
}

func TestTransferReplyRoundTrip(t *testing.T) {
	now := time.Unix(1714112450, 0)
	for _, ids := range [][2]string{
		{"o9AgO5Kd5ggOC-bXrbNODIiE3bGY", "gh_97417a04a28d"},
		{"a]]>b", "]]]]>>"},
		{`<&>"'`, "中文\t"},
		{"", ""},
	} {
		m := &kefu.Inbound{OpenID: ids[0], ToUserName: ids[1]}
		for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
			body := TransferReply(m, f, now)
			p, got, err := Decode(body, f)
			if err != nil || got != f {
				t.Fatalf("%s reply %q does not decode: %v", f, body, err)
			}
			in := p.Inbound
			if in.ToUserName != ids[0] || in.OpenID != ids[1] || in.CreateTime != now.Unix() ||
				in.MsgType != "transfer_customer_service" || in.MsgID != 0 || in.Kind != kefu.KindOther {
				t.Errorf("%s reply %q decodes to %+v", f, body, in)
			}
		}
	}
}

func TestTransferReplyXMLShape(t *testing.T) {
	m := &kefu.Inbound{OpenID: "touser", ToUserName: "fromuser"}
	got := string(TransferReply(m, kefu.FormatXML, time.Unix(1399197672, 0)))
	want := `<xml><ToUserName><![CDATA[touser]]></ToUserName><FromUserName><![CDATA[fromuser]]></FromUserName>` +
		`<CreateTime>1399197672</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(TransferReply(m, "", time.Unix(1399197672, 0))); got != want {
		t.Errorf("an unset format should give XML, got %s", got)
	}
}

func TestAppendCDATA(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "<v><![CDATA[plain]]></v>"},
		{"a]]>b", "<v><![CDATA[a]]]]><![CDATA[>b]]></v>"},
		{"]]>]]>", "<v><![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]></v>"},
		{"]]", "<v><![CDATA[]]]]></v>"},
		{"a\x00b\x1fc\uFFFEd", "<v><![CDATA[a\uFFFDb\uFFFDc\uFFFDd]]></v>"},
		{"bad\xffutf8", "<v><![CDATA[bad\uFFFDutf8]]></v>"},
		{"ok\uFFFD中文😀\t\n", "<v><![CDATA[ok\uFFFD中文😀\t\n]]></v>"},
	} {
		if got := string(appendCDATA(nil, "v", c.in)); got != c.want {
			t.Errorf("appendCDATA(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip("短文本", 100); got != "短文本" {
		t.Errorf("clip short = %q", got)
	}
	// Cutting at byte 4 would split the second rune; clip backs off to byte 3.
	if got := clip("中文字", 4); got != "中…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip(strings.Repeat("a", 10), 4); got != "aaaa…" {
		t.Errorf("clip = %q", got)
	}
}
