package kefu

import (
	"context"
	"time"
)

// RoutingState is where a conversation is on the desk: waiting in its mini
// program's queue (待接入), active with one agent (进行中), or closed.
type RoutingState string

// The desk's states.
const (
	Waiting RoutingState = "waiting"
	Active  RoutingState = "active"
	Closed  RoutingState = "closed"
)

// Why a conversation was closed.
const (
	CloseByAgent = "agent" // an agent closed it
	CloseIdle    = "idle"  // no message either way for the idle time
)

// Routing is a conversation's state on the desk. It is kept apart from the
// conversation rows that ingest writes, so that routing never adds to a push's
// commit: a conversation is queued after the message that needs an answer is
// stored.
type Routing struct {
	ConversationID int64
	AppID          string
	OpenID         string
	State          RoutingState
	AgentID        int64     // the agent while active; the last one once closed
	QueuedAt       time.Time // the queue's order: a conversation put back keeps its place at the head
	AssignedAt     time.Time
	ClosedAt       time.Time
	CloseReason    string
	// ClosedLastID is the customer's latest message when the conversation closed.
	// A later message in it arrived while it was closing and must reopen it.
	ClosedLastID int64
	// ReadID is the last message the agent has seen: later inbound ones are unread.
	ReadID int64
}

// CloseGuard is what must still hold for a conversation to close: nothing new
// arrived that the closer has not seen.
type CloseGuard struct {
	// IdleSince, if set: no message either way came after it (an idle close).
	IdleSince time.Time
	// SeenID, if set: no customer message came after this one, the latest the
	// agent closing it was shown.
	SeenID int64
}

// DeskStore keeps the desk's state. Every change is one conditional write, so that
// two agents (on two nodes, even) acting on one conversation at once cannot both
// succeed: the one whose condition no longer holds gets false.
type DeskStore interface {
	// QueueConversations puts open conversations that are not on the desk yet in
	// their queues, each at its time, in one write, and returns those it queued
	// (not those already there, or closed).
	QueueConversations(ctx context.Context, items []QueueItem) ([]int64, error)
	// Routing returns a conversation's routing, or an ENotFound error.
	Routing(ctx context.Context, conversationID int64) (*Routing, error)
	// Waiting returns the first limit (0: all) of the mini programs' waiting
	// conversations, head first.
	Waiting(ctx context.Context, appIDs []string, limit int) ([]*Routing, error)
	// CountWaiting returns how many conversations wait in the mini programs' queues.
	CountWaiting(ctx context.Context, appIDs []string) (int, error)
	// ActiveRoutings returns the active conversations, of one agent or (0) all.
	ActiveRoutings(ctx context.Context, agentID int64) ([]*Routing, error)
	// Loads returns how many active conversations each of the agents has (those
	// with none are absent).
	Loads(ctx context.Context, agentIDs []int64) (map[int64]int, error)
	// Assign gives a waiting conversation to an agent.
	Assign(ctx context.Context, conversationID, agentID int64, at time.Time) (bool, error)
	// Reassign moves an active conversation from one agent to another.
	Reassign(ctx context.Context, conversationID, from, to int64, at time.Time) (bool, error)
	// Requeue puts an agent's active conversation back in the queue, at its old
	// place: ahead of those that came later.
	Requeue(ctx context.Context, conversationID, from int64) (bool, error)
	// CloseConversation closes a conversation that is still open, on the desk or
	// not, if the guard holds, checked in the same write.
	CloseConversation(ctx context.Context, conversationID int64, at time.Time, reason string, guard CloseGuard) (bool, error)
	// ReopenConversation opens a closed conversation again and puts it back in
	// the queue at at, unless its customer has another open conversation: what a
	// customer message that arrived as the conversation was being closed needs.
	ReopenConversation(ctx context.Context, conversationID int64, at time.Time) (bool, error)
	// Unrouted returns the open conversations that hold a customer's message but
	// are not on the desk (a process stopped between storing the message and
	// queueing its conversation).
	Unrouted(ctx context.Context) ([]*Routing, error)
	// LastActivity returns when the conversation's latest message, either way, was
	// stored (zero if it has none).
	LastActivity(ctx context.Context, conversationID int64) (time.Time, error)
	// MarkRead records that the agent has seen the conversation up to messageID.
	MarkRead(ctx context.Context, conversationID, agentID, messageID int64) error
}

// RoutingReader reads a conversation's place on the desk.
type RoutingReader interface {
	Routing(ctx context.Context, conversationID int64) (*Routing, error)
}

// RoutingFor returns a conversation's routing if agent a serves its mini program.
// Otherwise the answer is the same as for a conversation that does not exist, so
// that an agent learns nothing of other mini programs' conversations.
func RoutingFor(ctx context.Context, s RoutingReader, a *Agent, conversationID int64) (*Routing, error) {
	r, err := s.Routing(ctx, conversationID)
	if ErrorCodeOf(err) == ENotFound || (err == nil && !a.Serves(r.AppID)) {
		return nil, Errorf(ENotFound, "no such conversation").WithKey("not_found")
	}
	return r, err
}

// QueueItem is a conversation to queue, and when it joins the queue.
type QueueItem struct {
	ConversationID int64
	At             time.Time
}

// ConversationCard is one line of the console's lists: a conversation on the desk
// with its customer's latest message and how many of theirs the agent has not read.
type ConversationCard struct {
	Routing
	SessionFrom string
	Last        *Message // the customer's latest message, either way; nil if none
	// Unread counts the customer's messages in the conversation after ReadID, up to
	// MaxUnread.
	Unread int
}

// MaxUnread is where unread counts stop ("99+").
const MaxUnread = 100

// DeskReader reads what the console lists.
type DeskReader interface {
	// Cards returns the cards of the given conversations, in the order given.
	Cards(ctx context.Context, routings []*Routing) ([]*ConversationCard, error)
}
