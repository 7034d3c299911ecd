package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/store/sqlstore"
)

// msgTime is when the test pushes were created, by WeChat's clock.
var msgTime = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func textPush(openid string, msgID int64, content string, at time.Time) *kefu.Inbound {
	return &kefu.Inbound{
		AppID: testAppID, ToUserName: testOrigID, OpenID: openid, CreateTime: at.Unix(),
		MsgType: "text", MsgID: msgID, Kind: kefu.KindText, Content: content,
		Raw: []byte(`{"MsgType":"text"}`), ReceivedAt: at,
	}
}

func enterPush(openid, from string, at time.Time) *kefu.Inbound {
	return &kefu.Inbound{
		AppID: testAppID, ToUserName: testOrigID, OpenID: openid, CreateTime: at.Unix(),
		MsgType: "event", Event: kefu.EventEnterSession, Kind: kefu.KindEnter, SessionFrom: from,
		ReceivedAt: at,
	}
}

// ingest stores pushes through the store, as the webhook would, and closes it again
// before the command under test opens the file.
func ingest(t *testing.T, db string, pushes ...*kefu.Inbound) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer s.Close()
	for _, m := range pushes {
		if _, err := s.Ingest(ctx, m); err != nil {
			t.Fatalf("Ingest(%s): %v", m.DedupKey(), err)
		}
	}
}

// seed adds the test app and five pushes: o1 writes twice, o2 once, o1 enters the
// chat, o2 writes a line with a newline in it.
func seed(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	addApp(t, db)
	ingest(t, db,
		textPush("o1", 1001, "hello", msgTime),
		textPush("o1", 1002, "are you there?", msgTime.Add(time.Minute)),
		textPush("o2", 2001, "你好", msgTime.Add(2*time.Minute)),
		enterPush("o1", "order-42", msgTime.Add(3*time.Minute)),
		textPush("o2", 2002, "two\nlines", msgTime.Add(4*time.Minute)),
	)
	return db
}

// jsonLines decodes one JSON object per line of out.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		objs = append(objs, m)
	}
	return objs
}

func TestMessagesJSON(t *testing.T) {
	t.Parallel()
	db := seed(t)
	r := kefuDB(t, db, "messages", "--app", testAppID, "--json")
	wantExit(t, r, 0)
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Fatalf("%d lines, want 5 (one per message)\n%s", n, r)
	}
	objs := jsonLines(t, r.stdout)
	if len(objs) != 5 {
		t.Fatalf("%d objects, want 5", len(objs))
	}

	want := []struct {
		wxMsgID int64
		openid  string
		typ     string
		content string
		at      time.Time
	}{
		{1001, "o1", "text", "hello", msgTime},
		{1002, "o1", "text", "are you there?", msgTime.Add(time.Minute)},
		{2001, "o2", "text", "你好", msgTime.Add(2 * time.Minute)},
		{0, "o1", "enter", "[entered chat] order-42", msgTime.Add(3 * time.Minute)},
		{2002, "o2", "text", "two\nlines", msgTime.Add(4 * time.Minute)},
	}
	var lastID float64
	for i, o := range objs {
		w := want[i]
		for _, field := range []string{"id", "wx_msgid", "openid", "direction", "type", "content", "create_time", "received_at"} {
			if _, ok := o[field]; !ok {
				t.Errorf("message %d has no %q field: %v", i, field, o)
			}
		}
		id, _ := o["id"].(float64)
		if id <= lastID {
			t.Errorf("message %d: id %v not above the previous %v", i, o["id"], lastID)
		}
		lastID = id
		if o["wx_msgid"] != float64(w.wxMsgID) {
			t.Errorf("message %d: wx_msgid %v, want %d", i, o["wx_msgid"], w.wxMsgID)
		}
		if o["openid"] != w.openid || o["direction"] != "in" || o["type"] != w.typ || o["content"] != w.content {
			t.Errorf("message %d = %v, want openid %s, direction in, type %s, content %q", i, o, w.openid, w.typ, w.content)
		}
		if o["create_time"] != w.at.Format(time.RFC3339) {
			t.Errorf("message %d: create_time %v, want %s", i, o["create_time"], w.at.Format(time.RFC3339))
		}
		if _, ok := o["conversation_id"]; !ok {
			t.Errorf("message %d has no conversation_id: %v", i, o)
		}
	}
	if f, _ := objs[3]["fields"].(map[string]any); f["session_from"] != "order-42" || objs[3]["event"] != kefu.EventEnterSession {
		t.Errorf("enter event: fields %v, event %v", objs[3]["fields"], objs[3]["event"])
	}
}

