package sim

import (
	"slices"
	"time"

	"kefu"
)

// NoticeUnavailable is the system notice WeChat shows a user when a push found no
// acceptable answer (docs/protocol.md §8).
const NoticeUnavailable = "该小程序客服暂时无法提供服务，请稍后再试"

// Sent is something a simulated user did in the chat: entering it, or a message.
type Sent struct {
	At          time.Time `json:"at"`
	Kind        kefu.Kind `json:"kind"`            // enter, text, image or miniprogrampage
	MsgID       int64     `json:"msgid,omitempty"` // 0 for entering
	Text        string    `json:"text,omitempty"`
	SessionFrom string    `json:"session_from,omitempty"`
	MediaID     string    `json:"media_id,omitempty"` // image
	PicURL      string    `json:"pic_url,omitempty"`  // image
	Title       string    `json:"title,omitempty"`    // card
	PagePath    string    `json:"page_path,omitempty"`
	ThumbID     string    `json:"thumb_media_id,omitempty"`
	ThumbURL    string    `json:"thumb_url,omitempty"`
	Outcome     Outcome   `json:"outcome"` // "" while the push is under way
}

func sentFrom(m *kefu.Inbound, at time.Time) *Sent {
	return &Sent{
		At: at, Kind: m.Kind, MsgID: m.MsgID, Text: m.Content, SessionFrom: m.SessionFrom,
		MediaID: m.MediaID, PicURL: m.PicURL, Title: m.Title, PagePath: m.PagePath,
		ThumbID: m.ThumbMediaID, ThumbURL: m.ThumbURL,
	}
}

// Notice is a system notice shown in a user's chat.
type Notice struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// ChatEntry is one line of a chat as the user sees it; exactly one of Sent, Received
// and Notice is set.
type ChatEntry struct {
	At       time.Time `json:"at"`
	Sent     *Sent     `json:"sent,omitempty"`     // what the user did
	Received *Delivery `json:"received,omitempty"` // what arrived through the send API
	Notice   *Notice   `json:"notice,omitempty"`   // a system notice
}

// simUser is the push side's record of one user. Sent entries are shared with the
// web-tool log and completed in place when their push ends, so readers get copies.
type simUser struct {
	chat    []ChatEntry
	webTool webToolSession
	webLog  []*Sent
}

// user returns the record of k, creating it. The caller holds s.mu.
func (s *Simulator) user(k userKey) *simUser {
	u := s.users[k]
	if u == nil {
		u = &simUser{}
		s.users[k] = u
	}
	return u
}

// recordDelivery adds what the API delivered to the user's chat; it is the API's
// OnDelivery hook, so the chat keeps arrival order even for equal timestamps.
func (s *Simulator) recordDelivery(appID, openID string, d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(userKey{appID, openID})
	u.chat = append(u.chat, ChatEntry{At: d.At, Received: &d})
}

// Chat returns the user's chat, oldest first: what they did, what they received
// through the send API and the notices they saw. Entries with equal times keep the
// order in which they happened.
func (s *Simulator) Chat(appID, openID string) []ChatEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userKey{appID, openID}]
	if u == nil {
		return nil
	}
	out := make([]ChatEntry, len(u.chat))
	for i, c := range u.chat {
		if c.Sent != nil {
			sent := *c.Sent
			c.Sent = &sent
		}
		if c.Received != nil {
			d := *c.Received
			c.Received = &d
		}
		if c.Notice != nil {
			n := *c.Notice
			c.Notice = &n
		}
		out[i] = c
	}
	slices.SortStableFunc(out, func(a, b ChatEntry) int { return a.At.Compare(b.At) })
	return out
}

// Notices returns the system notices the user saw, oldest first.
func (s *Simulator) Notices(appID, openID string) []Notice {
	var out []Notice
	for _, c := range s.Chat(appID, openID) {
		if c.Notice != nil {
			out = append(out, *c.Notice)
		}
	}
	return out
}
