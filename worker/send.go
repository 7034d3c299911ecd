package worker

import (
	"context"
	"net/http"

	"kefu"
)

// Send queues content for a customer and returns the message's id. It refuses,
// before anything is stored, content that breaks a known rule and sends the reply
// window does not allow: the refusal is a *kefu.QuotaRefusal naming the rule and
// when the window closed or closes. The message is durable when Send returns; the
// worker delivers it.
func (s *Sender) Send(ctx context.Context, appID, openID string, c kefu.Content) (int64, error) {
	m, err := s.Enqueue(ctx, &kefu.OutboundRequest{AppID: appID, OpenID: openID, Content: c})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// Enqueue is Send with the whole request, including an idempotency key.
func (s *Sender) Enqueue(ctx context.Context, req *kefu.OutboundRequest) (*kefu.Message, error) {
	now := s.clock.Now()
	m, err := s.cfg.Store.Enqueue(ctx, req, now, func(l kefu.QuotaLedger) error {
		return l.At(now).Refusal()
	})
	if err != nil {
		return nil, err
	}
	s.Wake()
	return m, nil
}

// Quota returns how the customer's reply window stands now, counting queued
// messages: what an agent sees before typing.
func (s *Sender) Quota(ctx context.Context, appID, openID string) (kefu.QuotaStanding, error) {
	now := s.clock.Now()
	l, err := s.cfg.Store.Ledger(ctx, appID, openID, now, true)
	if err != nil {
		return kefu.QuotaStanding{}, err
	}
	return l.At(now), nil
}

// StoreImage keeps an image an agent wants to send and returns its key for
// Content.Media. Only JPEG and PNG up to kefu.MaxImageBytes are taken: what WeChat
// accepts for upload.
func (s *Sender) StoreImage(ctx context.Context, appID string, data []byte) (string, error) {
	if len(data) > kefu.MaxImageBytes {
		return "", kefu.Errorf(kefu.EInvalid, "the image is %d bytes; WeChat takes at most %d", len(data), kefu.MaxImageBytes)
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return "", kefu.Errorf(kefu.EInvalid, "the file is %s; WeChat takes JPEG or PNG images", ct)
	}
	m := &kefu.Media{AppID: appID, ContentType: ct, Data: data}
	if err := s.cfg.Store.PutMedia(ctx, m); err != nil {
		return "", err
	}
	return m.Key, nil
}

// Typing shows or cancels the typing indicator. It is best-effort: never queued,
// never retried; the error is for the caller to log.
func (s *Sender) Typing(ctx context.Context, appID, openID string, on bool) error {
	return s.cfg.API.SetTyping(ctx, appID, openID, on)
}
