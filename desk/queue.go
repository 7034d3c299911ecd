package desk

import (
	"context"
	"errors"

	"kefu"
)

// needsAnswer reports whether a stored message asks for an agent: a customer's
// text, image or card. Entering the chat is context, never a message waiting for an
// answer.
func needsAnswer(e kefu.Event) bool {
	switch e.MessageKind {
	case kefu.KindText, kefu.KindImage, kefu.KindCard:
		return e.ConversationID != 0
	}
	return false
}

// OnMessage acts on one stored message; see onMessages.
func (d *Desk) OnMessage(ctx context.Context, e kefu.Event) error {
	return d.onMessages(ctx, []kefu.Event{e})
}

// pending is what a batch of events says of one conversation.
type pending struct {
	first, last kefu.Event // its earliest and latest message in the batch
}

// onMessages acts on stored messages: a customer's message in a conversation that
// is not on the desk puts it in the queue (and perhaps straight to an agent); one
// that arrived as its conversation was being closed opens it again.
//
// Most messages belong to a conversation already on the desk, which the desk
// remembers or a read tells: nothing is written for them. The conversations to
// queue are queued together, in one commit: a write per new conversation would
// compete with ingest's commits for the database.
func (d *Desk) onMessages(ctx context.Context, events []kefu.Event) error {
	epoch := d.onDesk.epoch()
	byConv := map[int64]*pending{}
	var order []int64
	for _, e := range events {
		if e.Kind != kefu.EventMessageStored || !needsAnswer(e) || d.onDesk.has(e.ConversationID) {
			continue
		}
		p, ok := byConv[e.ConversationID]
		if !ok {
			p = &pending{first: e, last: e}
			byConv[e.ConversationID] = p
			order = append(order, e.ConversationID)
		}
		if e.MessageID > p.last.MessageID {
			p.last = e
		}
	}
	var errs []error
	var toQueue []kefu.QueueItem
	var closed []*pending
	for _, id := range order {
		p := byConv[id]
		cur, err := d.store.Routing(ctx, id)
		switch {
		case err == nil && cur.State != kefu.Closed:
			d.onDesk.add(id, epoch) // waiting or with an agent already
		case err == nil:
			if p.last.MessageID > cur.ClosedLastID {
				closed = append(closed, p)
			} // else: closed after this message, which the agent saw
		case kefu.ErrorCodeOf(err) == kefu.ENotFound:
			toQueue = append(toQueue, kefu.QueueItem{ConversationID: id, At: p.first.At})
		default:
			errs = append(errs, err)
		}
	}
	var queued []*pending
	if len(toQueue) > 0 {
		ids, err := d.store.QueueConversations(ctx, toQueue)
		if err != nil {
			// The reopens below still go ahead; the sweep queues these later.
			errs = append(errs, err)
			toQueue = nil
		}
		done := map[int64]bool{}
		for _, id := range ids {
			done[id] = true
			queued = append(queued, byConv[id])
		}
		for _, q := range toQueue {
			if done[q.ConversationID] {
				continue
			}
			// Not queued: queued meanwhile, or closed. Look again.
			cur, err := d.store.Routing(ctx, q.ConversationID)
			if err != nil {
				errs = append(errs, err)
			} else if p := byConv[q.ConversationID]; cur.State == kefu.Closed && p.last.MessageID > cur.ClosedLastID {
				closed = append(closed, p)
			}
		}
	}
	for _, p := range closed {
		// The conversation was closed while this message was being stored into it
		// (an agent closing as the customer wrote, or two writers at once on
		// PostgreSQL): it must not stay hidden in a closed conversation.
		ok, err := d.store.ReopenConversation(ctx, p.last.ConversationID, p.last.At)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			queued = append(queued, p)
		}
	}
	rs := make([]*kefu.Routing, len(queued))
	for i, p := range queued {
		e := p.first
		d.onDesk.add(e.ConversationID, epoch)
		rs[i] = &kefu.Routing{ConversationID: e.ConversationID, AppID: e.AppID, OpenID: e.OpenID}
	}
	d.announceQueued(ctx, rs)
	return errors.Join(errs...)
}

// announceQueued says that the conversations joined their queues, and offers each
// mini program's queue to whoever takes work automatically.
func (d *Desk) announceQueued(ctx context.Context, rs []*kefu.Routing) {
	apps := map[string]bool{}
	var order []string
	for _, r := range rs {
		d.publish(kefu.EventConversationQueued, r, 0)
		if !apps[r.AppID] {
			apps[r.AppID] = true
			order = append(order, r.AppID)
		}
	}
	for _, app := range order {
		d.autoAssign(ctx, app, 0)
	}
}
