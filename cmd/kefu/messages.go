package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"kefu"
)

// messageJSON is one line of `kefu messages --json`: a stable shape for scripts.
type messageJSON struct {
	ID             int64             `json:"id"`
	WxMsgID        int64             `json:"wx_msgid"` // 0 for events, which carry none
	OpenID         string            `json:"openid"`
	ConversationID int64             `json:"conversation_id,omitempty"`
	Direction      string            `json:"direction"`
	Type           string            `json:"type"`
	Event          string            `json:"event,omitempty"`
	Content        string            `json:"content"`
	Fields         map[string]string `json:"fields,omitempty"`
	CreateTime     time.Time         `json:"create_time"`
	ReceivedAt     time.Time         `json:"received_at"`
	// Outbound delivery: queued, sending, sent or failed, and why it failed.
	Status    string     `json:"status,omitempty"`
	Attempts  int        `json:"attempts,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	ErrCode   int        `json:"errcode,omitempty"`
	ErrReason string     `json:"reason,omitempty"`
	// Media is kefu's stored copy of an inbound image (served at /media/{key}), or
	// the image an outbound message sends; MediaState is "stored", "failed" or "none"
	// once the fetcher is done with an inbound one.
	Media      string `json:"media,omitempty"`
	MediaState string `json:"media_state,omitempty"`
}

func runMessages(ctx context.Context, env *cmdEnv, args []string) error {
	var db, appID, openID string
	var asJSON bool
	var after int64
	var limit int
	fs := newFlags(env, "messages", "messages --app wx… [--json]")
	dbFlagVar(fs, &db)
	fs.StringVar(&appID, "app", "", "the mini program's AppID")
	fs.StringVar(&openID, "openid", "", "only this user's messages")
	fs.Int64Var(&after, "after", 0, "only messages with an id above this")
	fs.IntVar(&limit, "limit", 0, "at most this many (0: all)")
	fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if appID == "" {
		fmt.Fprintln(env.stderr, "kefu messages: --app is required")
		return errUsage
	}
	s, _, err := openAppStore(ctx, db, appID)
	if err != nil {
		return err
	}
	defer s.Close()
	out := newMessagePrinter(env, asJSON)
	const page = 1000
	for printed := 0; limit == 0 || printed < limit; {
		n := page
		if limit > 0 {
			n = min(page, limit-printed)
		}
		ms, err := s.Messages(ctx, kefu.MessageFilter{AppID: appID, OpenID: openID, AfterID: after, Limit: n})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := out.print(m); err != nil {
				return err
			}
			after = m.ID
		}
		printed += len(ms)
		if len(ms) < n {
			break
		}
	}
	return out.flush()
}

type messagePrinter struct {
	json *json.Encoder
	tw   *tabwriter.Writer
}

func newMessagePrinter(env *cmdEnv, asJSON bool) *messagePrinter {
	if asJSON {
		return &messagePrinter{json: json.NewEncoder(env.stdout)}
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tDIR\tOPENID\tTYPE\tSTATUS\tCONTENT")
	return &messagePrinter{tw: tw}
}

func (p *messagePrinter) print(m *kefu.Message) error {
	if p.json != nil {
		return p.json.Encode(messageJSON{
			ID: m.ID, WxMsgID: m.WxMsgID, OpenID: m.OpenID, ConversationID: m.ConversationID,
			Direction: string(m.Direction), Type: string(m.Kind), Event: m.Event, Content: m.Content,
			Fields: m.Fields, CreateTime: m.CreateTime.UTC(), ReceivedAt: m.ReceivedAt.UTC(),
			Status: string(m.Status), Attempts: m.Attempts, DoneAt: utcOrNil(m.DoneAt),
			ErrCode: m.ErrCode, ErrReason: m.ErrReason, Media: m.MediaKey, MediaState: string(m.MediaState),
		})
	}
	content := strings.ReplaceAll(m.Content, "\n", " ")
	if r := []rune(content); len(r) > 60 {
		content = string(r[:60]) + "…"
	}
	status := string(m.Status)
	if m.Status == kefu.StatusFailed {
		status += fmt.Sprintf(" (%d: %s)", m.ErrCode, m.ErrReason)
	} else if m.HasMedia() && m.MediaState != kefu.MediaPending {
		status = "media " + string(m.MediaState)
	}
	_, err := fmt.Fprintf(p.tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.CreateTime.Format("2006-01-02 15:04:05"),
		m.Direction, m.OpenID, m.Kind, status, content)
	return err
}

func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (p *messagePrinter) flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}
