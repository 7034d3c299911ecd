package desk

import (
	"context"

	"kefu"
)

// SetStatus changes an agent's status (在线 / 离开 / 离线). Going offline puts the
// agent's conversations back at the head of the queue; coming online gives them
// waiting conversations if they auto-accept.
func (d *Desk) SetStatus(ctx context.Context, a *kefu.Agent, p kefu.Presence) error {
	if a.Status == p {
		return nil
	}
	now := d.clock.Now()
	if err := d.store.SetPresence(ctx, a.ID, p, now); err != nil {
		return err
	}
	a.Status, a.StatusAt = p, now
	d.pub.Publish(kefu.Event{Kind: kefu.EventAgentStatus, AgentID: a.ID, At: now})
	switch p {
	case kefu.Offline:
		return d.requeueAll(ctx, a)
	case kefu.Online:
		return d.offerWork(ctx, a)
	}
	return nil
}

// offerWork gives the waiting conversations of the agent's mini programs to
// whoever takes them automatically, the agent included.
func (d *Desk) offerWork(ctx context.Context, a *kefu.Agent) error {
	apps, err := d.appsOf(ctx, a)
	if err != nil {
		return err
	}
	for _, app := range apps {
		d.autoAssign(ctx, app, 0)
	}
	return nil
}

// requeueAll puts every conversation of an agent back in the queue.
func (d *Desk) requeueAll(ctx context.Context, a *kefu.Agent) error {
	active, err := d.store.ActiveRoutings(ctx, a.ID)
	if err != nil {
		return err
	}
	return d.requeue(ctx, a, active)
}

// AgentChanged acts on an admin's change to an agent at once (the sweep would,
// later): a disabled agent goes offline, and conversations of mini programs the
// agent no longer serves go back to the queue.
func (d *Desk) AgentChanged(ctx context.Context, a *kefu.Agent) error {
	if a.Disabled {
		if err := d.SetStatus(ctx, a, kefu.Offline); err != nil {
			return err
		}
	}
	active, err := d.store.ActiveRoutings(ctx, a.ID)
	if err != nil {
		return err
	}
	var strays []*kefu.Routing
	for _, r := range active {
		if !mayKeep(a, r) {
			strays = append(strays, r)
		}
	}
	return d.requeue(ctx, a, strays)
}

// requeue puts conversations of agent a back in the queue, where each keeps its
// old place: the head, before those that came later.
func (d *Desk) requeue(ctx context.Context, a *kefu.Agent, rs []*kefu.Routing) error {
	apps := map[string]bool{}
	for _, r := range rs {
		ok, err := d.store.Requeue(ctx, r.ConversationID, a.ID)
		if err != nil {
			return err
		}
		if ok {
			d.publish(kefu.EventConversationQueued, r, 0)
			apps[r.AppID] = true
		}
	}
	for app := range apps {
		d.autoAssign(ctx, app, a.ID)
	}
	return nil
}

// appsOf lists the mini programs an agent serves: an admin's are all of them.
func (d *Desk) appsOf(ctx context.Context, a *kefu.Agent) ([]string, error) {
	if a.Role != kefu.RoleAdmin {
		return a.Apps, nil
	}
	apps, err := d.store.Apps(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(apps))
	for i, app := range apps {
		ids[i] = app.AppID
	}
	return ids, nil
}

// Connected counts a console connection of an agent (an open event stream).
func (d *Desk) Connected(agentID int64) {
	d.mu.Lock()
	d.conns[agentID]++
	delete(d.lostAt, agentID)
	d.mu.Unlock()
}

// Disconnected counts a console connection that ended. When an agent has none
// left, their grace period begins: unless one comes back within it, the sweep
// takes them offline.
func (d *Desk) Disconnected(agentID int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conns[agentID] > 0 {
		d.conns[agentID]--
	}
	if d.conns[agentID] == 0 {
		delete(d.conns, agentID)
		d.lostAt[agentID] = d.clock.Now()
	}
}

// SetAutoAccept turns an agent's automatic accepting on or off (自动接入); turned
// on while online, it gives them waiting conversations at once.
func (d *Desk) SetAutoAccept(ctx context.Context, a *kefu.Agent, on bool) error {
	if a.AutoAccept == on {
		return nil
	}
	// This one column: the agent read at the request's start may be stale (an
	// admin changing their mini programs meanwhile must not be undone).
	if err := d.store.SetAutoAccept(ctx, a.ID, on); err != nil {
		return err
	}
	a.AutoAccept = on
	d.pub.Publish(kefu.Event{Kind: kefu.EventAgentStatus, AgentID: a.ID, At: d.clock.Now()})
	if !on || a.Status != kefu.Online {
		return nil
	}
	return d.offerWork(ctx, a)
}
