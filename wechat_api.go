package kefu

import (
	"context"
	"errors"
	"time"
)

// WeChatAPI is what kefu asks of WeChat's server API (docs/protocol.md §10), one mini
// program at a time. wechat/api implements it against api.weixin.qq.com or the
// simulator; workers depend on this interface, not on that package.
//
// Every method's error, when WeChat answered with an errcode or could not be
// reached, satisfies APIFailure. Token errors (40001/40014/42001) are handled
// inside: the token is refreshed once and the call retried once.
type WeChatAPI interface {
	// SendMessage calls customerServiceMessage.send.
	SendMessage(ctx context.Context, appID string, m *WireMessage) error
	// SetTyping shows (true) or cancels (false) the typing indicator.
	SetTyping(ctx context.Context, appID, openID string, typing bool) error
	// UploadImage uploads a JPEG or PNG as temporary media and returns its media_id
	// and when WeChat forgets it.
	UploadImage(ctx context.Context, appID string, data []byte) (mediaID string, expiresAt time.Time, err error)
	// GetMedia downloads temporary media by media_id.
	GetMedia(ctx context.Context, appID, mediaID string) (data []byte, contentType string, err error)
	// FetchURL downloads a picture by URL (an inbound image's PicUrl). The URL is
	// outside input: implementations fetch only what their policy allows (WeChat's
	// CDN hosts, public addresses) and refuse the rest with an APIFailure that is
	// not retryable, so that callers need no policy of their own.
	FetchURL(ctx context.Context, url string) (data []byte, contentType string, err error)
}

// WireMessage is one message as the send API takes it: the content with its images
// already uploaded as media_ids.
type WireMessage struct {
	OpenID  string
	Content Content
	// MediaID is the image's media_id (KindImage) or the card's thumb_media_id
	// (KindCard).
	MediaID string
}

// APIFailure is implemented by WeChat API errors (wechat/api's *api.Error), so that
// callers can act on them without importing the client.
type APIFailure interface {
	error
	// ErrCode is WeChat's errcode; 0 when WeChat did not answer at all.
	ErrCode() int
	// Retryable is true when trying again later may succeed and cannot deliver
	// anything twice: WeChat's -1 "system error", a transport failure before the
	// request was written, or a lost answer to a request that is safe to repeat
	// (token, upload, download). A send whose answer was lost is not retryable: it
	// may have been delivered.
	Retryable() bool
	// Reason says in words what happened and what it means, for agents and logs.
	Reason() string
}

// AsAPIFailure returns the APIFailure in err's chain.
func AsAPIFailure(err error) (APIFailure, bool) {
	var f APIFailure
	ok := errors.As(err, &f)
	return f, ok
}

// The WeChat errcodes kefu acts on by number (docs/protocol.md §11).
const (
	WxSystemError   = -1
	WxInvalidMedia  = 40007 // media_id unknown or expired: upload again
	WxWindowClosed  = 45015 // outside the reply window
	WxQuotaUsedUp   = 45047 // the window's sends are used up
	WxDailyLimit    = 45009 // the app's daily API quota is used up
	WxContentTooBig = 45002
)
