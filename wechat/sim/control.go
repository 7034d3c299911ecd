package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The control API: JSON over HTTP through which the phone page — and any script or
// test — makes simulated users act and reads what they saw. Served by Control under
// /sim/api/; every other path goes to the Simulator (WeChat API paths, /media/) or,
// for GET /, to the phone page. POSTs are guarded by http.CrossOriginProtection.
//
//	GET  /sim/api/users
//	     {"apps":[{"appid","original_id","mode","format","url",
//	               "users":[{"openid","entries","typing"}]}]}
//	POST /sim/api/apps/{appid}/users                  {"openid"}  add a user who has not acted yet
//	POST /sim/api/apps/{appid}/users/{openid}/enter   {"session_from"}
//	POST /sim/api/apps/{appid}/users/{openid}/text    {"content"}
//	POST /sim/api/apps/{appid}/users/{openid}/image   raw image body (Content-Type image/…),
//	                                                  or {"data": base64, "content_type"}
//	POST /sim/api/apps/{appid}/users/{openid}/card    {"title","pagepath","thumb": base64 (optional)}
//	     each action answers when its push has ended: {"outcome","msgid","attempts"}
//	     (422 with {"error"} when the user may not act, e.g. an unknown app)
//	GET  /sim/api/apps/{appid}/users/{openid}/chat
//	     {"appid","openid","entries":[ChatEntry…],"typing":bool,"typing_ms":N,
//	      "quota":{"open","remaining","expires_at"}}
//	     entries are Chat: {"at","sent"|"received"|"notice"}; an image received names
//	     its bytes by media_id, served at /media/{media_id}
//	GET  /sim/api/faults   the API server's faults now
//	PUT  /sim/api/faults   {"system_error_share","latency_ms","daily_send_limit","drop_send_reply_share"}
//	     replaces them while running (shares 0..1; 0 turns a fault off)
//	GET  /sim/api/events
//	     Server-Sent Events; each event's data is {"appid","openid"}, its name one of
//	     chat (a new or completed entry: an action, a notice), delivery (a send API
//	     delivery), typing (the indicator switched on or off), users (a user added).
//	     Events say what changed, not the new state: read it with chat. A client that
//	     reconnects reloads everything, so nothing is missed.

// Event is one change announced on /sim/api/events.
type Event struct {
	Name   string `json:"-"` // chat, delivery, typing or users
	AppID  string `json:"appid"`
	OpenID string `json:"openid"`
}

// Control serves the control API and the phone page in front of a Simulator.
type Control struct {
	s    *Simulator
	mux  *http.ServeMux
	prot *http.CrossOriginProtection

	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// NewControlled returns a Simulator and its Control. The API's OnDelivery and
// OnTyping hooks in opts are kept and chained after the ones that feed the event
// stream.
func NewControlled(opts Options) (*Simulator, *Control) {
	c := &Control{subs: make(map[chan Event]struct{})}
	onDelivery, onTyping := opts.API.OnDelivery, opts.API.OnTyping
	opts.API.OnDelivery = func(appID, openID string, d Delivery) {
		c.publish(Event{Name: "delivery", AppID: appID, OpenID: openID})
		if onDelivery != nil {
			onDelivery(appID, openID, d)
		}
	}
	opts.API.OnTyping = func(appID, openID string, until time.Time) {
		c.publish(Event{Name: "typing", AppID: appID, OpenID: openID})
		if onTyping != nil {
			onTyping(appID, openID, until)
		}
	}
	onChat := opts.OnChat
	opts.OnChat = func(appID, openID string) {
		c.publish(Event{Name: "chat", AppID: appID, OpenID: openID})
		if onChat != nil {
			onChat(appID, openID)
		}
	}
	c.s = New(opts)
	c.prot = http.NewCrossOriginProtection()
	c.routes()
	return c.s, c
}

// Simulator returns the simulator behind c.
func (c *Control) Simulator() *Simulator { return c.s }

func (c *Control) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /sim/api/users", c.serveUsers)
	m.HandleFunc("POST /sim/api/apps/{appid}/users", c.serveAddUser)
	m.HandleFunc("POST /sim/api/apps/{appid}/users/{openid}/{action}", c.serveAction)
	m.HandleFunc("GET /sim/api/apps/{appid}/users/{openid}/chat", c.serveChat)
	m.HandleFunc("GET /sim/api/events", c.serveEvents)
	m.HandleFunc("GET /sim/api/faults", c.serveFaults)
	m.HandleFunc("PUT /sim/api/faults", c.serveSetFaults)
	m.HandleFunc("/sim/", func(w http.ResponseWriter, r *http.Request) {
		ctlJSON(w, http.StatusNotFound, map[string]string{"error": "no such control path"})
	})
	c.phoneRoutes(m)
	m.Handle("/", c.s)
	c.mux = m
}

// ServeHTTP serves the control API, the phone page, and the Simulator's own paths.
func (c *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sim/") {
		if err := c.prot.Check(r); err != nil {
			ctlJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
			return
		}
	}
	c.mux.ServeHTTP(w, r)
}

