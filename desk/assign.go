package desk

import (
	"context"
	"sort"
	"time"

	"kefu"
)

// assigned notes that an agent just got a conversation, for "longest idle first".
func (d *Desk) assigned(agentID int64) {
	d.mu.Lock()
	d.lastAssigned[agentID] = d.clock.Now()
	d.mu.Unlock()
}

// candidate is an agent who may be given conversations automatically.
type candidate struct {
	agent *kefu.Agent
	load  int
	idle  time.Time // since when they have had nothing new: earlier goes first
}

// autoAssign gives the mini program's waiting conversations, head first, to online
// agents with auto-accept and room: least loaded first, then longest idle. except
// (an agent who just put a conversation back) is left out of this round.
//
// It runs at every new conversation, so it reads the candidates first (usually a
// few rows) and then only as much of the queue as they have room for: a queue of
// ten thousand with nobody taking work automatically costs one small query.
func (d *Desk) autoAssign(ctx context.Context, appID string, except int64) {
	d.assigning.Lock()
	defer d.assigning.Unlock()
	cands, room, err := d.candidates(ctx, appID, except)
	if err != nil {
		d.warn(ctx, "desk: read agents", "err", err)
		return
	}
	if room == 0 {
		return
	}
	waiting, err := d.store.Waiting(ctx, []string{appID}, room)
	if err != nil {
		d.warn(ctx, "desk: read the queue", "err", err)
		return
	}
	for _, r := range waiting {
		c := pick(cands)
		if c == nil {
			return
		}
		ok, err := d.store.Assign(ctx, r.ConversationID, c.agent.ID, d.clock.Now())
		if err != nil {
			d.warn(ctx, "desk: assign", "conversation", r.ConversationID, "err", err)
			return
		}
		if !ok {
			continue // taken meanwhile, by hand or on another node
		}
		c.load++
		c.idle = d.clock.Now()
		d.assigned(c.agent.ID)
		d.publish(kefu.EventConversationAssigned, r, c.agent.ID)
	}
}

// candidates lists the agents of a mini program who take conversations
// automatically now, with their loads, and how many more they can take in all.
func (d *Desk) candidates(ctx context.Context, appID string, except int64) ([]*candidate, int, error) {
	agents, err := d.store.AutoAcceptors(ctx, appID)
	if err != nil || len(agents) == 0 {
		return nil, 0, err
	}
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	load, err := d.store.Loads(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*candidate
	room := 0
	for _, a := range agents {
		if a.ID == except {
			continue
		}
		idle := a.StatusAt
		if t := d.lastAssigned[a.ID]; t.After(idle) {
			idle = t
		}
		out = append(out, &candidate{agent: a, load: load[a.ID], idle: idle})
		room += max(0, a.Capacity-load[a.ID])
	}
	return out, room, nil
}

// pick returns the candidate with room who has the fewest conversations, and of
// those the one idle longest; nil when nobody has room.
func pick(cands []*candidate) *candidate {
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].load != cands[j].load {
			return cands[i].load < cands[j].load
		}
		return cands[i].idle.Before(cands[j].idle)
	})
	for _, c := range cands {
		if c.load < c.agent.Capacity {
			return c
		}
	}
	return nil
}

// warn logs a failure, unless it is only kefu stopping.
func (d *Desk) warn(ctx context.Context, msg string, args ...any) {
	if ctx.Err() == nil {
		d.log.Warn(msg, args...)
	}
}
