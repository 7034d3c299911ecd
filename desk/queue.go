package desk

import (
	"context"

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

// OnMessage acts on a stored message: a customer's message in a conversation that
// is not on the desk puts it in the queue (and perhaps straight to an agent); one
// that arrived as its conversation was being closed opens it again.
func (d *Desk) OnMessage(ctx context.Context, e kefu.Event) error {
	if e.Kind != kefu.EventMessageStored || !needsAnswer(e) {
		return nil
	}
	queued, err := d.store.QueueConversation(ctx, e.ConversationID, e.At)
	if err != nil {
		return err
	}
	r := &kefu.Routing{ConversationID: e.ConversationID, AppID: e.AppID, OpenID: e.OpenID}
	if !queued {
		cur, err := d.store.Routing(ctx, e.ConversationID)
		if err != nil || cur.State != kefu.Closed || e.MessageID <= cur.ClosedLastID {
			return err
		}
		// The conversation was closed while this message was being stored into it
		// (an agent closing as the customer wrote, or two writers at once on
		// PostgreSQL): it must not stay hidden in a closed conversation.
		if queued, err = d.store.ReopenConversation(ctx, e.ConversationID, e.At); err != nil || !queued {
			return err
		}
	}
	d.publish(kefu.EventConversationQueued, r, 0)
	d.autoAssign(ctx, e.AppID, 0)
	return nil
}
