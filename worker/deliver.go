package worker

import (
	"context"
	"fmt"
	"time"

	"kefu"
)

// deliver makes one attempt on a due message: claim it, ask the ledger, upload its
// image if WeChat lacks it, send, and record the outcome. It reports whether it
// made the attempt; false when the claim failed or another worker had the message.
func (s *Sender) deliver(ctx context.Context, m *kefu.Message) bool {
	attempts, ok, err := s.cfg.Store.ClaimOutbound(ctx, m.ID, s.clock.Now())
	if err != nil || !ok {
		if err != nil {
			s.log.Warn("outbox: claim", "message", m.ID, "err", err)
		}
		return false
	}
	m.Attempts = attempts
	// The attempt must end, and be recorded, well within the sending lease: past
	// it, the message would be taken for abandoned by a dead process.
	actx, cancel := context.WithTimeout(ctx, s.cfg.SendingLease/2)
	r := s.attempt(actx, m)
	cancel()
	s.finish(ctx, m, r)
	return true
}

// attempt returns how the attempt ended; nothing is written yet.
func (s *Sender) attempt(ctx context.Context, m *kefu.Message) kefu.DeliveryResult {
	// The ledger without queued messages: those behind this one wait their turn.
	ledger, err := s.cfg.Store.Ledger(ctx, m.AppID, m.OpenID, s.clock.Now(), false)
	if err != nil {
		return s.retryOrFail(m, 0, "could not read the reply window: "+err.Error())
	}
	if refusal := ledger.At(s.clock.Now()).Refusal(); refusal != nil {
		return s.failed(0, "not sent: "+refusal.Error())
	}
	c := kefu.ContentOf(m)
	err = s.send(ctx, m.AppID, m.OpenID, c, false)
	if f, ok := kefu.AsAPIFailure(err); ok && f.ErrCode() == kefu.WxInvalidMedia && c.Media != "" {
		// WeChat forgot the upload early: upload again and send once more.
		err = s.send(ctx, m.AppID, m.OpenID, c, true)
	}
	if err == nil {
		return kefu.DeliveryResult{Status: kefu.StatusSent, At: s.clock.Now()}
	}
	if f, ok := kefu.AsAPIFailure(err); ok {
		if f.Retryable() {
			return s.retryOrFail(m, f.ErrCode(), f.Reason())
		}
		return s.failed(f.ErrCode(), f.Reason())
	}
	return s.failed(0, kefu.ErrorMessageOf(err))
}

// send hands the message to WeChat, uploading its image first if needed (or always,
// with reupload).
func (s *Sender) send(ctx context.Context, appID, openID string, c kefu.Content, reupload bool) error {
	wire := &kefu.WireMessage{OpenID: openID, Content: c}
	if c.Media != "" {
		id, err := s.mediaID(ctx, appID, c.Media, reupload)
		if err != nil {
			return err
		}
		wire.MediaID = id
	}
	return s.cfg.API.SendMessage(ctx, appID, wire)
}

// mediaID returns a media_id WeChat knows the stored image by, uploading it when
// there is none that lives long enough, or when reupload says the last one failed.
func (s *Sender) mediaID(ctx context.Context, appID, key string, reupload bool) (string, error) {
	now := s.clock.Now()
	if !reupload {
		id, ok, err := s.cfg.Store.UploadedMedia(ctx, appID, key, now.Add(s.cfg.MediaMargin))
		if err != nil || ok {
			return id, err
		}
	}
	img, err := s.cfg.Store.Media(ctx, key)
	if err != nil {
		return "", err
	}
	id, expires, err := s.cfg.API.UploadImage(ctx, appID, img.Data)
	if err != nil {
		return "", err
	}
	if err := s.cfg.Store.SaveUpload(ctx, appID, key, id, expires); err != nil {
		s.log.Warn("outbox: remember upload", "app", appID, "err", err)
	}
	return id, nil
}

// retryOrFail queues the message again after a backoff, unless it has had its tries.
func (s *Sender) retryOrFail(m *kefu.Message, code int, reason string) kefu.DeliveryResult {
	if m.Attempts >= s.cfg.MaxAttempts {
		return s.failed(code, fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, reason))
	}
	now := s.clock.Now()
	wait := backoff(m.Attempts, s.cfg.RetryBase, s.cfg.RetryCeiling)
	return kefu.DeliveryResult{Status: kefu.StatusQueued, At: now, RetryAt: now.Add(wait), ErrCode: code, Reason: reason}
}

func (s *Sender) failed(code int, reason string) kefu.DeliveryResult {
	return kefu.DeliveryResult{Status: kefu.StatusFailed, At: s.clock.Now(), ErrCode: code, Reason: reason}
}

// finish records the result, trying a few times: an unrecorded send would later be
// taken for abandoned and shown as failed although WeChat has it.
func (s *Sender) finish(ctx context.Context, m *kefu.Message, r kefu.DeliveryResult) {
	var err error
	for try := 0; try < 5; try++ {
		if err = s.cfg.Store.FinishOutbound(ctx, m.ID, r); err == nil || kefu.ErrorCodeOf(err) == kefu.EConflict {
			break
		}
		time.Sleep(time.Duration(100<<try) * time.Millisecond)
	}
	if err != nil {
		s.log.Error("outbox: record send result", "message", m.ID, "status", r.Status, "err", err)
		return
	}
	switch r.Status {
	case kefu.StatusFailed:
		s.log.Warn("outbox: message failed", "app", m.AppID, "message", m.ID, "errcode", r.ErrCode, "reason", r.Reason)
	case kefu.StatusQueued:
		s.log.Info("outbox: will retry", "app", m.AppID, "message", m.ID, "errcode", r.ErrCode, "at", r.RetryAt)
	}
	if r.Status == kefu.StatusQueued {
		return
	}
	s.cfg.Publisher.Publish(kefu.MessageEvent(kefu.EventDeliveryEnded, m, r.At))
	if s.cfg.OnDone != nil {
		s.cfg.OnDone(m, r)
	}
}
