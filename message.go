package kefu

import "time"

// Direction says who wrote a message.
type Direction string

// Inbound messages come from users, outbound ones go to them.
const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
)

// Message is a stored message, inbound or outbound.
type Message struct {
	ID             int64
	AppID          string
	OpenID         string
	ConversationID int64 // 0 when the push belongs to no conversation (other events)
	Direction      Direction
	Kind           Kind
	MsgType        string
	Event          string
	WxMsgID        int64 // WeChat's MsgId, 0 for events
	DedupKey       string
	Content        string // text, or a one-line summary for other kinds
	Fields         map[string]string
	Raw            []byte
	CreateTime     time.Time // WeChat's CreateTime
	ReceivedAt     time.Time // when kefu stored it
}

// MessageFilter selects stored messages.
type MessageFilter struct {
	AppID   string
	OpenID  string // optional
	AfterID int64  // only messages with a larger ID
	Limit   int    // 0 means a default
}

// Customer is a user of one mini program who has talked to customer service.
type Customer struct {
	AppID       string
	OpenID      string
	SessionFrom string // the last session-from the user entered with
	FirstSeen   time.Time
	LastSeen    time.Time
}

// ConversationStatus is where a conversation is in its life.
type ConversationStatus string

// Statuses. Later work (the desk) adds queued/assigned states.
const (
	ConversationOpen   ConversationStatus = "open"
	ConversationClosed ConversationStatus = "closed"
)

// Conversation is one stretch of talk between a customer and the service.
type Conversation struct {
	ID            int64
	AppID         string
	OpenID        string
	Status        ConversationStatus
	OpenedAt      time.Time
	LastMessageAt time.Time
	ClosedAt      time.Time
}

// Fields stores the kind-specific fields of an Inbound, for Message.Fields.
func (m *Inbound) Fields() map[string]string {
	f := map[string]string{}
	add := func(k, v string) {
		if v != "" {
			f[k] = v
		}
	}
	add("pic_url", m.PicURL)
	add("media_id", m.MediaID)
	add("title", m.Title)
	add("appid", m.CardAppID)
	add("pagepath", m.PagePath)
	add("thumb_url", m.ThumbURL)
	add("thumb_media_id", m.ThumbMediaID)
	add("session_from", m.SessionFrom)
	if len(f) == 0 {
		return nil
	}
	return f
}

// Summary is a one-line text for listings: the text itself, or a bracketed kind.
func (m *Inbound) Summary() string {
	switch m.Kind {
	case KindText:
		return m.Content
	case KindImage:
		return "[image]"
	case KindCard:
		return "[mini program card] " + m.Title
	case KindEnter:
		return "[entered chat] " + m.SessionFrom
	case KindDebugDemo:
		return "[debug_demo]"
	}
	if m.Event != "" {
		return "[event " + m.Event + "]"
	}
	return "[" + m.MsgType + "]"
}
