package api

import (
	"context"
	"errors"
	"net/http"
)

// The typing paths: the mini-program doc names the first, the service-account doc
// says mini programs use the second (docs/protocol.md §10.2).
const (
	typingPath         = "/cgi-bin/message/custom/typing"
	businessTypingPath = "/cgi-bin/message/custom/business/typing"
)

type typingBody struct {
	ToUser  string `json:"touser"`
	Command string `json:"command"`
}

// SetTyping shows (typing) or cancels the typing indicator for openID. It is best
// effort: a refused command (45080 no recent exchange, 45081 already typing) is
// returned for logging, never retried. The classic path is tried first; once it
// answers 404 the client uses the business path for good.
func (c *Client) SetTyping(ctx context.Context, appID, openID string, typing bool) error {
	cmd := "CancelTyping"
	if typing {
		cmd = "Typing"
	}
	body, err := marshalJSON(typingBody{ToUser: openID, Command: cmd})
	if err != nil {
		return err
	}
	return c.withToken(ctx, appID, func(token string) error {
		if !c.classicTypingMissing.Load() {
			err := c.postJSON(ctx, opTyping, typingPath, token, body)
			var e *Error
			if !errors.As(err, &e) || e.HTTPStatus != http.StatusNotFound {
				return err
			}
			c.classicTypingMissing.Store(true)
			c.log.Info("wechat typing path answered 404; using the business path", "app", appID)
		}
		return c.postJSON(ctx, opTyping, businessTypingPath, token, body)
	})
}