func (c *Control) publish(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs {
		select {
		case ch <- e:
		default:
			// A subscriber this far behind is dropped; its page reconnects and
			// reloads everything.
			delete(c.subs, ch)
			close(ch)
		}
	}
}

func (c *Control) subscribe() chan Event {
	ch := make(chan Event, 64)
	c.mu.Lock()
	c.subs[ch] = struct{}{}
	c.mu.Unlock()
	return ch
}

func (c *Control) unsubscribe(ch chan Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[ch]; ok {
		delete(c.subs, ch)
		close(ch)
	}
}

type userJSON struct {
	OpenID  string `json:"openid"`
	Entries int    `json:"entries"`
	Typing  bool   `json:"typing"`
}

type appJSON struct {
	AppID      string     `json:"appid"`
	OriginalID string     `json:"original_id"`
	Mode       string     `json:"mode"`
	Format     string     `json:"format"`
	URL        string     `json:"url"`
	Users      []userJSON `json:"users"`
}

// Users lists the configured apps and their simulated users, ordered by appid and
// openid.
func (c *Control) users() []appJSON {
	eps := c.s.Endpoints()
	out := make([]appJSON, 0, len(eps))
	c.s.mu.Lock()
	for _, ep := range eps {
		a := appJSON{AppID: ep.App.AppID, OriginalID: ep.App.OriginalID, Mode: string(ep.App.Mode),
			Format: string(ep.App.Format), URL: ep.URL, Users: []userJSON{}}
		for k, u := range c.s.users {
			if k.appID == ep.App.AppID {
				a.Users = append(a.Users, userJSON{OpenID: k.openID, Entries: len(u.chat)})
			}
		}
		slices.SortFunc(a.Users, func(x, y userJSON) int { return strings.Compare(x.OpenID, y.OpenID) })
		out = append(out, a)
	}
	c.s.mu.Unlock()
	for i := range out {
		for j := range out[i].Users {
			out[i].Users[j].Typing = c.s.api.Typing(out[i].AppID, out[i].Users[j].OpenID)
		}
	}
	return out
}

func (c *Control) serveUsers(w http.ResponseWriter, r *http.Request) {
	ctlJSON(w, http.StatusOK, map[string]any{"apps": c.users()})
}

// AddUser makes openID a user of appID who has not acted yet, so a page can list
// them before they enter the chat.
func (c *Control) AddUser(appID, openID string) error {
	if openID == "" || strings.ContainsAny(openID, "/ \t\r\n") {
		return errors.New("sim: openid must be non-empty and contain no slash or white space")
	}
	if _, err := c.s.endpoint(appID); err != nil {
		return err
	}
	// The user is the app's from now on: WeChat's API answers them 45015, not 40003.
	if err := c.s.api.AddUser(appID, openID); err != nil {
		return err
	}
	c.s.mu.Lock()
	c.s.user(userKey{appID, openID})
	c.s.mu.Unlock()
	c.publish(Event{Name: "users", AppID: appID, OpenID: openID})
	return nil
}

func (c *Control) serveAddUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OpenID string `json:"openid"`
	}
	if !ctlReadJSON(w, r, &body) {
		return
	}
	if err := c.AddUser(r.PathValue("appid"), strings.TrimSpace(body.OpenID)); err != nil {
		ctlJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	ctlJSON(w, http.StatusOK, map[string]string{"openid": strings.TrimSpace(body.OpenID)})
}

// maxControlBody bounds control request bodies (an image is the largest).
const maxControlBody = 20 << 20

