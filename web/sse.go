package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"kefu"
)

// heartbeat keeps an idle stream's connection (and the proxies on its way) alive,
// and lets a dead one be noticed.
const heartbeat = 25 * time.Second

// streamBuffer is how many events a stream may fall behind by before it is dropped
// and told to reload: ingest never waits for a slow browser.
const streamBuffer = 256

// flushGap is the least time between two writes to a stream. A quiet stream
// writes each event at once; a busy one (hundreds of events a second) sends
// them in bursts of up to this long, one system call each rather than one per
// event, which is most of what a busy stream costs the server. People do not
// see 20 ms.
const flushGap = 20 * time.Millisecond

// eventView is what a stream says of an event: what changed, by ids; the page
// reads the rows it needs.
type eventView struct {
	Kind         kefu.EventKind `json:"kind"`
	App          string         `json:"app,omitempty"`
	OpenID       string         `json:"openid,omitempty"`
	Conversation int64          `json:"conversation,omitempty"`
	Message      int64          `json:"message,omitempty"`
	Agent        int64          `json:"agent,omitempty"`
	At           int64          `json:"at"`
}

// events is the workbench's Server-Sent Events stream: every change the agent may
// see, from the event after Last-Event-ID when the browser reconnects. When those
// are gone (or the stream falls behind), it says "resync" and the page reloads
// its state over HTTP instead, so nothing is missed either way.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	me := agentOf(r)
	rc := http.NewResponseController(w)
	// A stream lasts as long as the agent works: no write deadline, a heartbeat.
	rc.SetWriteDeadline(time.Time{})
	after, hasAfter := lastEventID(r)
	if !hasAfter {
		after = s.cfg.Feed.Last()
	}
	past, sub, ok := s.cfg.Feed.Follow(after, streamBuffer, func(e kefu.SeqEvent) bool { return visibleTo(me, e.Event) })
	defer sub.Close()
	s.cfg.Desk.Connected(me.ID)
	defer s.cfg.Desk.Disconnected(me.ID)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")
	if !ok {
		fmt.Fprintf(w, "event: resync\ndata: {}\n\n")
	}
	var burst []byte
	for _, e := range past {
		burst = append(burst, s.frames.of(e)...)
	}
	w.Write(burst)
	rc.Flush()
	lastWrite := time.Now()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.cfg.Closing:
			return
		case e, open := <-sub.C():
			if !open {
				if sub.Lost() {
					fmt.Fprintf(w, "event: resync\ndata: {}\n\n")
					rc.Flush()
				}
				return
			}
			// A burst goes out in one write: what else is queued, and what arrives
			// until flushGap has passed since the last write.
			burst = append(burst[:0], s.frames.of(e)...)
			burst = s.collect(r.Context(), sub, burst, lastWrite.Add(flushGap))
			if _, err := w.Write(burst); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			lastWrite = time.Now()
		case <-tick.C:
			// A session signed out or an agent disabled or given other mini
			// programs ends the stream; the page reconnects with what now holds.
			if now, _ := s.session(r); now == nil || now.Role != me.Role || !slices.Equal(now.Apps, me.Apps) {
				fmt.Fprintf(w, "event: resync\ndata: {}\n\n")
				rc.Flush()
				return
			}
			fmt.Fprintf(w, ": keep-alive\n\n")
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// collect waits until the deadline (events queue on sub meanwhile, waking
// nobody), then appends to burst the frames of all that are queued. It stops at
// a closed sub (the caller finds out on its next receive).
func (s *server) collect(ctx context.Context, sub kefu.Subscription, burst []byte, until time.Time) []byte {
	if wait := time.Until(until); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	for {
		select {
		case e, open := <-sub.C():
			if !open {
				return burst
			}
			burst = append(burst, s.frames.of(e)...)
		default:
			return burst
		}
	}
}

// lastEventID reads where a reconnecting stream stopped: the Last-Event-ID header
// the browser sends, or ?after= for a page that opens a stream after reading its
// state.
func lastEventID(r *http.Request) (uint64, bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// visibleTo reports whether an agent may learn of an event: those of their mini
// programs, and colleagues' status changes (who is online is no secret among
// colleagues).
func visibleTo(a *kefu.Agent, e kefu.Event) bool {
	switch e.Kind {
	case kefu.EventAgentStatus:
		return true
	case kefu.EventConversationOpened:
		// Not for pages: the desk follows it with conversation.queued or
		// .assigned, which is what an agent sees.
		return false
	}
	return e.AppID != "" && a.Serves(e.AppID)
}
