package web

import (
	"encoding/json"
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
	for _, e := range past {
		writeEvent(w, e)
	}
	rc.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, open := <-sub.C():
			if !open {
				if sub.Lost() {
					fmt.Fprintf(w, "event: resync\ndata: {}\n\n")
					rc.Flush()
				}
				return
			}
			writeEvent(w, e)
			// Take what else is queued before flushing: a burst goes out together.
			for more := true; more; {
				select {
				case e, open := <-sub.C():
					if !open {
						more = false
						break
					}
					writeEvent(w, e)
				default:
					more = false
				}
			}
			if err := rc.Flush(); err != nil {
				return
			}
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

func writeEvent(w http.ResponseWriter, e kefu.SeqEvent) {
	data, _ := json.Marshal(eventView{Kind: e.Kind, App: e.AppID, OpenID: e.OpenID, Conversation: e.ConversationID,
		Message: e.MessageID, Agent: e.AgentID, At: ms(e.At)})
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Kind, data)
}

// visibleTo reports whether an agent may learn of an event: those of their mini
// programs, and colleagues' status changes (who is online is no secret among
// colleagues).
func visibleTo(a *kefu.Agent, e kefu.Event) bool {
	if e.Kind == kefu.EventAgentStatus {
		return true
	}
	return e.AppID != "" && a.Serves(e.AppID)
}
