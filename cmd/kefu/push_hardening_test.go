package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// plainSigner signs pushes for the test app in plaintext mode (the app must be
// added with --mode plain).
func plainSigner(t *testing.T, format kefu.Format) *pushreq.Signer {
	t.Helper()
	app := &kefu.App{AppID: testAppID, OriginalID: testOrigID, Token: testToken, Mode: kefu.ModePlain, Format: format}
	signer, err := pushreq.New(app, kefu.ModePlain)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

func (s *server) post(t *testing.T, query string, contentType string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(s.url+"/wx/"+testAppID+"?"+query, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func storedTexts(t *testing.T, db string) []string {
	t.Helper()
	r := kefuDB(t, db, "messages", "--app", testAppID, "--json")
	wantExit(t, r, 0)
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if i := strings.Index(line, `"content":"`); i >= 0 {
			rest := line[i+len(`"content":"`):]
			texts = append(texts, rest[:strings.Index(rest, `"`)])
		}
	}
	return texts
}

// Through a running kefu serve: a plaintext push's URL, once seen, cannot carry a
// forged message, while WeChat's identical retry is still answered success.
func TestServeRefusesReplayedURL(t *testing.T) {
	db := newDB(t)
	addApp(t, db, "--mode", "plain", "--format", "xml")
	s := startServe(t, db)
	signer := plainSigner(t, kefu.FormatXML)
	now := time.Now().Unix()
	text := func(id int64, openID, content string) *kefu.Inbound {
		return &kefu.Inbound{ToUserName: testOrigID, OpenID: openID, CreateTime: now, MsgType: "text",
			Kind: kefu.KindText, MsgID: id, Content: content}
	}
	genuine, _ := signer.Build(text(1, "oGenuine", "genuine"), now, "8080")
	forged, _ := signer.Build(text(2, "oVictim", "forged"), now, "9999")
	query := genuine.Query.Encode()
	if code, body := s.post(t, query, genuine.ContentType, genuine.Body); code != 200 || body != "success" {
		t.Fatalf("genuine: %d %q", code, body)
	}
	if code, body := s.post(t, query, forged.ContentType, forged.Body); code != 403 {
		t.Fatalf("forged body under the genuine URL: %d %q, want 403", code, body)
	}
	if code, body := s.post(t, query, genuine.ContentType, genuine.Body); code != 200 || body != "success" {
		t.Fatalf("WeChat's retry: %d %q", code, body)
	}
	s.stop(t)
	if texts := storedTexts(t, db); len(texts) != 1 || texts[0] != "genuine" {
		t.Fatalf("stored %q, want only the genuine message", texts)
	}
}

// A request whose signature does not match is refused before its body is read: a
// megabyte of nesting gets 403 (signature), not 400 (the body could not be
// parsed), in every mode.
func TestServeVerifiesBeforeParsing(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db)
	nested := bytes.Repeat([]byte("["), 512<<10)
	nested = append(nested, bytes.Repeat([]byte("]"), 512<<10)...)
	q := fmt.Sprintf("signature=%s&timestamp=%d&nonce=1&encrypt_type=aes&msg_signature=%s",
		strings.Repeat("0", 40), time.Now().Unix(), strings.Repeat("0", 40))
	if code, body := s.post(t, q, "application/json", nested); code != 403 || body != "signature mismatch" {
		t.Fatalf("unsigned nested megabyte: %d %q, want 403 signature mismatch", code, body)
	}
}

// Two different texts without MsgId from one user in one second are two messages
// (the dedup key holds the document's hash), while a retry of either is still one.
func TestServeKeepsTwoPushesWithoutMsgID(t *testing.T) {
	db := newDB(t)
	addApp(t, db, "--mode", "plain", "--format", "json")
	s := startServe(t, db)
	signer := plainSigner(t, kefu.FormatJSON)
	now := time.Now().Unix()
	for i, content := range []string{"first", "second", "first"} {
		m := &kefu.Inbound{ToUserName: testOrigID, OpenID: "oSameSecond", CreateTime: now, MsgType: "text",
			Kind: kefu.KindText, Content: content}
		req, err := signer.Build(m, now, fmt.Sprint(100+i))
		if err != nil {
			t.Fatal(err)
		}
		if code, body := s.post(t, req.Query.Encode(), req.ContentType, req.Body); code != 200 || body != "success" {
			t.Fatalf("push %d: %d %q", i, code, body)
		}
	}
	s.stop(t)
	if texts := storedTexts(t, db); len(texts) != 2 {
		t.Fatalf("stored %q, want first and second once each", texts)
	}
}
