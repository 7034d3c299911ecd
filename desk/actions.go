package desk

import (
	"context"

	"kefu"
)

// hasRoom reports whether an online agent may take one more conversation.
func (d *Desk) hasRoom(ctx context.Context, a *kefu.Agent) error {
	if a.Status != kefu.Online {
		return kefu.Errorf(kefu.EConflict, "%s is %s: only online agents take conversations", a.Name, a.Status).WithKey("not_online")
	}
	loads, err := d.store.Loads(ctx, []int64{a.ID})
	if err != nil {
		return err
	}
	if n := loads[a.ID]; n >= a.Capacity {
		return kefu.Errorf(kefu.EConflict, "%s has %d conversations, as many as their capacity", a.Name, n).WithKey("at_capacity")
	}
	return nil
}

// closeConversation writes a close, forgetting what the desk knows to be on it
// before (a message racing the close must reach the reopen check) and again after
// (what was learnt meanwhile may predate the close).
func (d *Desk) closeConversation(ctx context.Context, id int64, reason string, guard kefu.CloseGuard) (bool, error) {
	d.onDesk.closing()
	defer d.onDesk.closing()
	return d.store.CloseConversation(ctx, id, d.clock.Now(), reason, guard)
}

// errChangedHands is the answer when a conditional write lost to another change.
func errChangedHands() error {
	return kefu.Errorf(kefu.EConflict, "the conversation changed hands meanwhile").WithKey("changed_hands")
}

// hasIt refuses, with what, an agent who neither has the active conversation r
// nor is an admin.
func hasIt(by *kefu.Agent, r *kefu.Routing, what string) error {
	if r.State != kefu.Active || (r.AgentID != by.ID && by.Role != kefu.RoleAdmin) {
		return kefu.Errorf(kefu.EConflict, "only the agent who has this conversation can %s", what).WithKey("not_yours")
	}
	return nil
}

// Accept gives a waiting conversation to the agent who asks (接入). Of several
// agents accepting one conversation at once, one gets it; the others are told it
// was taken.
func (d *Desk) Accept(ctx context.Context, a *kefu.Agent, conversationID int64) error {
	r, err := kefu.RoutingFor(ctx, d.store, a, conversationID)
	if err != nil {
		return err
	}
	if r.State != kefu.Waiting {
		return kefu.Errorf(kefu.EConflict, "this conversation is no longer waiting").WithKey("not_waiting")
	}
	if err := d.hasRoom(ctx, a); err != nil {
		return err
	}
	ok, err := d.store.Assign(ctx, conversationID, a.ID, d.clock.Now())
	if err != nil {
		return err
	}
	if !ok {
		return kefu.Errorf(kefu.EConflict, "another agent accepted this conversation first").WithKey("taken")
	}
	d.assigned(a.ID)
	d.publish(kefu.EventConversationAssigned, r, a.ID)
	return nil
}

// Transfer hands an active conversation from the agent who has it (or an admin)
// to another online agent of its mini program (转接). The receiver's capacity is
// not checked: a colleague asked them.
func (d *Desk) Transfer(ctx context.Context, by *kefu.Agent, conversationID, toAgentID int64) error {
	r, err := kefu.RoutingFor(ctx, d.store, by, conversationID)
	if err != nil {
		return err
	}
	if err := hasIt(by, r, "transfer it"); err != nil {
		return err
	}
	to, err := d.store.Agent(ctx, toAgentID)
	if kefu.ErrorCodeOf(err) == kefu.ENotFound || (err == nil && !to.Serves(r.AppID)) {
		return kefu.Errorf(kefu.EInvalid, "that agent does not serve this mini program").WithKey("colleague_elsewhere")
	}
	if err != nil {
		return err
	}
	if to.Status != kefu.Online {
		return kefu.Errorf(kefu.EConflict, "%s is %s: transfer to an online colleague", to.Name, to.Status).WithKey("colleague_not_online")
	}
	if to.ID == r.AgentID {
		return nil
	}
	ok, err := d.store.Reassign(ctx, conversationID, r.AgentID, to.ID, d.clock.Now())
	if err != nil {
		return err
	}
	if !ok {
		return errChangedHands()
	}
	d.assigned(to.ID)
	d.publish(kefu.EventConversationAssigned, r, to.ID)
	return nil
}

// Requeue puts the agent's conversation back in the queue (转接 to the queue) at
// its old place, and offers it to the other agents.
func (d *Desk) Requeue(ctx context.Context, by *kefu.Agent, conversationID int64) error {
	r, err := kefu.RoutingFor(ctx, d.store, by, conversationID)
	if err != nil {
		return err
	}
	if err := hasIt(by, r, "put it back"); err != nil {
		return err
	}
	ok, err := d.store.Requeue(ctx, conversationID, r.AgentID)
	if err != nil {
		return err
	}
	if !ok {
		return errChangedHands()
	}
	d.publish(kefu.EventConversationQueued, r, 0)
	d.autoAssign(ctx, r.AppID, r.AgentID)
	return nil
}

// Close ends a conversation (结束会话): the agent who has it, or an admin, may.
// seenID is the latest customer message the agent was shown: if a newer one came
// meanwhile, the conversation stays open so that it is not closed unread.
func (d *Desk) Close(ctx context.Context, by *kefu.Agent, conversationID, seenID int64) error {
	r, err := kefu.RoutingFor(ctx, d.store, by, conversationID)
	if err != nil {
		return err
	}
	if r.State == kefu.Closed {
		return nil
	}
	if (r.State != kefu.Active || r.AgentID != by.ID) && by.Role != kefu.RoleAdmin {
		return kefu.Errorf(kefu.EConflict, "only the agent who has this conversation can close it").WithKey("not_yours")
	}
	ok, err := d.closeConversation(ctx, conversationID, kefu.CloseByAgent, kefu.CloseGuard{SeenID: seenID})
	if err != nil {
		return err
	}
	if !ok {
		return kefu.Errorf(kefu.EConflict, "a new message came in: read it before closing").WithKey("unseen_message")
	}
	d.publish(kefu.EventConversationClosed, r, r.AgentID)
	return nil
}

// TakeOver gives an admin a conversation of their mini programs, waiting or with
// another agent.
func (d *Desk) TakeOver(ctx context.Context, admin *kefu.Agent, conversationID int64) error {
	r, err := kefu.RoutingFor(ctx, d.store, admin, conversationID)
	if err != nil {
		return err
	}
	if admin.Role != kefu.RoleAdmin {
		return kefu.Errorf(kefu.EUnauthorized, "only admins take conversations over").WithKey("admins_only")
	}
	var ok bool
	switch r.State {
	case kefu.Waiting:
		ok, err = d.store.Assign(ctx, conversationID, admin.ID, d.clock.Now())
	case kefu.Active:
		if r.AgentID == admin.ID {
			return nil
		}
		ok, err = d.store.Reassign(ctx, conversationID, r.AgentID, admin.ID, d.clock.Now())
	default:
		return kefu.Errorf(kefu.EConflict, "this conversation is closed").WithKey("closed")
	}
	if err != nil {
		return err
	}
	if !ok {
		return errChangedHands()
	}
	d.publish(kefu.EventConversationAssigned, r, admin.ID)
	return nil
}
