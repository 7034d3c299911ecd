package kefu

import (
	"context"
	"net/http"
)

// OutboundStore is what queueing replies needs of the database.
type OutboundStore interface {
	OutboxStore
	PutMedia(ctx context.Context, m *Media) error
}

// Outbound is the use case "answer a customer": queue a reply within WeChat's
// rules, say how the reply window stands, keep an image to send, show typing. The
// console, the CLI, rules and the API all call it; the sender worker delivers what
// it queues.
type Outbound struct {
	Store     OutboundStore
	API       WeChatAPI // for Typing only: nothing else here calls WeChat
	Clock     Clock     // nil: the system clock
	Publisher Publisher // nil: none; told of each queued reply (the sender wakes)
}

func (o *Outbound) now() Clock {
	if o.Clock == nil {
		return SystemClock{}
	}
	return o.Clock
}

// Send queues content for a customer and returns the message's id. It refuses,
// before anything is stored, content that breaks a known rule and sends the reply
// window does not allow: the refusal is a *QuotaRefusal naming the rule and when
// the window closed or closes. The message is durable when Send returns; the sender
// delivers it.
func (o *Outbound) Send(ctx context.Context, appID, openID string, c Content) (int64, error) {
	m, err := o.Enqueue(ctx, &OutboundRequest{AppID: appID, OpenID: openID, Content: c})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// Enqueue is Send with the whole request, including an idempotency key.
func (o *Outbound) Enqueue(ctx context.Context, req *OutboundRequest) (*Message, error) {
	now := o.now().Now()
	m, err := o.Store.Enqueue(ctx, req, now, func(l QuotaLedger) error {
		return l.At(now).Refusal()
	})
	if err != nil {
		return nil, err
	}
	if o.Publisher != nil {
		o.Publisher.Publish(MessageEvent(EventOutboundQueued, m, now))
	}
	return m, nil
}

// Quota returns how the customer's reply window stands now, counting queued
// messages: what an agent sees before typing.
func (o *Outbound) Quota(ctx context.Context, appID, openID string) (QuotaStanding, error) {
	now := o.now().Now()
	l, err := o.Store.Ledger(ctx, appID, openID, now, true)
	if err != nil {
		return QuotaStanding{}, err
	}
	return l.At(now), nil
}

// StoreImage keeps an image to send and returns its key for Content.Media. Only
// JPEG and PNG up to MaxImageBytes are taken: what WeChat accepts for upload.
func (o *Outbound) StoreImage(ctx context.Context, appID string, data []byte) (string, error) {
	if len(data) > MaxImageBytes {
		return "", Errorf(EInvalid, "the image is %d bytes; WeChat takes at most %d", len(data), MaxImageBytes)
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return "", Errorf(EInvalid, "the file is %s; WeChat takes JPEG or PNG images", ct)
	}
	m := &Media{AppID: appID, ContentType: ct, Data: data}
	if err := o.Store.PutMedia(ctx, m); err != nil {
		return "", err
	}
	return m.Key, nil
}

// Typing shows or cancels the typing indicator. It is best-effort: never queued,
// never retried; the error is for the caller to log.
func (o *Outbound) Typing(ctx context.Context, appID, openID string, on bool) error {
	return o.API.SetTyping(ctx, appID, openID, on)
}
