package desk

import (
	"context"
	"errors"

	"kefu"
)

// Sweep does what time alone decides, and repairs what was missed: it queues the
// conversations whose message events the desk missed, takes offline the agents
// whose last connection ended more than the grace period ago (their conversations
// go back to the queue), puts back the conversations agents may no longer keep
// (changed by an admin, here or from the command line), closes active
// conversations with no message either way for the idle time, and offers waiting
// conversations to agents again. Run calls it regularly; tests call it after
// moving their clock.
func (d *Desk) Sweep(ctx context.Context) error {
	errs := []error{d.sweepMissed(ctx), d.sweepLost(ctx)}
	active, err := d.store.ActiveRoutings(ctx, 0)
	if err == nil {
		active, err = d.sweepStrays(ctx, active)
		errs = append(errs, err, d.sweepIdle(ctx, active))
	} else {
		errs = append(errs, err)
	}
	return errors.Join(append(errs, d.sweepQueues(ctx))...)
}

// sweepStrays requeues the active conversations whose agent is disabled or no
// longer serves their mini program, and returns the others.
func (d *Desk) sweepStrays(ctx context.Context, active []*kefu.Routing) ([]*kefu.Routing, error) {
	agents, err := d.store.Agents(ctx)
	if err != nil {
		return active, err
	}
	byID := make(map[int64]*kefu.Agent, len(agents))
	for _, a := range agents {
		byID[a.ID] = a
	}
	var kept []*kefu.Routing
	var errs []error
	for _, r := range active {
		a := byID[r.AgentID]
		if a == nil || mayKeep(a, r) {
			kept = append(kept, r)
			continue
		}
		errs = append(errs, d.requeue(ctx, a, []*kefu.Routing{r}))
	}
	return kept, errors.Join(errs...)
}

// mayKeep reports whether agent a may keep conversation r.
func mayKeep(a *kefu.Agent, r *kefu.Routing) bool { return !a.Disabled && a.Serves(r.AppID) }

// sweepMissed queues the conversations whose messages the desk may have missed
// (see Desk.missed); if that fails too, the next sweep tries again.
func (d *Desk) sweepMissed(ctx context.Context) error {
	if !d.missed.Swap(false) {
		return nil
	}
	err := d.Reconcile(ctx)
	if err != nil {
		d.missed.Store(true)
	}
	return err
}

// sweepLost takes offline the agents without a connection past their grace.
func (d *Desk) sweepLost(ctx context.Context) error {
	now := d.clock.Now()
	d.mu.Lock()
	var lost []int64
	for id, at := range d.lostAt {
		if now.Sub(at) >= d.cfg.Grace {
			lost = append(lost, id)
			delete(d.lostAt, id)
		}
	}
	d.mu.Unlock()
	var errs []error
	for _, id := range lost {
		a, err := d.store.Agent(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if a.Status != kefu.Offline {
			d.log.Info("desk: agent lost every connection; offline", "agent", id)
			errs = append(errs, d.SetStatus(ctx, a, kefu.Offline))
		}
	}
	return errors.Join(errs...)
}

// sweepIdle closes active conversations idle for IdleAfter. Idle counts from the
// latest message either way, or from when the agent got the conversation if that
// is later: a conversation that waited long is not closed as soon as it is taken.
func (d *Desk) sweepIdle(ctx context.Context, active []*kefu.Routing) error {
	now := d.clock.Now()
	var errs []error
	for _, r := range active {
		last, err := d.store.LastActivity(ctx, r.ConversationID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.AssignedAt.After(last) {
			last = r.AssignedAt
		}
		if now.Sub(last) < d.cfg.IdleAfter {
			continue
		}
		ok, err := d.closeConversation(ctx, r.ConversationID, kefu.CloseIdle, kefu.CloseGuard{IdleSince: last})
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			d.publish(kefu.EventConversationClosed, r, r.AgentID)
		}
	}
	return errors.Join(errs...)
}

// sweepQueues offers every mini program's waiting conversations again.
func (d *Desk) sweepQueues(ctx context.Context) error {
	apps, err := d.store.Apps(ctx)
	if err != nil {
		return err
	}
	for _, app := range apps {
		d.autoAssign(ctx, app.AppID, 0)
	}
	return nil
}
