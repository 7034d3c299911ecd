package web

import (
	"time"

	"kefu"
)

// What the console's API shows of the domain. Times are Unix milliseconds: the
// browser formats them in its own time zone.

type agentView struct {
	ID         int64    `json:"id"`
	Login      string   `json:"login"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Status     string   `json:"status"`
	Capacity   int      `json:"capacity"`
	AutoAccept bool     `json:"auto_accept"`
	Disabled   bool     `json:"disabled"`
	Apps       []string `json:"apps"`
}

func agentViewOf(a *kefu.Agent) agentView {
	apps := a.Apps
	if apps == nil {
		apps = []string{}
	}
	return agentView{ID: a.ID, Login: a.Login, Name: a.Name, Role: string(a.Role), Status: string(a.Status),
		Capacity: a.Capacity, AutoAccept: a.AutoAccept, Disabled: a.Disabled, Apps: apps}
}

type cardView struct {
	Conversation int64        `json:"conversation"`
	App          string       `json:"app"`
	OpenID       string       `json:"openid"`
	State        string       `json:"state"`
	Agent        int64        `json:"agent"`
	QueuedAt     int64        `json:"queued_at"`
	AssignedAt   int64        `json:"assigned_at"`
	SessionFrom  string       `json:"session_from"`
	Unread       int          `json:"unread"`
	Last         *messageView `json:"last"`
}

func cardViewOf(c *kefu.ConversationCard) cardView {
	v := cardView{Conversation: c.ConversationID, App: c.AppID, OpenID: c.OpenID, State: string(c.State),
		Agent: c.AgentID, QueuedAt: ms(c.QueuedAt), AssignedAt: ms(c.AssignedAt), SessionFrom: c.SessionFrom, Unread: c.Unread}
	if c.Last != nil {
		m := messageViewOf(c.Last)
		v.Last = &m
	}
	return v
}

type messageView struct {
	ID           int64  `json:"id"`
	Conversation int64  `json:"conversation"`
	Direction    string `json:"direction"`
	Kind         string `json:"kind"`
	Text         string `json:"text,omitempty"`
	At           int64  `json:"at"`
	// An outbound message's delivery: queued, sending, sent, failed.
	Status    string `json:"status,omitempty"`
	ErrCode   int    `json:"errcode,omitempty"`
	ErrReason string `json:"reason,omitempty"`
	// Media is the URL of kefu's copy of the image (or card thumbnail), when it has
	// one; MediaState says how fetching an inbound one went.
	Media       string `json:"media,omitempty"`
	MediaState  string `json:"media_state,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	PagePath    string `json:"pagepath,omitempty"`
	SessionFrom string `json:"session_from,omitempty"`
	Event       string `json:"event,omitempty"`
}

func messageViewOf(m *kefu.Message) messageView {
	v := messageView{ID: m.ID, Conversation: m.ConversationID, Direction: string(m.Direction), Kind: string(m.Kind),
		At: ms(m.ReceivedAt), Status: string(m.Status), ErrCode: m.ErrCode, ErrReason: m.ErrReason,
		MediaState: string(m.MediaState), Event: m.Event}
	f := m.Fields
	switch m.Kind {
	case kefu.KindText:
		v.Text = m.Content
	case kefu.KindCard:
		v.Title, v.PagePath = f["title"], f["pagepath"]
	case kefu.KindLink:
		v.Title, v.Description, v.URL = f["title"], f["description"], f["url"]
	case kefu.KindEnter:
		v.SessionFrom = f["session_from"]
	}
	if m.MediaKey != "" {
		v.Media = mediaPath + m.MediaKey
	}
	if m.Direction == kefu.DirectionIn {
		v.Status = ""
	}
	return v
}

type quotaView struct {
	Open      bool   `json:"open"`
	Remaining int    `json:"remaining"`
	Allowance int    `json:"allowance"`
	ExpiresAt int64  `json:"expires_at"` // 0: no window ever opened
	Spent     bool   `json:"spent"`      // the window lives but its sends are used
	Source    string `json:"source"`     // enter or message: what opened it
	Corrected int    `json:"corrected"`  // WeChat's errcode that corrected it, if any
}

func quotaViewOf(q kefu.QuotaStanding) quotaView {
	v := quotaView{Open: q.Open, Remaining: q.Remaining, Allowance: q.Allowance, ExpiresAt: ms(q.ExpiresAt),
		Spent: !q.Open && !q.ExpiresAt.IsZero() && q.At.Before(q.ExpiresAt), Corrected: q.Corrected, Source: "message"}
	if q.Source == kefu.KindEnter {
		v.Source = "enter"
	}
	return v
}

type customerView struct {
	App           string `json:"app"`
	OpenID        string `json:"openid"`
	SessionFrom   string `json:"session_from"`
	FirstSeen     int64  `json:"first_seen"`
	LastSeen      int64  `json:"last_seen"`
	Conversations int    `json:"conversations"`
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
