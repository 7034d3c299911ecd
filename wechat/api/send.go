package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"kefu"
)

// sendBody is customerServiceMessage.send's body (docs/protocol.md §10.1).
type sendBody struct {
	ToUser  string     `json:"touser"`
	MsgType string     `json:"msgtype"`
	Text    *textPart  `json:"text,omitempty"`
	Image   *imagePart `json:"image,omitempty"`
	Link    *linkPart  `json:"link,omitempty"`
	Card    *cardPart  `json:"miniprogrampage,omitempty"`
}

type textPart struct {
	Content string `json:"content"`
}

type imagePart struct {
	MediaID string `json:"media_id"`
}

type linkPart struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	ThumbURL    string `json:"thumb_url"`
}

// cardPart carries the app's own appid, which the current reference lists as
// required and the older mini-program doc omits (docs/protocol.md §10.1).
type cardPart struct {
	Title        string `json:"title"`
	PagePath     string `json:"pagepath"`
	ThumbMediaID string `json:"thumb_media_id"`
	AppID        string `json:"appid"`
}

// SendMessage sends m to its user as appID's customer service. A message that
// cannot be expressed (unknown kind, missing openid or media_id) is refused with a
// kefu EInvalid error before anything is sent.
func (c *Client) SendMessage(ctx context.Context, appID string, m *kefu.WireMessage) error {
	body, err := sendBodyOf(appID, m)
	if err != nil {
		return err
	}
	data, err := marshalJSON(body)
	if err != nil {
		return err
	}
	return c.withToken(ctx, appID, func(token string) error {
		return c.postJSON(ctx, opSend, "/cgi-bin/message/custom/send", token, data)
	})
}

// sendBodyOf maps a WireMessage onto the send API's body.
func sendBodyOf(appID string, m *kefu.WireMessage) (*sendBody, error) {
	if m == nil || m.OpenID == "" {
		return nil, kefu.Errorf(kefu.EInvalid, "a message to send needs an openid")
	}
	c := m.Content
	b := &sendBody{ToUser: m.OpenID}
	switch c.Kind {
	case kefu.KindText:
		b.MsgType, b.Text = "text", &textPart{Content: c.Text}
	case kefu.KindImage:
		if m.MediaID == "" {
			return nil, kefu.Errorf(kefu.EInvalid, "an image message needs the image's media_id")
		}
		b.MsgType, b.Image = "image", &imagePart{MediaID: m.MediaID}
	case kefu.KindLink:
		b.MsgType = "link"
		b.Link = &linkPart{Title: c.Title, Description: c.Description, URL: c.URL, ThumbURL: c.ThumbURL}
	case kefu.KindCard:
		if m.MediaID == "" {
			return nil, kefu.Errorf(kefu.EInvalid, "a mini program card needs its thumbnail's media_id")
		}
		b.MsgType = "miniprogrampage"
		b.Card = &cardPart{Title: c.Title, PagePath: c.PagePath, ThumbMediaID: m.MediaID, AppID: appID}
	default:
		return nil, kefu.Errorf(kefu.EInvalid, "cannot send %q: want text, image, link or miniprogrampage", c.Kind)
	}
	return b, nil
}

// marshalJSON encodes v without HTML escaping: text may carry a
// <a data-miniprogram-appid=…> link, which WeChat reads as written, and \u003c would
// only cost bytes against the length limit.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// postJSON posts a JSON body to a path that answers {"errcode":0,"errmsg":"ok"}.
func (c *Client) postJSON(ctx context.Context, op, path, token string, body []byte) error {
	r := &request{
		op:          op,
		method:      http.MethodPost,
		url:         c.base + path,
		query:       url.Values{"access_token": {token}},
		body:        body,
		contentType: "application/json",
		limit:       maxJSONAnswer,
	}
	rep, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	_, err = parseAnswer(op, rep.body)
	return err
}
