package kefu

import (
	"hash/fnv"
	"strconv"
	"time"
)

// Kind says what an inbound push is, as far as customer service cares.
type Kind string

// The inbound kinds. Anything WeChat sends that is none of the first five is KindOther:
// it is stored with its raw payload and answered "success", never rejected, because
// WeChat pushes unrelated mini program events to the same URL.
const (
	KindText      Kind = "text"
	KindImage     Kind = "image"
	KindCard      Kind = "miniprogrampage" // a mini program card the user sent
	KindEnter     Kind = "enter"           // event user_enter_tempsession
	KindDebugDemo Kind = "debug_demo"      // the console's test event
	KindOther     Kind = "other"
)

// Event names WeChat uses that kefu treats specially.
const (
	EventEnterSession = "user_enter_tempsession"
	EventDebugDemo    = "debug_demo"
)

// Inbound is one decoded push from WeChat, before it is stored.
type Inbound struct {
	AppID      string // whose URL it came to (/wx/{appid})
	ToUserName string // the mini program's original id (gh_…)
	OpenID     string // FromUserName: the user
	CreateTime int64  // Unix seconds, WeChat's clock
	MsgType    string // as sent: text, image, miniprogrampage, event, …
	Event      string // for MsgType event
	MsgID      int64  // 0 for events, which carry none
	Kind       Kind

	Content      string // text
	PicURL       string // image
	MediaID      string // image
	Title        string // card
	CardAppID    string // card: the AppId field
	PagePath     string // card
	ThumbURL     string // card
	ThumbMediaID string // card
	SessionFrom  string // enter event

	// Raw is the plaintext document (XML or JSON) as WeChat sent it, after decryption.
	Raw []byte
	// ReceivedAt is when kefu received the push, by its own clock.
	ReceivedAt time.Time
	// Signed, when set, asks Ingest to record the signature the push's URL came
	// with, and to refuse the push if that signature came before with another body
	// (see PushSignature).
	Signed *PushSignature
}

// DedupKey is the key under which WeChat's retries of one push collapse into one
// stored message: the MsgId when there is one, otherwise the sender, the creation
// time and the event (docs/protocol.md §8). That rule is WeChat's for events, and it
// is kept for the two kefu knows (entering the chat, the console's test event). Any
// other push without a MsgId — a text or image whose MsgId is missing or 0, or an
// unrelated event, of which a system sender may push several in one second — also
// gets a hash of its document, which a retry repeats exactly: two different pushes
// of one second must not collapse into one and lose the second after "success".
func (m *Inbound) DedupKey() string {
	if m.MsgID != 0 {
		return "m:" + strconv.FormatInt(m.MsgID, 10)
	}
	key := "e:" + m.OpenID + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.MsgType + ":" + m.Event
	if m.Kind != KindEnter && m.Kind != KindDebugDemo {
		h := fnv.New64a()
		h.Write(m.Raw)
		key += ":" + strconv.FormatUint(h.Sum64(), 36)
	}
	return key
}

// FromCustomer reports whether the push is a customer-service interaction: it names a
// user, counts as the user's action for the reply quota, and belongs in a conversation.
func (m *Inbound) FromCustomer() bool {
	switch m.Kind {
	case KindText, KindImage, KindCard, KindEnter:
		return m.OpenID != ""
	}
	return false
}

// ActionTime is the moment the user acted, for the reply window: WeChat's CreateTime,
// but never later than when the push reached us (a skewed or forged CreateTime must
// not stretch the window).
func (m *Inbound) ActionTime() time.Time {
	t := time.Unix(m.CreateTime, 0)
	if m.CreateTime <= 0 || t.After(m.ReceivedAt) {
		return m.ReceivedAt
	}
	return t
}
