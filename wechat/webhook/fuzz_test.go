package webhook_test

import (
	"bytes"
	"context"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
	"kefu/store/sqlstore"
	"kefu/wechat/codec"
	"kefu/wechat/crypt"
	"kefu/wechat/webhook"
)

// fuzzTarget is one webhook and store shared by every input of a fuzz worker.
var fuzzTarget struct {
	once    sync.Once
	handler http.Handler
	store   *sqlstore.Store
	cipher  *crypt.Cipher
	app     *kefu.App
	lastID  int64
	err     error
}

func fuzzSetup(t *testing.T) {
	f := &fuzzTarget
	f.once.Do(func() {
		f.store, f.err = sqlstore.Open(context.Background(), filepath.Join(sharedDir, "fuzz.db"), sqlstore.Options{})
		if f.err != nil {
			return
		}
		// Plaintext mode takes pushes of every mode, so every path is reached.
		f.app = &kefu.App{AppID: officialAppID, Token: "AAAAA", AESKey: officialKey, Mode: kefu.ModePlain, Format: kefu.FormatJSON}
		if f.err = f.store.CreateApp(context.Background(), f.app); f.err != nil {
			return
		}
		f.cipher, f.err = crypt.NewCipher(officialAppID, officialKey, "")
		mux := http.NewServeMux()
		webhook.New(webhook.Config{Apps: f.store, Ingester: f.store, Clock: testclock.New(time.Unix(1714112445, 0)),
			TimestampWindow: time.Minute, MaxBody: 64 << 10}).Register(mux)
		f.handler = mux
	})
	if f.err != nil {
		t.Fatal(f.err)
	}
}

// newMessages returns how many messages were stored since the last call.
func newMessages(t *testing.T) int {
	ms, err := fuzzTarget.store.Messages(context.Background(), kefu.MessageFilter{AppID: officialAppID, AfterID: fuzzTarget.lastID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) > 0 {
		fuzzTarget.lastID = ms[len(ms)-1].ID
	}
	return len(ms)
}

// FuzzPush sends arbitrary documents through the whole handler, correctly signed
// (and in mode 1 correctly encrypted) so that the fuzzer reaches the decoders and
// the store, not only the signature check. Whatever the input: no panic, no 5xx,
// and a refused push stores nothing.
func FuzzPush(f *testing.F) {
	for _, seed := range []string{
		`{"ToUserName":"gh_1","FromUserName":"o1","CreateTime":1714112445,"MsgType":"text","Content":"hi","MsgId":1}`,
		`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[user_enter_tempsession]]></Event></xml>`,
		`{"ToUserName":"gh_1","Encrypt":"+qdx"}`,
		`{"MsgType":"image","MsgId":"12","PicUrl":5}`,
		`<xml><MsgId>99999999999999999999</MsgId></xml>`,
		"",
		"\x00",
	} {
		for mode := uint8(0); mode < 3; mode++ {
			f.Add([]byte(seed), mode)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, mode uint8) {
		fuzzSetup(t)
		// Each document gets a nonce of its own: a used URL with another body is
		// refused (as a replay), which would otherwise stop every plaintext input
		// after the first at the signature record.
		h := fnv.New64a()
		h.Write(doc)
		ts, nonce := "1714112445", strconv.FormatUint(h.Sum64()%1e10, 10)
		q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {crypt.Signature("AAAAA", ts, nonce)}}
		body := doc
		switch mode % 3 {
		case 1: // a well-formed secure envelope around the fuzzed plaintext
			enc, err := fuzzTarget.cipher.Seal(doc, crypt.KeyCurrent)
			if err != nil {
				t.Fatal(err)
			}
			body = codec.EncodePush(&codec.Push{Inbound: kefu.Inbound{ToUserName: "gh_1"}, Encrypt: enc}, kefu.FormatJSON)
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", crypt.MsgSignature("AAAAA", ts, nonce, enc))
		case 2: // the fuzzed body claims aes; sign whatever Encrypt it holds
			q.Set("encrypt_type", "aes")
			if p, _, err := codec.Decode(doc, kefu.FormatJSON); err == nil {
				q.Set("msg_signature", crypt.MsgSignature("AAAAA", ts, nonce, p.Encrypt))
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/wx/"+officialAppID+"?"+q.Encode(), bytes.NewReader(body))
		rec := httptest.NewRecorder()
		fuzzTarget.handler.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
		case 400, 403, 413:
			if n := newMessages(t); n != 0 {
				t.Fatalf("refused push (%d %s) stored %d messages", rec.Code, rec.Body, n)
			}
		default:
			t.Fatalf("status %d for %q (mode %d): %s", rec.Code, doc, mode, rec.Body)
		}
		if rec.Code == 200 {
			if rec.Body.String() != "success" {
				t.Fatalf("answer %q", rec.Body)
			}
			newMessages(t)
		}
	})
}
