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
	CreateTime     time.Time // WeChat's CreateTime; for outbound messages, when queued
	ReceivedAt     time.Time // when kefu stored it

	// Delivery of an outbound message.
	Status   DeliveryStatus // "" for inbound messages
	Attempts int            // send attempts so far
	// NextAttempt is when a queued message is due: when it was queued, or when its
	// retry is. While sending, it is when the attempt began. For inbound media,
	// when the next fetch is due.
	NextAttempt time.Time
	DoneAt      time.Time // when it ended sent or failed
	// ErrCode and ErrReason say why it failed, or why the last attempt did while it
	// waits to be retried. ErrCode is WeChat's errcode, 0 when WeChat gave none.
	ErrCode   int
	ErrReason string

	// MediaKey is kefu's stored copy of an inbound image or card thumbnail, once
	// fetched (see MediaState), or the stored image an outbound message sends.
	MediaKey   string
	MediaState MediaState
}

// MessageEvent is the event of kind about message m, at at.
func MessageEvent(kind EventKind, m *Message, at time.Time) Event {
	return Event{Kind: kind, AppID: m.AppID, OpenID: m.OpenID, ConversationID: m.ConversationID,
		MessageID: m.ID, MessageKind: m.Kind, At: at}
}

// DeliveryStatus is where an outbound message is on its way to WeChat.
type DeliveryStatus string

// An outbound message is queued (stored, not yet handed to WeChat), sending (handed to
// the WeChat API now), then sent or failed for good.
const (
	StatusQueued  DeliveryStatus = "queued"
	StatusSending DeliveryStatus = "sending"
	StatusSent    DeliveryStatus = "sent"
	StatusFailed  DeliveryStatus = "failed"
)

// MediaState is how far the re-hosting of an inbound message's media has come.
type MediaState string

// Inbound images and cards start pending ("") and end stored or failed; other
// messages have nothing to fetch.
const (
	MediaPending MediaState = ""
	MediaStored  MediaState = "stored"
	MediaFailed  MediaState = "failed"
	MediaNone    MediaState = "none" // a card that came without a thumbnail
)

// HasMedia reports whether an inbound message carries media kefu re-hosts.
func (m *Message) HasMedia() bool {
	return m.Direction == DirectionIn && (m.Kind == KindImage || m.Kind == KindCard)
}

// MessageFilter selects stored messages.
type MessageFilter struct {
	AppID   string
	OpenID  string // optional
	AfterID int64  // only messages with a larger ID
	// BeforeID, if set, takes the Limit messages just before it (a page of
	// history as the agent scrolls up), still returned oldest first.
	BeforeID int64
	Limit    int // 0 means a default
}

// Customer is a user of one mini program who has talked to customer service.
type Customer struct {
	AppID       string
	OpenID      string
	SessionFrom string // the last session-from the user entered with
	FirstSeen   time.Time
	LastSeen    time.Time
	// Conversations counts the customer's conversations that reached the desk
	// (a customer's message in them), this one included.
	Conversations int
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
	return nonEmpty("pic_url", m.PicURL, "media_id", m.MediaID, "title", m.Title, "appid", m.CardAppID,
		"pagepath", m.PagePath, "thumb_url", m.ThumbURL, "thumb_media_id", m.ThumbMediaID,
		"session_from", m.SessionFrom)
}

// nonEmpty builds a map of the given key, value pairs whose value is not empty; nil
// when none is, so that a message without fields stores none.
func nonEmpty(pairs ...string) map[string]string {
	var f map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			if f == nil {
				f = make(map[string]string)
			}
			f[pairs[i]] = pairs[i+1]
		}
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
