package kefu

import "time"

// EventKind names what happened.
type EventKind string

// The facts kefu publishes. Each is published once the transaction that made it
// true has committed, never before, so a subscriber that reads the rows named sees
// them.
const (
	// EventMessageStored: an inbound message was stored (a retry stores nothing
	// and publishes nothing).
	EventMessageStored EventKind = "message.stored"
	// EventConversationOpened: an inbound message opened a conversation (published
	// beside its EventMessageStored).
	EventConversationOpened EventKind = "conversation.opened"
	// EventOutboundQueued: a reply was stored as queued for the sender.
	EventOutboundQueued EventKind = "outbound.queued"
	// EventDeliveryEnded: an outbound message ended sent or failed.
	EventDeliveryEnded EventKind = "outbound.ended"
	// EventMediaSettled: an inbound message's media was stored, or failed for good.
	EventMediaSettled EventKind = "media.settled"

	// The desk's changes: a conversation put in its queue (first, or back), given
	// to an agent, moved to another, closed; an agent's status.
	EventConversationQueued   EventKind = "conversation.queued"
	EventConversationAssigned EventKind = "conversation.assigned"
	EventConversationClosed   EventKind = "conversation.closed"
	EventAgentStatus          EventKind = "agent.status"
)

// Event is one fact. It carries ids and kinds, not rows: what it names is read
// from the store by whoever needs it, so that an event is small enough to cross
// nodes (docs/architecture.md §3, hub) and never stale.
type Event struct {
	Kind           EventKind
	AppID          string
	OpenID         string
	ConversationID int64 // 0 when none
	MessageID      int64 // 0 when none
	AgentID        int64 // the agent concerned (desk events), 0 when none
	// MessageKind is the kind of the message named, for subscribers that only
	// care about some (the media fetcher: images and cards).
	MessageKind Kind
	At          time.Time
}

// Publisher hands events to their subscribers. Publish runs right after a commit,
// on the path that made it (a push's ingest, a send), so it must not block: a
// subscriber that cannot keep up loses events and is told to catch up, it never
// slows the publisher.
type Publisher interface {
	Publish(events ...Event)
}

// NoPublisher drops every event: for tools that run no subscriber.
type NoPublisher struct{}

// Publish does nothing.
func (NoPublisher) Publish(...Event) {}

// EventSource is where events can be followed: the workers wake on the events that
// concern them instead of waiting for their next poll.
type EventSource interface {
	// Subscribe calls fn with each event published from now on, until cancel is
	// called. fn runs on the publisher's path: it must return at once.
	Subscribe(fn func(Event)) (cancel func())
}

// SeqEvent is an event with the number its feed gave it: strictly increasing in
// one feed, so that a stream that reconnects can say where it stopped
// (Last-Event-ID).
type SeqEvent struct {
	Seq uint64
	Event
}

// Subscription is a bounded queue of events for one consumer that may be slow,
// such as an agent's browser. When the consumer falls behind by more than the queue
// holds, the subscription stops (C is closed) and Lost reports true: events were
// dropped, and the consumer must reload its state.
type Subscription interface {
	C() <-chan SeqEvent
	Lost() bool
	Close()
}

// EventFeed is where the console's streams follow events, with catch-up.
type EventFeed interface {
	// Follow subscribes to the events published after seq that keep takes (nil:
	// all), queueing up to buffer. past holds those already published, if they
	// are all still kept; ok false means some are gone (or seq is from before a
	// restart), and the consumer must reload its state first. Nothing is missed or
	// doubled between past and the subscription.
	Follow(seq uint64, buffer int, keep func(SeqEvent) bool) (past []SeqEvent, sub Subscription, ok bool)
	// Last is the number of the latest event. Numbers only grow, across restarts
	// too; they do not start at 1.
	Last() uint64
}
