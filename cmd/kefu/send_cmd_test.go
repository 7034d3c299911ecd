package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSendOneContent: kefu send sends one thing; given two of text, image, link and
// card it refuses with a usage error and queues nothing, rather than sending one and
// dropping the other. An image beside a card is the card's thumbnail.
func TestSendOneContent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	const user = "oTwoContents"
	ingest(t, db, textPush(user, 7001, "在吗", time.Now())) // opens the user's reply window
	pic := filepath.Join(t.TempDir(), "pic.png")
	if err := os.WriteFile(pic, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	send := []string{"send", "--app", testAppID, "--to", user}
	for _, tc := range []struct {
		args     []string
		mentions []string
	}{
		{[]string{"--text", "hi", "--image", pic}, []string{"--text", "--image"}},
		{[]string{"--text", "hi", "--link-url", "https://example.com/", "--title", "T"}, []string{"--text", "--link-url"}},
		{[]string{"--image", pic, "--link-url", "https://example.com/", "--title", "T"}, []string{"--image", "--link-url"}},
		{[]string{"--link-url", "https://example.com/", "--card-path", "pages/a", "--title", "T", "--image", pic}, []string{"--link-url", "--card-path"}},
		{[]string{"--text", "hi", "--card-path", "pages/a", "--title", "T", "--image", pic}, []string{"--text", "--card-path"}},
	} {
		r := kefuDB(t, db, append(send, tc.args...)...)
		wantExit(t, r, 2, tc.mentions...)
		if strings.Contains(r.stdout, "queued") {
			t.Errorf("kefu send %v queued a message\n%s", tc.args, r)
		}
	}
	if r := kefuDB(t, db, "messages", "--app", testAppID, "--openid", user, "--json"); len(jsonLines(t, r.stdout)) != 1 {
		t.Errorf("refused sends stored messages:\n%s", r)
	}
	// A card takes --image as its thumbnail.
	wantExit(t, kefuDB(t, db, append(send, "--card-path", "pages/a", "--title", "T", "--image", pic)...), 0, "queued")
}

// TestSendSaysWhoDelivers: kefu send only queues, so it says that the message waits
// for a running kefu serve, and where to see how it ended.
func TestSendSaysWhoDelivers(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	const user = "oQueued"
	ingest(t, db, textPush(user, 7101, "在吗", time.Now()))
	r := kefuDB(t, db, "send", "--app", testAppID, "--to", user, "--text", "您好")
	wantExit(t, r, 0, "queued message", "waits for a running `kefu serve` on this database", "kefu messages --app "+testAppID)
}
