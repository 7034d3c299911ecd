package sim

import (
	"context"
	"errors"
	"fmt"

	"kefu"
)

// Enter is the user tapping the contact button (user_enter_tempsession with the
// button's session-from). It opens the short reply window of entering (API.
// UserEntered) and is pushed to the URL; it is never transferred, nor sent to the
// web tool.
func (s *Simulator) Enter(ctx context.Context, appID, openID, sessionFrom string) (PushResult, error) {
	m := &kefu.Inbound{MsgType: "event", Event: kefu.EventEnterSession, Kind: kefu.KindEnter, SessionFrom: sessionFrom}
	return s.act(ctx, appID, openID, m)
}

// Text is the user writing content.
func (s *Simulator) Text(ctx context.Context, appID, openID, content string) (PushResult, error) {
	if content == "" {
		return PushResult{}, errors.New("sim: empty text")
	}
	m := &kefu.Inbound{MsgType: "text", Kind: kefu.KindText, Content: content}
	return s.act(ctx, appID, openID, m)
}

// Image is the user sending an image. The simulator keeps the bytes (API.PutMedia):
// the push's MediaId fetches them from media/get for three days, and its PicUrl is
// the simulator's own /media/{id}, which serves them as long as the simulator runs.
// An empty contentType is sniffed.
func (s *Simulator) Image(ctx context.Context, appID, openID string, data []byte, contentType string) (PushResult, error) {
	if len(data) == 0 {
		return PushResult{}, errors.New("sim: empty image")
	}
	id := s.api.PutMedia(data, contentType)
	m := &kefu.Inbound{MsgType: "image", Kind: kefu.KindImage, MediaID: id, PicURL: s.mediaURL(id)}
	return s.act(ctx, appID, openID, m)
}

// Card is the user sending a card of the mini program itself (miniprogrampage). The
// cover, if thumbData is not empty, is kept like an image: ThumbMediaId for
// media/get, ThumbUrl under /media/. Without one both are empty, as in WeChat's own
// example.
func (s *Simulator) Card(ctx context.Context, appID, openID, title, pagePath string, thumbData []byte) (PushResult, error) {
	m := &kefu.Inbound{MsgType: "miniprogrampage", Kind: kefu.KindCard, Title: title, CardAppID: appID, PagePath: pagePath}
	if len(thumbData) > 0 {
		m.ThumbMediaID = s.api.PutMedia(thumbData, "")
		m.ThumbURL = s.mediaURL(m.ThumbMediaID)
	}
	return s.act(ctx, appID, openID, m)
}

// act is one user action from start to end. The reply window opens first, whatever
// becomes of the push: WeChat grants it on the user's action, not on the server's
// answer. Then the action goes to the web tool if an agent has accepted the user,
// else it is pushed; a transfer queues the user for the web tool, a failure shows
// the notice.
func (s *Simulator) act(ctx context.Context, appID, openID string, m *kefu.Inbound) (PushResult, error) {
	if openID == "" {
		return PushResult{}, errors.New("sim: empty openid")
	}
	e, err := s.endpoint(appID)
	if err != nil {
		return PushResult{}, err
	}
	now := s.now()
	m.ToUserName, m.OpenID, m.CreateTime = e.app.OriginalID, openID, now.Unix()
	if isUserMessage(m) {
		m.MsgID = s.nextMsgID()
		err = s.api.UserMessage(appID, openID)
	} else {
		err = s.api.UserEntered(appID, openID)
	}
	if err != nil {
		return PushResult{}, fmt.Errorf("sim: %w", err)
	}

	k := userKey{appID, openID}
	sent := sentFrom(m, now)
	s.mu.Lock()
	u := s.user(k)
	u.chat = append(u.chat, ChatEntry{At: now, Sent: sent})
	toWebTool := s.takeForWebTool(k, sent, now)
	if toWebTool {
		sent.Outcome = ToWebTool
	}
	s.mu.Unlock()
	s.chatChanged(k)
	if toWebTool {
		return PushResult{Outcome: ToWebTool, MsgID: m.MsgID}, nil
	}

	res, err := s.deliver(ctx, e, m)
	s.finish(k, sent, res, err)
	s.chatChanged(k)
	return res, err
}

// chatChanged tells Options.OnChat that a user's chat changed.
func (s *Simulator) chatChanged(k userKey) {
	if s.opts.OnChat != nil {
		s.opts.OnChat(k.appID, k.openID)
	}
}

// finish records how a push ended. A push cut short by the caller's ctx is marked
// failed without a notice: the simulator stopped, WeChat did not give up.
func (s *Simulator) finish(k userKey, sent *Sent, res PushResult, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sent.Outcome = res.Outcome
	switch {
	case err != nil:
	case res.Outcome == Transferred:
		s.transferred(k, sent, now)
	case res.Outcome == Failed:
		u := s.user(k)
		u.chat = append(u.chat, ChatEntry{At: now, Notice: &Notice{At: now, Text: NoticeUnavailable}})
	}
}
