package sim

import (
	"net/http"
	"net/url"
	"time"
)

// sendRequest is the body of customerServiceMessage.send (docs/protocol.md §10.1).
// Unknown fields are ignored, as WeChat does.
type sendRequest struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image *struct {
		MediaID string `json:"media_id"`
	} `json:"image"`
	Link       *Link  `json:"link"`
	Card       *Card  `json:"miniprogrampage"`
	BusinessID string `json:"businessid"`
}

// serveSend is customerServiceMessage.send, on both its paths. Checks run in this
// order: token (40001/42001), daily limit (45009), body (44002/47001), message
// (40008/44004/45002/40007/40066/47001), user (40003 for an openid not of the app),
// window (45015/45047, also for a user who never acted). Only a message that passes
// all of them is delivered and uses one send of the window.
func (a *API) serveSend(w http.ResponseWriter, r *http.Request) {
	ap, e := a.authorize(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if a.overDailySendLimit() {
		writeError(w, fail(codeDailyLimit))
		return
	}
	var req sendRequest
	if e = decodeJSON(w, r, &req); e == nil {
		e = a.deliver(ap, &req)
	}
	if chance(a.Faults().DropSendReplyShare) {
		dropReply(w)
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, okBody)
}

// deliver checks a send request and, if it passes, records it with the user, uses a
// send of the window, counts as an exchange and cancels the typing indicator.
func (a *API) deliver(ap *app, req *sendRequest) *apiError {
	a.mu.Lock()
	now := a.now()
	d, e := a.message(req, now)
	if e != nil {
		a.mu.Unlock()
		return e
	}
	u, e := ap.user(req.ToUser)
	if e == nil {
		e = u.mayReceive(now)
	}
	if e != nil {
		a.mu.Unlock()
		return e
	}
	u.remaining--
	u.exchangedAt = now
	wasTyping := now.Before(u.typingUntil)
	u.typingUntil = time.Time{}
	d.Seq = len(u.received) + 1
	u.received = append(u.received, d)
	a.keepMedia(d)
	a.mu.Unlock()

	if wasTyping && a.opts.OnTyping != nil {
		a.opts.OnTyping(ap.id, req.ToUser, time.Time{})
	}
	if a.opts.OnDelivery != nil {
		a.opts.OnDelivery(ap.id, req.ToUser, d)
	}
	return nil
}

// message validates the content of a send request and turns it into a Delivery.
// The caller holds a.mu (media are looked up).
func (a *API) message(req *sendRequest, now time.Time) (Delivery, *apiError) {
	d := Delivery{At: now, MsgType: req.MsgType, BusinessID: req.BusinessID}
	switch req.MsgType {
	case "text":
		if req.Text == nil || req.Text.Content == "" {
			return d, fail(codeEmptyContent)
		}
		if len(req.Text.Content) > a.opts.TextLimit {
			return d, fail(codeContentTooLong)
		}
		d.Text = req.Text.Content
	case "image":
		if req.Image == nil {
			return d, failf(codeInvalidMediaID, "(image.media_id missing)")
		}
		if a.liveMedium(req.Image.MediaID, now) == nil {
			return d, failf(codeInvalidMediaID, quoteID(req.Image.MediaID))
		}
		d.MediaID = req.Image.MediaID
	case "link":
		if req.Link == nil {
			return d, failf(codeDataFormat, "(link missing)")
		}
		if !httpURL(req.Link.URL) {
			return d, failf(codeInvalidURL, "(link.url must be http or https)")
		}
		l := *req.Link
		d.Link = &l
	case "miniprogrampage":
		c := req.Card
		if c == nil || c.Title == "" || c.PagePath == "" {
			return d, failf(codeDataFormat, "(miniprogrampage needs title and pagepath)")
		}
		if a.liveMedium(c.ThumbMediaID, now) == nil {
			return d, failf(codeInvalidMediaID, quoteID(c.ThumbMediaID))
		}
		card := *c
		d.Card = &card
	default:
		return d, fail(codeInvalidMsgType)
	}
	return d, nil
}

// httpURL is the simulator's link rule: an absolute http(s) URL with a host. WeChat's
// own rules (domains, length) are UNCONFIRMED (docs/protocol.md §14).
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func quoteID(id string) string {
	if len(id) > 80 {
		id = id[:80] + "…"
	}
	return `"` + id + `"`
}
