package codec

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"kefu"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// pushInputs lists the push documents under testdata with the format their name
// declares.
func pushInputs(t testing.TB) map[string]kefu.Format {
	t.Helper()
	inputs := map[string]kefu.Format{}
	for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		names, err := filepath.Glob(filepath.Join("testdata", "*."+string(f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			inputs[name] = f
		}
	}
	if len(inputs) == 0 {
		t.Fatal("no push documents under testdata")
	}
	return inputs
}

func TestDecodeGolden(t *testing.T) {
	for name, f := range pushInputs(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			body, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			p, got, err := Decode(body, f)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got != f {
				t.Errorf("format = %q, want %q", got, f)
			}
			if !bytes.Equal(p.Inbound.Raw, body) {
				t.Errorf("Raw is not the body given")
			}
			checkGolden(t, name+".golden", goldenPush(t, p, got))
		})
	}
}

func TestReplyGolden(t *testing.T) {
	// The identities and time of the transfer example in docs/protocol.md §9.
	m := &kefu.Inbound{ToUserName: "fromuser", OpenID: "touser"}
	now := time.Unix(1399197672, 0)
	// The reply values of vector V1, docs/protocol.md §6.
	r := EncryptedReply{
		Encrypt:      v1Encrypt,
		MsgSignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
		TimeStamp:    1713424427,
		Nonce:        "415670741",
	}
	for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		checkGolden(t, filepath.Join("testdata", "reply", "transfer."+string(f)+".golden"), TransferReply(m, f, now))
		checkGolden(t, filepath.Join("testdata", "reply", "encrypted."+string(f)+".golden"), r.Encode(f))
	}
}

// goldenPush renders p for a golden file: every Inbound field in declaration order
// except Raw (the input file itself), so a field added to kefu.Inbound shows up in
// the goldens without this function changing.
func goldenPush(t *testing.T, p *Push, f kefu.Format) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"Format":`)
	writeJSON(t, &b, f)
	b.WriteString(`,"Encrypt":`)
	writeJSON(t, &b, p.Encrypt)
	b.WriteString(`,"Inbound":{`)
	v := reflect.ValueOf(p.Inbound)
	first := true
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name == "Raw" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSON(t, &b, name)
		b.WriteByte(':')
		writeJSON(t, &b, v.Field(i).Interface())
	}
	b.WriteString("}}")
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// writeJSON appends v as JSON, leaving <, > and & readable.
func writeJSON(t *testing.T, b *bytes.Buffer, v any) {
	t.Helper()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// v1Encrypt is the Encrypt of the official reply in vector V1, docs/protocol.md §6.
const v1Encrypt = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
