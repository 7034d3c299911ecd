package kefu

import (
	"maps"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func textPush(openid string, msgID int64, content string) *Inbound {
	return &Inbound{
		AppID: "wxba5fad812f8e6fb9", ToUserName: "gh_97417a04a28d", OpenID: openid,
		CreateTime: t0.Unix(), MsgType: "text", MsgID: msgID, Kind: KindText, Content: content,
		ReceivedAt: t0,
	}
}

func eventPush(openid string, at time.Time, event string) *Inbound {
	m := &Inbound{
		AppID: "wxba5fad812f8e6fb9", ToUserName: "gh_97417a04a28d", OpenID: openid,
		CreateTime: at.Unix(), MsgType: "event", Event: event, Kind: KindOther, ReceivedAt: at,
	}
	switch event {
	case EventEnterSession:
		m.Kind = KindEnter
	case EventDebugDemo:
		m.Kind = KindDebugDemo
	}
	return m
}

func TestDedupKey(t *testing.T) {
	enter := func() *Inbound { return eventPush("o1", t0, EventEnterSession) }
	tests := []struct {
		name    string
		a, b    *Inbound
		collide bool
	}{
		{"same MsgId", textPush("o1", 42, "hi"), textPush("o1", 42, "hi"), true},
		{"same MsgId, retry received later", textPush("o1", 42, "hi"),
			func() *Inbound { m := textPush("o1", 42, "hi"); m.ReceivedAt = t0.Add(5 * time.Second); return m }(), true},
		{"MsgId decides over content and time", textPush("o1", 42, "hi"),
			func() *Inbound { m := textPush("o2", 42, "other"); m.CreateTime++; return m }(), true},
		{"different MsgId", textPush("o1", 42, "hi"), textPush("o1", 43, "hi"), false},
		{"same user, time and event", enter(), enter(), true},
		{"same event, retry received later", enter(),
			func() *Inbound { m := enter(); m.ReceivedAt = t0.Add(15 * time.Second); return m }(), true},
		{"same event, other session-from", enter(),
			func() *Inbound { m := enter(); m.SessionFrom = "elsewhere"; return m }(), true},
		{"different event", enter(), eventPush("o1", t0, EventDebugDemo), false},
		{"different time", enter(), eventPush("o1", t0.Add(time.Second), EventEnterSession), false},
		{"different user", enter(), eventPush("o2", t0, EventEnterSession), false},
		{"different msg type", enter(),
			func() *Inbound { m := enter(); m.MsgType = "text"; m.Event = ""; return m }(), false},
		{"message and event with the same fields", textPush("o1", 42, "hi"),
			func() *Inbound { m := textPush("o1", 0, "hi"); return m }(), false},
		{"MsgId 42 against an event", textPush("o1", 42, "hi"), eventPush("42", t0, ""), false},
		// A text or image without MsgId is told apart by its document, as WeChat's
		// retry repeats it exactly.
		{"no MsgId, same second, other text", withRaw(textPush("o1", 0, "a")), withRaw(textPush("o1", 0, "b")), false},
		{"no MsgId, same document", withRaw(textPush("o1", 0, "a")), withRaw(textPush("o1", 0, "a")), true},
		{"unrelated events, same second, other documents",
			withRawText(eventPush("o1", t0, "wxa_media_check"), "1"), withRawText(eventPush("o1", t0, "wxa_media_check"), "2"), false},
		{"enter events ignore the document (WeChat's rule)",
			withRawText(enter(), "1"), withRawText(enter(), "2"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := tc.a.DedupKey(), tc.b.DedupKey()
			if ka == "" || kb == "" {
				t.Fatalf("empty dedup key: %q, %q", ka, kb)
			}
			if got := ka == kb; got != tc.collide {
				t.Errorf("keys %q and %q: collide = %v, want %v", ka, kb, got, tc.collide)
			}
		})
	}
}

// withRaw gives a push a document that depends on its content, as WeChat's would.
func withRaw(m *Inbound) *Inbound { return withRawText(m, m.Content) }

func withRawText(m *Inbound, text string) *Inbound {
	m.Raw = []byte(`{"MsgType":"` + m.MsgType + `","Content":"` + text + `"}`)
	return m
}

func TestDedupKeyShape(t *testing.T) {
	if got, want := textPush("o1", 9007199254740993, "hi").DedupKey(), "m:9007199254740993"; got != want {
		t.Errorf("message key = %q, want %q", got, want)
	}
	e := eventPush("oUser", t0, EventEnterSession)
	if got, want := e.DedupKey(), "e:oUser:1777626000:event:user_enter_tempsession"; got != want {
		t.Errorf("event key = %q, want %q", got, want)
	}
}

func TestFromCustomer(t *testing.T) {
	tests := []struct {
		kind   Kind
		openid string
		want   bool
	}{
		{KindText, "o1", true},
		{KindImage, "o1", true},
		{KindCard, "o1", true},
		{KindEnter, "o1", true},
		{KindText, "", false},
		{KindImage, "", false},
		{KindCard, "", false},
		{KindEnter, "", false},
		{KindDebugDemo, "o1", false},
		{KindOther, "o1", false},
		{"", "o1", false},
	}
	for _, tc := range tests {
		m := &Inbound{Kind: tc.kind, OpenID: tc.openid}
		if got := m.FromCustomer(); got != tc.want {
			t.Errorf("FromCustomer(kind %q, openid %q) = %v, want %v", tc.kind, tc.openid, got, tc.want)
		}
	}
}

func TestActionTime(t *testing.T) {
	received := t0
	tests := []struct {
		name       string
		createTime int64
		want       time.Time
	}{
		{"a second before receipt", received.Unix() - 1, received.Add(-time.Second)},
		{"an hour before receipt", received.Add(-time.Hour).Unix(), received.Add(-time.Hour)},
		{"at receipt", received.Unix(), received},
		{"a second in the future", received.Unix() + 1, received},
		{"a day in the future", received.Add(24 * time.Hour).Unix(), received},
		{"zero", 0, received},
		{"negative", -1, received},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Inbound{CreateTime: tc.createTime, ReceivedAt: received}
			if got := m.ActionTime(); !got.Equal(tc.want) {
				t.Errorf("ActionTime() = %v, want %v", got, tc.want)
			}
		})
	}
	// ReceivedAt carries sub-second precision; CreateTime has whole seconds. A
	// CreateTime in the same second but after ReceivedAt's instant is in the future.
	m := &Inbound{CreateTime: received.Unix() + 1, ReceivedAt: received.Add(500 * time.Millisecond)}
	if got := m.ActionTime(); !got.Equal(m.ReceivedAt) {
		t.Errorf("ActionTime() = %v, want ReceivedAt %v", got, m.ReceivedAt)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		m    Inbound
		want string
	}{
		{"text", Inbound{Kind: KindText, MsgType: "text", Content: "你好\nthere"}, "你好\nthere"},
		{"empty text", Inbound{Kind: KindText, MsgType: "text"}, ""},
		{"image", Inbound{Kind: KindImage, MsgType: "image", PicURL: "http://x/y.jpg"}, "[image]"},
		{"card", Inbound{Kind: KindCard, MsgType: "miniprogrampage", Title: "Order 12"}, "[mini program card] Order 12"},
		{"enter", Inbound{Kind: KindEnter, MsgType: "event", Event: EventEnterSession, SessionFrom: "sf"}, "[entered chat] sf"},
		{"debug demo", Inbound{Kind: KindDebugDemo, MsgType: "event", Event: EventDebugDemo}, "[debug_demo]"},
		{"other event", Inbound{Kind: KindOther, MsgType: "event", Event: "subscribe_msg_popup_event"}, "[event subscribe_msg_popup_event]"},
		{"other message type", Inbound{Kind: KindOther, MsgType: "voice"}, "[voice]"},
	}
	for _, tc := range tests {
		if got := tc.m.Summary(); got != tc.want {
			t.Errorf("%s: Summary() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		m    Inbound
		want map[string]string
	}{
		{"text has none", Inbound{Kind: KindText, Content: "hi"}, nil},
		{"image", Inbound{Kind: KindImage, PicURL: "http://x/y.jpg", MediaID: "m1"},
			map[string]string{"pic_url": "http://x/y.jpg", "media_id": "m1"}},
		{"card", Inbound{Kind: KindCard, Title: "T", CardAppID: "wx1", PagePath: "pages/a?b=1", ThumbURL: "http://x/t", ThumbMediaID: "tm"},
			map[string]string{"title": "T", "appid": "wx1", "pagepath": "pages/a?b=1", "thumb_url": "http://x/t", "thumb_media_id": "tm"}},
		{"enter with session-from", Inbound{Kind: KindEnter, SessionFrom: "sf"}, map[string]string{"session_from": "sf"}},
		{"enter without session-from", Inbound{Kind: KindEnter}, nil},
		{"card with some fields empty", Inbound{Kind: KindCard, Title: "T"}, map[string]string{"title": "T"}},
	}
	for _, tc := range tests {
		got := tc.m.Fields()
		if (got == nil) != (tc.want == nil) || !maps.Equal(got, tc.want) {
			t.Errorf("%s: Fields() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
