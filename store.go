package kefu

import (
	"context"
	"time"
)

// IngestResult says what storing one push did.
type IngestResult struct {
	MessageID      int64
	ConversationID int64 // 0 if the push belongs to no conversation
	// Duplicate is true when the push was a retry of one already stored: nothing changed.
	Duplicate bool
	// ConversationOpened is true when this push opened its conversation (a
	// customer who had none open wrote or entered).
	ConversationOpened bool
}

// Ingester stores pushes durably, exactly once each. Ingest returns only after the
// message is committed; concurrent calls may share one commit.
type Ingester interface {
	Ingest(ctx context.Context, m *Inbound) (IngestResult, error)
}

// AppStore keeps the mini programs kefu serves.
type AppStore interface {
	CreateApp(ctx context.Context, a *App) error
	UpdateApp(ctx context.Context, a *App) error
	DeleteApp(ctx context.Context, appID string) error
	// App returns the app or an ENotFound *Error.
	App(ctx context.Context, appID string) (*App, error)
	Apps(ctx context.Context) ([]*App, error)
}

// MessageStore reads stored messages and what they granted.
type MessageStore interface {
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)
	// CountByWxMsgID returns how many messages of appID carry each given WeChat MsgId,
	// for checks that every acknowledged push was stored exactly once. It counts by a
	// column no unique index constrains, so a push stored twice under two dedup keys
	// counts 2; counting by the dedup key could never show more than 1.
	CountByWxMsgID(ctx context.Context, appID string, msgIDs []int64) (map[int64]int, error)
	Customer(ctx context.Context, appID, openID string) (*Customer, error)
	OpenConversation(ctx context.Context, appID, openID string) (*Conversation, error)
	QuotaGrants(ctx context.Context, appID, openID string, since time.Time) ([]QuotaGrant, error)
}

// OutboundRequest asks for a message to be sent to a customer.
type OutboundRequest struct {
	AppID   string
	OpenID  string
	Content Content
	// Key, if set, makes the request idempotent: a second request with the same key
	// for the app returns the first one's message instead of queueing another.
	Key string
}

// DeliveryResult is how one send attempt ended.
type DeliveryResult struct {
	Status  DeliveryStatus // StatusSent, StatusFailed, or StatusQueued to retry
	At      time.Time      // when the attempt ended
	RetryAt time.Time      // with StatusQueued: when to try again
	ErrCode int
	Reason  string
}

// OutboxStore keeps outbound messages on their way from queued to sent or failed.
type OutboxStore interface {
	// Enqueue stores an outbound message as queued once allow approves the customer's
	// ledger (queued messages counted as sends), atomically with other enqueues for
	// the customer, so that two concurrent sends cannot both take the last allowance.
	Enqueue(ctx context.Context, req *OutboundRequest, now time.Time, allow func(QuotaLedger) error) (*Message, error)
	// Ledger returns what a customer's reply window at now follows from. withQueued
	// adds the messages not yet sent, as the ledger's Pending.
	Ledger(ctx context.Context, appID, openID string, now time.Time, withQueued bool) (QuotaLedger, error)
	// DueOutbound returns up to limit queued messages due by now, oldest first, at
	// most one per customer: the customer's oldest unfinished message, and only if no
	// earlier one is being sent. Messages to one customer thus go out in order.
	DueOutbound(ctx context.Context, now time.Time, limit int) ([]*Message, error)
	// NextOutbound returns the customer's oldest unfinished message if it is queued
	// and due by now, else nil: how a sender goes on with a customer it just served.
	NextOutbound(ctx context.Context, appID, openID string, now time.Time) (*Message, error)
	// ClaimOutbound moves a queued message that is due by now to sending, counts
	// the attempt and returns the attempts so far. It returns false when the message
	// was no longer queued and due (another worker took it, or put it back to wait).
	ClaimOutbound(ctx context.Context, id int64, now time.Time) (attempts int, ok bool, err error)
	// FinishOutbound records how the attempt on a sending message ended.
	FinishOutbound(ctx context.Context, id int64, r DeliveryResult) error
	// AbandonSending fails every message left sending since before cutoff: a process
	// died while handing it to WeChat, so it may have been delivered and must not be
	// sent again. It returns the messages it failed (ids, customer, conversation
	// and kind), for the events that say so.
	AbandonSending(ctx context.Context, cutoff, now time.Time, reason string) ([]*Message, error)
	// Message returns one message by id, or an ENotFound *Error.
	Message(ctx context.Context, id int64) (*Message, error)
}

// Media is a stored image: an inbound one re-hosted, or one an agent sends.
type Media struct {
	Key         string // unguessable; names it in URLs
	AppID       string
	ContentType string
	Size        int64
	SHA256      string // hex, for ETags
	Data        []byte
	CreatedAt   time.Time
}

// MediaStore keeps images as blobs in the database (docs/architecture.md §5), the media_ids
// WeChat knows them by, and the re-hosting state of inbound media.
type MediaStore interface {
	// PutMedia stores m (AppID, ContentType, Data) and fills in its Key, Size, SHA256
	// and CreatedAt.
	PutMedia(ctx context.Context, m *Media) error
	// Media returns a stored image, or an ENotFound *Error.
	Media(ctx context.Context, key string) (*Media, error)
	// UploadedMedia returns the media_id under which WeChat has the image for the app,
	// if one was recorded that is still valid at now.
	UploadedMedia(ctx context.Context, appID, key string, now time.Time) (mediaID string, ok bool, err error)
	// SaveUpload records that WeChat has the image as mediaID until expiresAt.
	SaveUpload(ctx context.Context, appID, key, mediaID string, expiresAt time.Time) error
	// ForgetUpload drops the record of mediaID (WeChat said it no longer knows it).
	ForgetUpload(ctx context.Context, appID, key, mediaID string) error
	// PendingMedia returns up to limit inbound images and cards whose media is not
	// yet stored and whose next fetch is due by now, oldest first.
	PendingMedia(ctx context.Context, now time.Time, limit int) ([]*Message, error)
	// AttachMedia stores m and links message id to it, unless the message's media
	// was stored meanwhile (then it changes nothing).
	AttachMedia(ctx context.Context, id int64, m *Media) error
	// MediaFetchFailed records a failed fetch of a message's media: try again at
	// retryAt, or, when retryAt is zero, give up with state (MediaFailed or MediaNone).
	MediaFetchFailed(ctx context.Context, id int64, retryAt time.Time, state MediaState, reason string) error
}

// Store is everything a kefu database offers.
type Store interface {
	Ingester
	AppStore
	MessageStore
	OutboxStore
	MediaStore
	AgentStore
	DeskStore
	DeskReader
	// Ready reports whether the store can commit now, for readiness checks.
	Ready(ctx context.Context) error
	Close() error
}