func TestMessagesFilters(t *testing.T) {
	t.Parallel()
	db := seed(t)
	tests := []struct {
		name     string
		args     []string
		contents []string
	}{
		{"all", nil, []string{"hello", "are you there?", "你好", "[entered chat] order-42", "two\nlines"}},
		{"limit 2", []string{"--limit", "2"}, []string{"hello", "are you there?"}},
		{"limit 1", []string{"--limit", "1"}, []string{"hello"}},
		{"limit above the count", []string{"--limit", "50"}, []string{"hello", "are you there?", "你好", "[entered chat] order-42", "two\nlines"}},
		{"openid o1", []string{"--openid", "o1"}, []string{"hello", "are you there?", "[entered chat] order-42"}},
		{"openid o2", []string{"--openid", "o2"}, []string{"你好", "two\nlines"}},
		{"openid with limit", []string{"--openid", "o1", "--limit", "2"}, []string{"hello", "are you there?"}},
		{"unknown openid", []string{"--openid", "nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := kefuDB(t, db, append([]string{"messages", "--app", testAppID, "--json"}, tc.args...)...)
			wantExit(t, r, 0)
			objs := jsonLines(t, r.stdout)
			var got []string
			for _, o := range objs {
				got = append(got, o["content"].(string))
			}
			if strings.Join(got, "|") != strings.Join(tc.contents, "|") {
				t.Errorf("contents %q, want %q", got, tc.contents)
			}
		})
	}
}

// TestMessagesAfter pages through messages by id, as a script following new
// messages would.
func TestMessagesAfter(t *testing.T) {
	t.Parallel()
	db := seed(t)
	all := jsonLines(t, kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout)
	second := strconv.FormatInt(int64(all[1]["id"].(float64)), 10)
	r := kefuDB(t, db, "messages", "--app", testAppID, "--json", "--after", second, "--limit", "2")
	wantExit(t, r, 0)
	objs := jsonLines(t, r.stdout)
	if len(objs) != 2 || objs[0]["id"] != all[2]["id"] || objs[1]["id"] != all[3]["id"] {
		t.Errorf("--after %s --limit 2 = %v, want messages 3 and 4 of %v", second, objs, all)
	}
	last := strconv.FormatInt(int64(all[4]["id"].(float64)), 10)
	r = kefuDB(t, db, "messages", "--app", testAppID, "--json", "--after", last)
	wantExit(t, r, 0)
	if r.stdout != "" {
		t.Errorf("--after the last id printed %q", r.stdout)
	}
}

func TestMessagesTable(t *testing.T) {
	t.Parallel()
	db := seed(t)
	r := kefuDB(t, db, "messages", "--app", testAppID)
	wantExit(t, r, 0, "ID", "CONTENT", "hello", "o2", "你好", "enter", "2026-05-01 09:00:00")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 6 {
		t.Errorf("%d lines, want a header and 5 messages (a newline in content must not split a row)\n%s", len(lines), r)
	}
	if !strings.Contains(r.stdout, "two lines") {
		t.Errorf("the newline in a message was not flattened\n%s", r)
	}

	r = kefuDB(t, db, "messages", "--app", testAppID, "--limit", "2")
	wantExit(t, r, 0)
	if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); len(lines) != 3 {
		t.Errorf("--limit 2: %d lines, want a header and 2 messages\n%s", len(lines), r)
	}
}

func TestMessagesLongContentClipped(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	long := strings.Repeat("字", 100)
	ingest(t, db, textPush("o1", 1, long, msgTime))
	r := kefuDB(t, db, "messages", "--app", testAppID)
	wantExit(t, r, 0, strings.Repeat("字", 60)+"…")
	if strings.Contains(r.stdout, strings.Repeat("字", 61)) {
		t.Errorf("content not clipped at 60 characters\n%s", r)
	}
	// JSON carries the whole text.
	objs := jsonLines(t, kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout)
	if len(objs) != 1 || objs[0]["content"] != long {
		t.Errorf("JSON content clipped: %v", objs)
	}
}

