package desk

import (
	"context"
	"errors"

	"kefu"
)

// Sweep does what time alone decides, and repairs what was missed: it queues the
// conversations whose message events the desk missed, takes offline the agents
// whose last connection ended more than the grace period ago (their conversations
// go back to the queue), closes active conversations with no message either way
// for the idle time, and offers waiting conversations to agents again. Run calls
// it regularly; tests call it after moving their clock.
func (d *Desk) Sweep(ctx context.Context) error {
	return errors.Join(d.sweepMissed(ctx), d.sweepLost(ctx), d.sweepIdle(ctx), d.sweepQueues(ctx))
}

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
func (d *Desk) sweepIdle(ctx context.Context) error {
	active, err := d.store.ActiveRoutings(ctx, 0)
	if err != nil {
		return err
	}
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
		d.onDesk.closing()
		ok, err := d.store.CloseConversation(ctx, r.ConversationID, now, kefu.CloseIdle, kefu.CloseGuard{IdleSince: last})
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
