package storetest

import (
	"context"
	"testing"
	"time"

	"kefu"
)

const (
	testAppID = "wxba5fad812f8e6fb9"
	testKey   = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

func testApp() *kefu.App {
	return &kefu.App{
		AppID: testAppID, OriginalID: "gh_97417a04a28d", Secret: "s3cret-value", Token: "AAAAA",
		AESKey: testKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON,
	}
}

func (e *env) createApp(t *testing.T) *kefu.App {
	t.Helper()
	a := testApp()
	if err := e.store.CreateApp(context.Background(), a); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	return a
}

// text builds a text push from openid with the given MsgId, created now.
func (e *env) text(openid string, msgID int64, content string) *kefu.Inbound {
	now := e.clock.Now()
	return &kefu.Inbound{
		AppID: testAppID, ToUserName: "gh_97417a04a28d", OpenID: openid, CreateTime: now.Unix(),
		MsgType: "text", MsgID: msgID, Kind: kefu.KindText, Content: content,
		Raw: []byte(`{"MsgType":"text"}`), ReceivedAt: now,
	}
}

func (e *env) enter(openid, from string) *kefu.Inbound {
	now := e.clock.Now()
	return &kefu.Inbound{
		AppID: testAppID, ToUserName: "gh_97417a04a28d", OpenID: openid, CreateTime: now.Unix(),
		MsgType: "event", Event: kefu.EventEnterSession, Kind: kefu.KindEnter, SessionFrom: from,
		ReceivedAt: now,
	}
}

func (e *env) ingest(t *testing.T, m *kefu.Inbound) kefu.IngestResult {
	t.Helper()
	res, err := e.store.Ingest(context.Background(), m)
	if err != nil {
		t.Fatalf("Ingest(%s): %v", m.DedupKey(), err)
	}
	return res
}

func (e *env) messages(t *testing.T, f kefu.MessageFilter) []*kefu.Message {
	t.Helper()
	if f.AppID == "" {
		f.AppID = testAppID
	}
	if f.Limit == 0 {
		f.Limit = 10000
	}
	ms, err := e.store.Messages(context.Background(), f)
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	return ms
}

func (e *env) quota(t *testing.T, openid string) kefu.QuotaState {
	t.Helper()
	now := e.clock.Now()
	grants, err := e.store.QuotaGrants(context.Background(), testAppID, openid, now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatalf("QuotaGrants: %v", err)
	}
	return kefu.ComputeQuota(grants, nil, now)
}

func wantCode(t *testing.T, err error, code kefu.ErrorCode) {
	t.Helper()
	if got := kefu.ErrorCodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}
