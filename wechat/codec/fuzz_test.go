package codec

import (
	"os"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"kefu"
)

// FuzzDecode feeds Decode arbitrary bodies. Beyond not panicking, a body that decodes
// must decode the same way again and whichever format was configured (no document is
// both XML and JSON, so the fallback must land on the same answer), and the transfer
// reply built from it must itself be a well-formed push in both formats.
func FuzzDecode(f *testing.F) {
	for name := range pushInputs(f) {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, false)
		f.Add(body, true)
	}
	f.Fuzz(func(t *testing.T, body []byte, isJSON bool) {
		sameAsReference(t, body)
		configured, other := kefu.FormatXML, kefu.FormatJSON
		if isJSON {
			configured, other = other, configured
		}
		p, used, err := Decode(body, configured)
		if err != nil {
			if p != nil {
				t.Fatalf("Push %+v returned with error %v", p, err)
			}
			return
		}
		if &p.Inbound.Raw[0:cap(p.Inbound.Raw)][0] != &body[0:cap(body)][0] || len(p.Inbound.Raw) != len(body) {
			t.Fatalf("Raw is not the body given")
		}
		again, usedAgain, err := Decode(body, configured)
		if err != nil || usedAgain != used || !reflect.DeepEqual(again, p) {
			t.Fatalf("second decode differs: %+v %q %v, first %+v %q", again, usedAgain, err, p, used)
		}
		swapped, usedSwapped, err := Decode(body, other)
		if err != nil || usedSwapped != used || !reflect.DeepEqual(swapped, p) {
			t.Fatalf("decode configured as %s differs: %+v %q %v, first %+v %q", other, swapped, usedSwapped, err, p, used)
		}
		checkTransferReply(t, &p.Inbound)
	})
}

// checkTransferReply decodes the transfer reply to m in both formats and, when m's
// identities are text XML can carry unchanged, checks they come back swapped.
func checkTransferReply(t *testing.T, m *kefu.Inbound) {
	now := time.Unix(1714112445, 0)
	for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		reply := TransferReply(m, f, now)
		p, used, err := Decode(reply, f)
		if err != nil || used != f {
			t.Fatalf("%s transfer reply %q does not decode: %v", f, reply, err)
		}
		if p.Inbound.MsgType != "transfer_customer_service" || p.Inbound.CreateTime != now.Unix() {
			t.Fatalf("%s transfer reply decodes to %+v", f, p.Inbound)
		}
		if xmlSafe(m.OpenID) && xmlSafe(m.ToUserName) &&
			(p.Inbound.ToUserName != m.OpenID || p.Inbound.OpenID != m.ToUserName) {
			t.Fatalf("%s transfer reply to %q/%q decodes to %q/%q", f, m.OpenID, m.ToUserName, p.Inbound.ToUserName, p.Inbound.OpenID)
		}
	}
}

// xmlSafe reports whether s survives a trip through CDATA unchanged: valid UTF-8,
// only characters XML allows, and no carriage return (XML parsers turn "\r" and
// "\r\n" into "\n").
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\r' || !xmlChar(r) {
			return false
		}
	}
	return true
}