func (c *Control) serveAction(w http.ResponseWriter, r *http.Request) {
	appID, openID := r.PathValue("appid"), r.PathValue("openid")
	var (
		res PushResult
		err error
	)
	// The action runs to its end even if the page goes away: a push WeChat started
	// is not cancelled by the user closing the chat.
	ctx := context.WithoutCancel(r.Context())
	switch r.PathValue("action") {
	case "enter":
		var body struct {
			SessionFrom string `json:"session_from"`
		}
		if !ctlReadJSON(w, r, &body) {
			return
		}
		res, err = c.s.Enter(ctx, appID, openID, body.SessionFrom)
	case "text":
		var body struct {
			Content string `json:"content"`
		}
		if !ctlReadJSON(w, r, &body) {
			return
		}
		res, err = c.s.Text(ctx, appID, openID, body.Content)
	case "image":
		data, ctype, ok := readImage(w, r)
		if !ok {
			return
		}
		res, err = c.s.Image(ctx, appID, openID, data, ctype)
	case "card":
		var body struct {
			Title    string `json:"title"`
			PagePath string `json:"pagepath"`
			Thumb    []byte `json:"thumb"` // base64 in JSON
		}
		if !ctlReadJSON(w, r, &body) {
			return
		}
		res, err = c.s.Card(ctx, appID, openID, body.Title, body.PagePath, body.Thumb)
	default:
		ctlJSON(w, http.StatusNotFound, map[string]string{"error": "unknown action: want enter, text, image or card"})
		return
	}
	if err != nil && res.Outcome == "" {
		ctlJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	out := map[string]any{"outcome": res.Outcome, "msgid": res.MsgID, "attempts": res.Attempts}
	if err != nil {
		out["error"] = err.Error()
	}
	ctlJSON(w, http.StatusOK, out)
}

// readImage takes a raw image body, or JSON {"data": base64, "content_type"}.
func readImage(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	ctype := r.Header.Get("Content-Type")
	if strings.HasPrefix(ctype, "application/json") {
		var body struct {
			Data        string `json:"data"`
			ContentType string `json:"content_type"`
		}
		if !ctlReadJSON(w, r, &body) {
			return nil, "", false
		}
		data, err := base64.StdEncoding.DecodeString(body.Data)
		if err != nil || len(data) == 0 {
			ctlJSON(w, http.StatusBadRequest, map[string]string{"error": "data: want non-empty base64"})
			return nil, "", false
		}
		return data, body.ContentType, true
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil || len(data) == 0 {
		ctlJSON(w, http.StatusBadRequest, map[string]string{"error": "want a non-empty image body"})
		return nil, "", false
	}
	if !strings.HasPrefix(ctype, "image/") {
		ctype = ""
	}
	return data, ctype, true
}

// ChatView is a user's chat as the control API returns it.
type ChatView struct {
	AppID    string      `json:"appid"`
	OpenID   string      `json:"openid"`
	Entries  []ChatEntry `json:"entries"`
	Typing   bool        `json:"typing"`
	TypingMS int64       `json:"typing_ms"` // how long the indicator still shows, by the simulator's clock
	Quota    struct {
		Open      bool      `json:"open"`
		Remaining int       `json:"remaining"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"quota"`
}

// ChatView returns the user's chat with their typing indicator and reply window.
func (c *Control) ChatView(appID, openID string) ChatView {
	v := ChatView{AppID: appID, OpenID: openID, Entries: c.s.Chat(appID, openID)}
	if v.Entries == nil {
		v.Entries = []ChatEntry{}
	}
	api := c.s.api
	api.mu.Lock()
	if u := api.lookupUser(appID, openID); u != nil {
		if left := u.typingUntil.Sub(api.now()); left > 0 {
			v.Typing, v.TypingMS = true, left.Milliseconds()
		}
	}
	api.mu.Unlock()
	q := api.Quota(appID, openID)
	v.Quota.Open, v.Quota.Remaining, v.Quota.ExpiresAt = q.Open, q.Remaining, q.ExpiresAt
	return v
}

func (c *Control) serveChat(w http.ResponseWriter, r *http.Request) {
	appID := r.PathValue("appid")
	if _, err := c.s.endpoint(appID); err != nil {
		ctlJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	ctlJSON(w, http.StatusOK, c.ChatView(appID, r.PathValue("openid")))
}

// serveEvents streams Events until the client leaves or the server's base context
// ends (kefu sim sets it, so a shutdown is not held up by open streams).
func (c *Control) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := c.subscribe()
	defer c.unsubscribe(ch)
	fmt.Fprint(w, "retry: 1000\nevent: hello\ndata: {}\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case e, ok := <-ch:
			if !ok {
				return
			}
			b, _ := json.Marshal(e)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Name, b)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

func ctlReadJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		ctlJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
		return false
	}
	return true
}

func ctlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// faultsJSON is Faults on the control API, with latency in milliseconds.
type faultsJSON struct {
	SystemErrorShare   float64 `json:"system_error_share"`
	LatencyMS          int64   `json:"latency_ms"`
	DailySendLimit     int     `json:"daily_send_limit"`
	DropSendReplyShare float64 `json:"drop_send_reply_share"`
}

func (c *Control) serveFaults(w http.ResponseWriter, r *http.Request) {
	f := c.s.API().Faults()
	ctlJSON(w, http.StatusOK, faultsJSON{f.SystemErrorShare, f.Latency.Milliseconds(), f.DailySendLimit, f.DropSendReplyShare})
}

func (c *Control) serveSetFaults(w http.ResponseWriter, r *http.Request) {
	var f faultsJSON
	if !ctlReadJSON(w, r, &f) {
		return
	}
	share := func(x float64) bool { return x >= 0 && x <= 1 }
	if !share(f.SystemErrorShare) || !share(f.DropSendReplyShare) || f.LatencyMS < 0 || f.DailySendLimit < 0 {
		ctlJSON(w, http.StatusBadRequest, map[string]string{"error": "shares must be within 0..1, latency and limit not negative"})
		return
	}
	c.s.API().SetFaults(Faults{SystemErrorShare: f.SystemErrorShare, Latency: time.Duration(f.LatencyMS) * time.Millisecond,
		DailySendLimit: f.DailySendLimit, DropSendReplyShare: f.DropSendReplyShare})
	c.serveFaults(w, r)
}
