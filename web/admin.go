package web

import (
	"net/http"
	"strconv"
	"strings"

	"kefu"
	"kefu/auth"
)

// The admin pages' API: agents and mini programs, with the same validation as
// kefu agent and kefu app.

func (s *server) listAgents(w http.ResponseWriter, r *http.Request) {
	agents, err := s.cfg.Store.Agents(r.Context())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	out := []agentView{}
	for _, a := range agents {
		out = append(out, agentViewOf(a))
	}
	writeJSON(w, out)
}

// agentForm is an agent as the admin page sends it.
type agentForm struct {
	Login      string   `json:"login"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Capacity   int      `json:"capacity"`
	AutoAccept bool     `json:"auto_accept"`
	Disabled   bool     `json:"disabled"`
	Apps       []string `json:"apps"`
	Password   string   `json:"password"`
}

func (f agentForm) apply(a *kefu.Agent) {
	a.Name, a.Role, a.Capacity, a.AutoAccept = strings.TrimSpace(f.Name), kefu.Role(f.Role), f.Capacity, f.AutoAccept
	a.Disabled, a.Apps = f.Disabled, f.Apps
}

func (s *server) createAgent(w http.ResponseWriter, r *http.Request) {
	var f agentForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	a := &kefu.Agent{Login: strings.TrimSpace(f.Login)}
	f.apply(a)
	if err := a.Validate(); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	hash, err := newPasswordHash(f.Password)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	a.PasswordHash = hash
	if err := s.cfg.Store.CreateAgent(r.Context(), a); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.log.Info("agent added", "agent", a.ID, "by", agentOf(r).ID)
	writeJSON(w, agentViewOf(a))
}

func (s *server) updateAgent(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), agentOf(r)
	a, err := s.pathAgent(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var f agentForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	wasDisabled := a.Disabled
	f.apply(a)
	if a.ID == me.ID && (a.Disabled || a.Role != kefu.RoleAdmin) {
		writeError(w, r, s.log, kefu.Errorf(kefu.EInvalid, "you cannot disable yourself or give up your own admin role"))
		return
	}
	if err := s.cfg.Store.UpdateAgent(ctx, a); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if a.Disabled && !wasDisabled {
		s.cfg.Store.DeleteSessions(ctx, a.ID) // signed out everywhere
	}
	// Offline if disabled; conversations they may no longer keep back to the queue.
	if err := s.cfg.Desk.AgentChanged(ctx, a); err != nil {
		s.log.Warn("agent changed: the desk", "agent", a.ID, "err", err)
	}
	s.log.Info("agent changed", "agent", a.ID, "by", me.ID)
	writeJSON(w, agentViewOf(a))
}

func (s *server) resetPassword(w http.ResponseWriter, r *http.Request) {
	a, err := s.pathAgent(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var body struct {
		Password string `json:"password"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	hash, err := newPasswordHash(body.Password)
	if err == nil {
		err = s.cfg.Store.SetPassword(r.Context(), a.ID, hash)
	}
	if err == nil && a.ID != agentOf(r).ID {
		err = s.cfg.Store.DeleteSessions(r.Context(), a.ID)
	}
	s.answer(w, r, err)
}

func newPasswordHash(pw string) (string, error) {
	if err := auth.CheckNewPassword(pw); err != nil {
		return "", kefu.Errorf(kefu.EInvalid, "%s", err.Error())
	}
	return auth.HashPassword(pw)
}

func (s *server) pathAgent(r *http.Request) (*kefu.Agent, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, kefu.Errorf(kefu.ENotFound, "no such agent")
	}
	return s.cfg.Store.Agent(r.Context(), id)
}

// adminAppView shows an app with its secrets masked, and the URL to paste into
// WeChat's message push settings.
type adminAppView struct {
	AppID      string `json:"appid"`
	OriginalID string `json:"original_id"`
	Secret     string `json:"secret"`
	Token      string `json:"token"`
	AESKey     string `json:"aes_key"`
	PrevAESKey string `json:"prev_aes_key"`
	Mode       string `json:"mode"`
	Format     string `json:"format"`
	PushURL    string `json:"push_url"`
}

func (s *server) appViewOf(r *http.Request, a *kefu.App) adminAppView {
	return adminAppView{AppID: a.AppID, OriginalID: a.OriginalID, Secret: kefu.Mask(a.Secret), Token: kefu.Mask(a.Token),
		AESKey: kefu.Mask(a.AESKey), PrevAESKey: kefu.Mask(a.PrevAESKey), Mode: string(a.Mode), Format: string(a.Format),
		PushURL: pushURL(r, a.AppID)}
}

// pushURL is where WeChat must push this app's messages: this server, over https
// (WeChat requires it in production; a proxy terminates TLS in front of kefu).
func pushURL(r *http.Request, appID string) string {
	return "https://" + r.Host + "/wx/" + appID
}

func (s *server) listApps(w http.ResponseWriter, r *http.Request) {
	apps, err := s.cfg.Store.Apps(r.Context())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	out := []adminAppView{}
	for _, a := range apps {
		out = append(out, s.appViewOf(r, a))
	}
	writeJSON(w, out)
}

// appForm is a mini program as the admin page sends it; empty secrets in an update
// keep the stored ones.
type appForm struct {
	AppID      string `json:"appid"`
	OriginalID string `json:"original_id"`
	Secret     string `json:"secret"`
	Token      string `json:"token"`
	AESKey     string `json:"aes_key"`
	PrevAESKey string `json:"prev_aes_key"`
	Mode       string `json:"mode"`
	Format     string `json:"format"`
}

func (f appForm) apply(a *kefu.App) error {
	keep := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	a.OriginalID = strings.TrimSpace(f.OriginalID)
	keep(&a.Secret, f.Secret)
	keep(&a.Token, f.Token)
	keep(&a.AESKey, f.AESKey)
	keep(&a.PrevAESKey, f.PrevAESKey)
	mode, err := kefu.ParseMode(f.Mode)
	if err != nil {
		return err
	}
	format, err := kefu.ParseFormat(f.Format)
	if err != nil {
		return err
	}
	a.Mode, a.Format = mode, format
	return nil // the store validates the whole app as it saves it
}

func (s *server) createApp(w http.ResponseWriter, r *http.Request) {
	var f appForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	a := &kefu.App{AppID: strings.TrimSpace(f.AppID)}
	err := f.apply(a)
	if err == nil {
		err = s.cfg.Store.CreateApp(r.Context(), a)
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.log.Info("mini program added", "app", a.AppID, "by", agentOf(r).ID)
	writeJSON(w, s.appViewOf(r, a))
}

func (s *server) updateApp(w http.ResponseWriter, r *http.Request) {
	a, err := s.cfg.Store.App(r.Context(), r.PathValue("appid"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var f appForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	err = f.apply(a)
	if err == nil {
		err = s.cfg.Store.UpdateApp(r.Context(), a)
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.log.Info("mini program changed", "app", a.AppID, "by", agentOf(r).ID)
	writeJSON(w, s.appViewOf(r, a))
}

// workbench is the agents' page; adminPage the admins'.
func (s *server) workbench(w http.ResponseWriter, r *http.Request) {
	s.pages.render(w, r, "workbench", nil, http.StatusOK)
}

func (s *server) adminPage(w http.ResponseWriter, r *http.Request) {
	s.pages.render(w, r, "admin", nil, http.StatusOK)
}
