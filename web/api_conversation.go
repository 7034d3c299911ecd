package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kefu"
)

// visible returns a conversation's routing if the agent serves its mini program;
// otherwise the same "no such conversation" as for one that does not exist.
func (s *server) visible(ctx context.Context, a *kefu.Agent, r *http.Request) (*kefu.Routing, error) {
	id, err := conversationID(r)
	if err != nil {
		return nil, err
	}
	return kefu.RoutingFor(ctx, s.cfg.Store, a, id)
}

// mineToAnswer returns the conversation if the agent has it: only they reply.
func (s *server) mineToAnswer(ctx context.Context, a *kefu.Agent, r *http.Request) (*kefu.Routing, error) {
	rt, err := s.visible(ctx, a, r)
	if err != nil {
		return nil, err
	}
	if rt.State != kefu.Active || rt.AgentID != a.ID {
		return nil, kefu.Errorf(kefu.EConflict, "only the agent who has this conversation replies in it").WithKey("not_yours")
	}
	return rt, nil
}

type conversationView struct {
	Card     cardView     `json:"card"`
	Customer customerView `json:"customer"`
	Quota    quotaView    `json:"quota"`
}

// conversation is one conversation's header, customer panel and reply window.
func (s *server) conversation(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), agentOf(r)
	rt, err := s.visible(ctx, me, r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	cards, err := s.cfg.Store.Cards(ctx, []*kefu.Routing{rt})
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	c, err := s.cfg.Store.Customer(ctx, rt.AppID, rt.OpenID)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	q, err := s.cfg.Outbound.Quota(ctx, rt.AppID, rt.OpenID)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, conversationView{
		Card: cardViewOf(cards[0]),
		Customer: customerView{App: c.AppID, OpenID: c.OpenID, SessionFrom: c.SessionFrom, FirstSeen: ms(c.FirstSeen),
			LastSeen: ms(c.LastSeen), Conversations: c.Conversations},
		Quota: quotaViewOf(q),
	})
}

// historyPage is how many messages one page of history holds.
const historyPage = 50

// history is a page of the customer's whole history, across their conversations:
// the latest page, or the one before ?before=.
func (s *server) history(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), agentOf(r)
	rt, err := s.visible(ctx, me, r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	before := int64(1 << 62)
	if b := r.URL.Query().Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before <= 0 {
			writeError(w, r, s.log, kefu.Errorf(kefu.EInvalid, "before: want a message id"))
			return
		}
	}
	ms, err := s.cfg.Store.Messages(ctx, kefu.MessageFilter{AppID: rt.AppID, OpenID: rt.OpenID, BeforeID: before, Limit: historyPage})
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	out := struct {
		Messages []messageView `json:"messages"`
		More     bool          `json:"more"` // earlier messages remain
	}{Messages: []messageView{}, More: len(ms) == historyPage}
	for _, m := range ms {
		if m.Kind == kefu.KindOther || m.Kind == kefu.KindDebugDemo {
			continue // not part of the conversation
		}
		out.Messages = append(out.Messages, messageViewOf(m))
	}
	writeJSON(w, out)
}

// sendText queues a text reply. The page gives each send a key, so that a request
// repeated after a lost answer queues nothing twice.
func (s *server) sendText(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
		Key  string `json:"key"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	rt, err := s.mineToAnswer(r.Context(), agentOf(r), r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.send(w, r, rt, kefu.Content{Kind: kefu.KindText, Text: body.Text}, body.Key)
}

// sendImage stores an image the agent chose (or pasted, or dropped) and queues it.
func (s *server) sendImage(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), agentOf(r)
	rt, err := s.mineToAnswer(ctx, me, r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, kefu.MaxImageBytes+64<<10)
	file, _, err := r.FormFile("image")
	if err != nil {
		writeError(w, r, s.log, kefu.Errorf(kefu.EInvalid, "send a JPEG or PNG of at most %d bytes as the form field image", kefu.MaxImageBytes).WithKey("bad_image"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, kefu.MaxImageBytes+1))
	if err != nil {
		writeError(w, r, s.log, kefu.Errorf(kefu.EInvalid, "the image could not be read").WithKey("bad_image"))
		return
	}
	key, err := s.cfg.Outbound.StoreImage(ctx, rt.AppID, data)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.send(w, r, rt, kefu.Content{Kind: kefu.KindImage, Media: key}, r.FormValue("key"))
}

// send queues content in conversation rt, which the agent has (mineToAnswer).
func (s *server) send(w http.ResponseWriter, r *http.Request, rt *kefu.Routing, c kefu.Content, key string) {
	ctx := r.Context()
	req := &kefu.OutboundRequest{AppID: rt.AppID, OpenID: rt.OpenID, Content: c}
	if key = strings.TrimSpace(key); key != "" {
		if len(key) > 64 {
			writeError(w, r, s.log, kefu.Errorf(kefu.EInvalid, "the key is too long"))
			return
		}
		req.Key = "console:" + key
	}
	m, err := s.cfg.Outbound.Enqueue(ctx, req)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, messageViewOf(m))
}

// typing shows or cancels WeChat's typing state to the customer. WeChat allows it
// only within its rules (docs/protocol.md §10.2); a refusal changes nothing and is
// not the agent's concern.
func (s *server) typing(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On bool `json:"on"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	ctx, me := r.Context(), agentOf(r)
	rt, err := s.mineToAnswer(ctx, me, r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if err := s.cfg.Outbound.Typing(ctx, rt.AppID, rt.OpenID, body.On); err != nil {
		s.log.Debug("typing refused", "app", rt.AppID, "err", err)
	}
	s.answer(w, r, nil)
}

// markRead records that the agent has seen the conversation up to a message.
func (s *server) markRead(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID int64 `json:"id"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	ctx, me := r.Context(), agentOf(r)
	rt, err := s.visible(ctx, me, r)
	if err == nil {
		err = s.cfg.Store.MarkRead(ctx, rt.ConversationID, me.ID, body.ID)
	}
	s.answer(w, r, err)
}

// media serves a stored image to an agent of its mini program. The key is random
// and long, and still not enough: an agent sees only their mini programs' images.
func (s *server) media(w http.ResponseWriter, r *http.Request) {
	m, err := s.cfg.Store.Media(r.Context(), r.PathValue("key"))
	if err == nil && !agentOf(r).Serves(m.AppID) {
		err = kefu.Errorf(kefu.ENotFound, "no such image")
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	serveImage(w, r, m)
}
