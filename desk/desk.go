// Package desk routes conversations to agents: the queue of each mini program,
// accepting by hand and automatically (least loaded first, then longest idle),
// transfer, closing, idle close, and agents' status, with what losing every
// connection means. It is logic over the domain's interfaces; every change it makes
// is a conditional write in the store, so that two agents, or two nodes, racing for
// one conversation cannot both win.
package desk

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"kefu"
)

// Store is what the desk needs of the database.
type Store interface {
	kefu.DeskStore
	Agent(ctx context.Context, id int64) (*kefu.Agent, error)
	Agents(ctx context.Context) ([]*kefu.Agent, error)
	AutoAcceptors(ctx context.Context, appID string) ([]*kefu.Agent, error)
	SetPresence(ctx context.Context, agentID int64, p kefu.Presence, at time.Time) error
	SetAutoAccept(ctx context.Context, agentID int64, on bool) error
	Apps(ctx context.Context) ([]*kefu.App, error)
}

// maxBatch is the most events the desk acts on together.
const maxBatch = 256

// Defaults of Config.
const (
	DefaultIdleAfter = 30 * time.Minute
	DefaultGrace     = 2 * time.Minute
	DefaultSweep     = 5 * time.Second
)

// Config configures a Desk. Store is required.
type Config struct {
	Store     Store
	Clock     kefu.Clock     // nil: the system clock
	Publisher kefu.Publisher // nil: none
	Logger    *slog.Logger   // nil: discard
	// IdleAfter closes an active conversation with no message either way for this
	// long (WeChat's own tool: half an hour). 0: DefaultIdleAfter.
	IdleAfter time.Duration
	// Grace is how long an agent may have no connection before being taken offline
	// and their conversations going back to the queue. 0: DefaultGrace.
	Grace time.Duration
	// Sweep is how often idle conversations and lost agents are looked for. 0:
	// DefaultSweep.
	Sweep time.Duration
}

// Desk is the routing of one process. It is safe for concurrent use.
type Desk struct {
	cfg   Config
	store Store
	clock kefu.Clock
	pub   kefu.Publisher
	log   *slog.Logger

	work chan kefu.Event // events to act on, off the publisher's path
	// missed is set when a customer's message may not be on the desk: its event
	// found the work queue full, or acting on it failed. The next sweep then
	// queues every open conversation that holds a message and is not on the desk.
	missed atomic.Bool
	onDesk known // conversations seen waiting or active: their messages need no read

	mu           sync.Mutex
	conns        map[int64]int       // live console connections per agent
	lostAt       map[int64]time.Time // since when an agent has had none
	lastAssigned map[int64]time.Time // when an agent last got a conversation
	assigning    sync.Mutex          // one round of automatic assignment at a time
}

// New returns a Desk with defaults applied.
func New(cfg Config) *Desk {
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
	}
	if cfg.Publisher == nil {
		cfg.Publisher = kefu.NoPublisher{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = DefaultIdleAfter
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Sweep <= 0 {
		cfg.Sweep = DefaultSweep
	}
	return &Desk{
		cfg: cfg, store: cfg.Store, clock: cfg.Clock, pub: cfg.Publisher, log: cfg.Logger,
		work:         make(chan kefu.Event, 4096),
		conns:        map[int64]int{},
		lostAt:       map[int64]time.Time{},
		lastAssigned: map[int64]time.Time{},
	}
}

// Notice hands the desk an event to act on (a customer's message, a reply that
// ended). It never blocks: it runs on the publisher's path. When the desk is too
// far behind to take it, its next sweep finds what the event would have told it.
func (d *Desk) Notice(e kefu.Event) {
	if e.Kind != kefu.EventMessageStored {
		return
	}
	select {
	case d.work <- e:
	default:
		d.missed.Store(true)
	}
}

// Run acts on events as they come and sweeps regularly until ctx ends. At start it
// queues what a stopped process left unqueued, and counts every agent who is not
// offline as disconnected from now: their grace begins.
func (d *Desk) Run(ctx context.Context) error {
	now := d.clock.Now()
	if agents, err := d.store.Agents(ctx); err == nil {
		d.mu.Lock()
		for _, a := range agents {
			if a.Status != kefu.Offline && d.conns[a.ID] == 0 {
				d.lostAt[a.ID] = now
			}
		}
		d.mu.Unlock()
	}
	if err := d.Reconcile(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("desk: queue unrouted conversations", "err", err)
	}
	ticker := time.NewTicker(d.cfg.Sweep)
	defer ticker.Stop()
	var batch []kefu.Event
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-d.work:
			// Take what else is waiting: new conversations queue in one commit.
			batch := append(batch[:0], e)
			for more := true; more && len(batch) < maxBatch; {
				select {
				case e := <-d.work:
					batch = append(batch, e)
				default:
					more = false
				}
			}
			if err := d.onMessages(ctx, batch); err != nil && ctx.Err() == nil {
				d.missed.Store(true)
				d.log.Warn("desk: act on messages", "err", err)
			}
		case <-ticker.C:
			if err := d.Sweep(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("desk: sweep", "err", err)
			}
		}
	}
}

// Reconcile queues the open conversations that hold a customer's message but are
// not on the desk.
func (d *Desk) Reconcile(ctx context.Context) error {
	rs, err := d.store.Unrouted(ctx)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	items := make([]kefu.QueueItem, len(rs))
	byID := make(map[int64]*kefu.Routing, len(rs))
	for i, r := range rs {
		items[i] = kefu.QueueItem{ConversationID: r.ConversationID, At: r.QueuedAt}
		byID[r.ConversationID] = r
	}
	ids, err := d.store.QueueConversations(ctx, items)
	if err != nil {
		return err
	}
	queued := make([]*kefu.Routing, len(ids))
	for i, id := range ids {
		queued[i] = byID[id]
	}
	d.announceQueued(ctx, queued)
	return nil
}

func (d *Desk) publish(kind kefu.EventKind, r *kefu.Routing, agentID int64) {
	d.pub.Publish(kefu.Event{Kind: kind, AppID: r.AppID, OpenID: r.OpenID, ConversationID: r.ConversationID,
		AgentID: agentID, At: d.clock.Now()})
}
