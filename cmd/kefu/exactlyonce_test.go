package main

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/bench"
	"kefu/store/sqlstore"
)

// TestExactlyOnceChecksSeeADoubledPush: the exactly-once checks of kefu bench ingest
// and of the crash test pass on a store where each push is one row, and fail once a
// push is stored a second time under another dedup key, which the unique index on
// dedup keys cannot prevent and counting by dedup key cannot see.
func TestExactlyOnceChecksSeeADoubledPush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	addApp(t, db)
	app := &kefu.App{AppID: testAppID, OriginalID: testOrigID, Token: testToken, AESKey: testKey,
		Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	pushes, err := bench.BuildPushes(app, kefu.ModeSecure, 20, 5, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, db)
	result := bench.Send(ctx, bench.Load{URL: srv.url + "/wx/" + testAppID, Concurrency: 4}, pushes)
	if result.Acked() != len(pushes) {
		t.Fatalf("%d of %d pushes acknowledged; first failure: %s", result.Acked(), len(pushes), result.FirstError)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited %d\n%s", code, srv.stderr)
	}
	store, err := sqlstore.Open(ctx, db, sqlstore.Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ids := make([]int64, len(pushes))
	for i, push := range pushes {
		ids[i] = push.MsgID
	}

	var out bytes.Buffer
	if err := bench.CheckStored(ctx, &out, store, testAppID, pushes, result); err != nil || !strings.Contains(out.String(), "0 missing from the store, 0 stored more than once") {
		t.Fatalf("bench check of a clean store: %v\n%s", err, out.String())
	}
	if n := duplicates(countMsgIDs(t, store, ids)); n != 0 {
		t.Fatalf("crash-test check of a clean store: %d duplicates", n)
	}

	doublePush(t, db, pushes[7].MsgID)
	out.Reset()
	if err := bench.CheckStored(ctx, &out, store, testAppID, pushes, result); err == nil || !strings.Contains(out.String(), "1 stored more than once") {
		t.Errorf("bench check missed a push stored twice: %v\n%s", err, out.String())
	}
	if n := duplicates(countMsgIDs(t, store, ids)); n != 1 {
		t.Errorf("crash-test check counts %d duplicates of a push stored twice, want 1", n)
	}
}

// doublePush stores the push with MsgId msgID a second time, under a dedup key of its
// own, as a bug deriving keys differently on a retry would.
func doublePush(t *testing.T, path string, msgID int64) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`INSERT INTO messages (appid, openid, conversation_id, direction, kind, msg_type, wx_msgid,
			dedup_key, content, raw, create_time, received_at)
		SELECT appid, openid, conversation_id, direction, kind, msg_type, wx_msgid,
			dedup_key || ':again', content, raw, create_time, received_at
		FROM messages WHERE wx_msgid = ?`, msgID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("doubled %d rows of MsgId %d, want 1", n, msgID)
	}
}
