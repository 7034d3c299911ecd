package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"kefu"
)

// SenderStore is what the sender needs of the database.
type SenderStore interface {
	kefu.OutboxStore
	kefu.MediaStore
}

// SenderConfig configures a Sender. Store and API are required.
type SenderConfig struct {
	Store  SenderStore
	API    kefu.WeChatAPI
	Clock  kefu.Clock   // nil: the system clock
	Logger *slog.Logger // nil: discard

	// Concurrency is how many customers are sent to at once (each customer's
	// messages go one at a time, in order). 0: 8.
	Concurrency int
	// Poll is how often the outbox is read when nothing wakes the sender (other
	// nodes' messages, retries coming due). 0: 1 s.
	Poll time.Duration
	// MaxAttempts bounds the tries of a message WeChat provably did not take. 0: 8.
	MaxAttempts int
	// RetryBase and RetryCeiling shape the backoff between tries. 0: 1 s and 5 min.
	RetryBase, RetryCeiling time.Duration
	// SendingLease is how long a message may stay "sending" before it is taken for
	// abandoned by a process that died mid-send. It must exceed the longest API call
	// with its token refresh and retry. 0: 2 min.
	SendingLease time.Duration
	// MediaMargin: a media_id is reused only if it lives this much longer. 0: 1 h.
	MediaMargin time.Duration

	// Events, if set, wakes the sender when a reply is queued
	// (kefu.EventOutboundQueued) rather than at its next poll.
	Events kefu.EventSource
	// Publisher, if set, is told of each message that ended sent or failed
	// (kefu.EventDeliveryEnded), once that is recorded.
	Publisher kefu.Publisher
	// OnDone, if set, is called after each message ends sent or failed, with the
	// message as it was claimed and the result: for metrics. It must not block for
	// long.
	OnDone func(m *kefu.Message, r kefu.DeliveryResult)
}

// Sender is the worker that delivers what kefu.Outbound queued: one row before one
// request (docs/architecture.md invariant 4), retried only when WeChat provably did
// not take it.
type Sender struct {
	cfg   SenderConfig
	log   *slog.Logger
	clock kefu.Clock
	wake  chan struct{}

	mu       sync.Mutex
	inFlight map[customerKey]bool // customers with a delivery running in this process
}

type customerKey struct{ appID, openID string }

// NewSender returns a Sender with defaults applied.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
	}
	if cfg.Publisher == nil {
		cfg.Publisher = kefu.NoPublisher{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryCeiling <= 0 {
		cfg.RetryCeiling = 5 * time.Minute
	}
	if cfg.SendingLease <= 0 {
		cfg.SendingLease = 2 * time.Minute
	}
	if cfg.MediaMargin <= 0 {
		cfg.MediaMargin = time.Hour
	}
	return &Sender{
		cfg:      cfg,
		log:      cfg.Logger,
		clock:    cfg.Clock,
		wake:     make(chan struct{}, 1),
		inFlight: make(map[customerKey]bool),
	}
}

// Wake makes the worker read the outbox now rather than at its next poll.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers queued messages until ctx ends, then waits for the deliveries in
// progress: a message handed to WeChat is always recorded as sent or failed.
func (s *Sender) Run(ctx context.Context) error {
	if s.cfg.Events != nil {
		defer s.cfg.Events.Subscribe(func(e kefu.Event) {
			if e.Kind == kefu.EventOutboundQueued {
				s.Wake()
			}
		})()
	}
	var running sync.WaitGroup
	defer running.Wait()
	slots := make(chan struct{}, s.cfg.Concurrency)
	ticker := time.NewTicker(s.cfg.Poll)
	defer ticker.Stop()
	var lastSweep time.Time
	for {
		// Stale sends are rare: look for them a few times per lease, not per wake.
		if now := s.clock.Now(); now.Sub(lastSweep) >= s.cfg.SendingLease/4 || now.Before(lastSweep) {
			s.abandonStale(ctx)
			lastSweep = now
		}
		s.dispatch(ctx, slots, &running)
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-ticker.C:
		}
	}
}

// abandonStale fails messages another process left sending past the lease.
func (s *Sender) abandonStale(ctx context.Context) {
	now := s.clock.Now()
	failed, err := s.cfg.Store.AbandonSending(ctx, now.Add(-s.cfg.SendingLease), now, reasonAbandoned)
	if err != nil {
		s.log.Warn("outbox: abandon stale sends", "err", err)
		return
	}
	if len(failed) > 0 {
		s.log.Warn("outbox: failed messages a stopped process left sending", "count", len(failed))
	}
	events := make([]kefu.Event, len(failed))
	for i, m := range failed {
		events[i] = kefu.MessageEvent(kefu.EventDeliveryEnded, m, now)
	}
	s.cfg.Publisher.Publish(events...)
}

const reasonAbandoned = "kefu stopped while handing this message to WeChat; it may have been delivered, so it is not sent again"

// dispatch starts a delivery for each due customer with a free slot.
func (s *Sender) dispatch(ctx context.Context, slots chan struct{}, running *sync.WaitGroup) {
	due, err := s.cfg.Store.DueOutbound(ctx, s.clock.Now(), 4*s.cfg.Concurrency)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("outbox: read due messages", "err", err)
		}
		return
	}
	for _, m := range due {
		key := customerKey{m.AppID, m.OpenID}
		if !s.begin(key) {
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			s.end(key)
			return
		}
		running.Add(1)
		go func() {
			defer running.Done()
			defer func() { <-slots }()
			defer s.Wake() // a free slot: customers beyond the last read may be due
			defer s.end(key)
			s.serveCustomer(ctx, m)
		}()
	}
}

// serveCustomer delivers m, then the customer's following messages while they are
// due, so that a customer's queue drains without a read of the whole outbox per
// message. It stops taking new messages when ctx ends; the one in hand is finished.
func (s *Sender) serveCustomer(ctx context.Context, m *kefu.Message) {
	for m != nil {
		if !s.deliver(context.WithoutCancel(ctx), m) || ctx.Err() != nil {
			return
		}
		next, err := s.cfg.Store.NextOutbound(ctx, m.AppID, m.OpenID, s.clock.Now())
		if err != nil {
			s.log.Warn("outbox: read next message", "app", m.AppID, "err", err)
			return
		}
		m = next
	}
}

func (s *Sender) begin(k customerKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight[k] {
		return false
	}
	s.inFlight[k] = true
	return true
}

func (s *Sender) end(k customerKey) {
	s.mu.Lock()
	delete(s.inFlight, k)
	s.mu.Unlock()
}
