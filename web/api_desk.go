package web

import (
	"context"
	"net/http"
	"strconv"

	"kefu"
)

// appsOf lists the mini programs an agent serves: an admin's are all of them.
func (s *server) appsOf(ctx context.Context, a *kefu.Agent) ([]*kefu.App, error) {
	all, err := s.cfg.Store.Apps(ctx)
	if err != nil {
		return nil, err
	}
	var out []*kefu.App
	for _, app := range all {
		if a.Serves(app.AppID) {
			out = append(out, app)
		}
	}
	return out, nil
}

type appView struct {
	AppID      string `json:"appid"`
	OriginalID string `json:"original_id"`
}

type deskView struct {
	Seq     uint64      `json:"seq"`
	Me      agentView   `json:"me"`
	Apps    []appView   `json:"apps"`
	Agents  []agentView `json:"agents"`
	Waiting []cardView  `json:"waiting"` // the head of the queue, queueShown at most
	// WaitingTotal is the whole queue's length.
	WaitingTotal int        `json:"waiting_total"`
	Mine         []cardView `json:"mine"`
	Others       []cardView `json:"others"` // admins: other agents' active conversations
}

// queueShown is how much of the queue the workbench lists: enough for anyone to
// pick from, and a flood of new conversations does not make every agent's
// page load thousands of cards. The count says how many wait in all.
const queueShown = 200

// deskState is everything the workbench shows at once. The event number comes
// first: events after it replay on the stream, so nothing falls between.
func (s *server) deskState(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), agentOf(r)
	v := deskView{Seq: s.cfg.Feed.Last(), Me: agentViewOf(me), Apps: []appView{}, Agents: []agentView{},
		Waiting: []cardView{}, Mine: []cardView{}, Others: []cardView{}}
	apps, err := s.appsOf(ctx, me)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var ids []string
	for _, a := range apps {
		ids = append(ids, a.AppID)
		v.Apps = append(v.Apps, appView{AppID: a.AppID, OriginalID: a.OriginalID})
	}
	agents, err := s.cfg.Store.Agents(ctx)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	for _, a := range agents {
		if a.Disabled || !sharesApp(a, ids) {
			continue
		}
		v.Agents = append(v.Agents, agentViewOf(a))
	}
	waiting, err := s.cfg.Store.Waiting(ctx, ids, queueShown)
	if err == nil {
		v.WaitingTotal, err = s.cfg.Store.CountWaiting(ctx, ids)
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	whose := me.ID
	if me.Role == kefu.RoleAdmin {
		whose = 0 // everyone's: an admin sees the other agents' conversations too
	}
	active, err := s.cfg.Store.ActiveRoutings(ctx, whose)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var mine, others []*kefu.Routing
	for _, rt := range active {
		switch {
		case rt.AgentID == me.ID:
			mine = append(mine, rt)
		case me.Role == kefu.RoleAdmin:
			others = append(others, rt)
		}
	}
	for _, list := range []struct {
		rs  []*kefu.Routing
		out *[]cardView
	}{{waiting, &v.Waiting}, {mine, &v.Mine}, {others, &v.Others}} {
		cards, err := s.cfg.Store.Cards(ctx, list.rs)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		for _, c := range cards {
			*list.out = append(*list.out, cardViewOf(c))
		}
	}
	writeJSON(w, v)
}

// sharesApp reports whether agent a serves any of the mini programs ids: a
// colleague.
func sharesApp(a *kefu.Agent, ids []string) bool {
	for _, id := range ids {
		if a.Serves(id) {
			return true
		}
	}
	return false
}

// setStatus changes the signed-in agent's status.
func (s *server) setStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	p, err := kefu.ParsePresence(body.Status)
	if err == nil {
		err = s.cfg.Desk.SetStatus(r.Context(), agentOf(r), p)
	}
	s.answer(w, r, err)
}

// setAutoAccept turns the signed-in agent's auto-accept on or off.
func (s *server) setAutoAccept(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On bool `json:"on"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.answer(w, r, s.cfg.Desk.SetAutoAccept(r.Context(), agentOf(r), body.On))
}

// answer ends an action: {"ok":true}, or the error.
func (s *server) answer(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, map[string]bool{"ok": true})
}

// conversationID reads the {id} of the path.
func conversationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kefu.Errorf(kefu.ENotFound, "no such conversation").WithKey("not_found")
	}
	return id, nil
}

// action runs a desk action on the path's conversation.
func (s *server) action(w http.ResponseWriter, r *http.Request, fn func(a *kefu.Agent, id int64) error) {
	id, err := conversationID(r)
	if err == nil {
		err = fn(agentOf(r), id)
	}
	s.answer(w, r, err)
}

func (s *server) accept(w http.ResponseWriter, r *http.Request) {
	s.action(w, r, func(a *kefu.Agent, id int64) error { return s.cfg.Desk.Accept(r.Context(), a, id) })
}

func (s *server) requeue(w http.ResponseWriter, r *http.Request) {
	s.action(w, r, func(a *kefu.Agent, id int64) error { return s.cfg.Desk.Requeue(r.Context(), a, id) })
}

func (s *server) takeOver(w http.ResponseWriter, r *http.Request) {
	s.action(w, r, func(a *kefu.Agent, id int64) error { return s.cfg.Desk.TakeOver(r.Context(), a, id) })
}

func (s *server) transfer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To int64 `json:"to"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.action(w, r, func(a *kefu.Agent, id int64) error { return s.cfg.Desk.Transfer(r.Context(), a, id, body.To) })
}

func (s *server) closeConversation(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Seen int64 `json:"seen"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.action(w, r, func(a *kefu.Agent, id int64) error { return s.cfg.Desk.Close(r.Context(), a, id, body.Seen) })
}
