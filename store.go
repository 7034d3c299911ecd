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
	// CountByDedupKey returns how many messages of appID carry each given dedup key,
	// for checks that every acknowledged push was stored exactly once.
	CountByDedupKey(ctx context.Context, appID string, keys []string) (map[string]int, error)
	Customer(ctx context.Context, appID, openID string) (*Customer, error)
	OpenConversation(ctx context.Context, appID, openID string) (*Conversation, error)
	QuotaGrants(ctx context.Context, appID, openID string, since time.Time) ([]QuotaGrant, error)
}

// Store is everything a kefu database offers.
type Store interface {
	Ingester
	AppStore
	MessageStore
	// Ping reports whether the database answers, for readiness checks.
	Ping(ctx context.Context) error
	Close() error
}