// TestMessagesMoreThanAPage checks that the command pages past the store's page size.
func TestMessagesMoreThanAPage(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	addApp(t, db)
	const n = 1203
	pushes := make([]*kefu.Inbound, n)
	for i := range pushes {
		pushes[i] = textPush("o1", int64(i+1), "m"+strconv.Itoa(i), msgTime.Add(time.Duration(i)*time.Second))
	}
	ingest(t, db, pushes...)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, n},
		{[]string{"--limit", "1001"}, 1001},
		{[]string{"--limit", "1000"}, 1000},
	} {
		r := kefuDB(t, db, append([]string{"messages", "--app", testAppID, "--json"}, tc.args...)...)
		wantExit(t, r, 0)
		if got := strings.Count(r.stdout, "\n"); got != tc.want {
			t.Errorf("%v: %d messages, want %d", tc.args, got, tc.want)
		}
	}
}

func TestMessagesErrors(t *testing.T) {
	t.Parallel()
	db := seed(t)
	wantExit(t, kefuDB(t, db, "messages"), 2, "--app is required")
	wantExit(t, kefuDB(t, db, "messages", "--json"), 2, "--app is required")
	wantExit(t, kefuDB(t, db, "messages", "--app", "wx999"), 1, "no app wx999")
	wantExit(t, kefuDB(t, db, "messages", "--app", testAppID, "--limit", "many"), 2, "limit")
}

func TestMessagesKEFUDBAndApp(t *testing.T) {
	t.Parallel()
	db := seed(t)
	env := map[string]string{"KEFU_DB": db, "KEFU_APP": testAppID}
	r := kefuCmd(t, func(k string) string { return env[k] }, "messages", "--json", "--limit", "2")
	wantExit(t, r, 0)
	if objs := jsonLines(t, r.stdout); len(objs) != 2 {
		t.Errorf("%d messages through KEFU_DB and KEFU_APP, want 2\n%s", len(objs), r)
	}
}

func TestAppRemoveWithMessages(t *testing.T) {
	t.Parallel()
	db := seed(t)

	r := kefuDB(t, db, "app", "remove", "--appid", testAppID)
	wantExit(t, r, 1, "--purge", testAppID)
	if objs := jsonLines(t, kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout); len(objs) != 5 {
		t.Fatalf("a refused remove lost messages: %d left", len(objs))
	}
	if _, err := storedApp(t, db, testAppID); err != nil {
		t.Fatalf("a refused remove removed the app: %v", err)
	}

	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", testAppID, "--purge"), 0, "removed "+testAppID)
	wantExit(t, kefuDB(t, db, "messages", "--app", testAppID), 1, "no app "+testAppID)

	// The rows are gone, not just hidden behind the missing app: a new app under the
	// same appid starts empty.
	addApp(t, db)
	r = kefuDB(t, db, "messages", "--app", testAppID, "--json")
	wantExit(t, r, 0)
	if r.stdout != "" {
		t.Errorf("messages survived --purge:\n%s", r.stdout)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Customer(ctx, testAppID, "o1"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Errorf("customer survived --purge: %v", err)
	}
	if _, err := s.OpenConversation(ctx, testAppID, "o1"); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Errorf("conversation survived --purge: %v", err)
	}
}

// TestAppRemoveOtherAppsMessages checks that another app's messages do not stop a
// remove, and survive a purge.
func TestAppRemoveOtherAppsMessages(t *testing.T) {
	t.Parallel()
	db := seed(t)
	wantExit(t, kefuDB(t, db, "app", "add", "--appid", "wxother", "--token", "tok"), 0)
	wantExit(t, kefuDB(t, db, "app", "add", "--appid", "wxthird", "--token", "tok"), 0)
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", "wxother"), 0)
	third := textPush("o1", 1001, "same MsgId, other app", msgTime)
	third.AppID = "wxthird"
	ingest(t, db, third)
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", "wxthird"), 1, "--purge")
	wantExit(t, kefuDB(t, db, "app", "remove", "--appid", "wxthird", "--purge"), 0)
	if objs := jsonLines(t, kefuDB(t, db, "messages", "--app", testAppID, "--json").stdout); len(objs) != 5 {
		t.Errorf("removing another app touched this one's messages: %d left", len(objs))
	}
}
