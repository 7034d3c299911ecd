package web

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"kefu"
	"kefu/auth"
)

// Sign-in limits: a login is refused after 5 failures within 15 minutes, an
// address after 20 (one office behind one address has many agents).
const (
	maxLoginFailures = 5
	maxAddrFailures  = 20
	failureWindow    = 15 * time.Minute
)

// loginPage shows the sign-in form.
func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	if a, _ := s.session(r); a != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.pages.render(w, r, "login", loginData{Next: safeNext(r.URL.Query().Get("next"))}, http.StatusOK)
}

type loginData struct {
	Next, Login, Error string
}

// signIn checks a login and password and starts a session. Failures are counted
// per login and per address; past the limit the form says how long to wait.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	data := loginData{Next: safeNext(r.PostFormValue("next")), Login: login}
	lang := langOf(w, r)
	tr := func(key string) string { return translate(lang, key) }
	now := s.clock.Now()
	addr := clientAddr(r)
	// Each attempt counts as a failure from the start, and is forgiven when the
	// password is right: attempts made at once cannot all pass the limit.
	key := strings.ToLower(login)
	okAddr, waitAddr := s.addrs.Take(addr, now)
	okLogin, waitLogin := s.logins.Take(key, now)
	if !okAddr || !okLogin {
		if okAddr {
			s.addrs.Forgive(addr) // no password was checked
		}
		if okLogin {
			s.logins.Forgive(key)
		}
		wait := max(waitAddr, waitLogin)
		data.Error = fmt.Sprintf(tr("too_many_attempts"), int(math.Ceil(wait.Minutes())))
		s.log.Warn("sign-in refused: too many failures", "remote", addr)
		s.pages.render(w, r, "login", data, http.StatusTooManyRequests)
		return
	}
	a, err := s.cfg.Store.AgentByLogin(r.Context(), login)
	ok := false
	if err == nil {
		ok, _ = auth.CheckPassword(a.PasswordHash, password)
	} else {
		auth.SpendCheckTime(password) // unknown logins take as long as known ones
	}
	if !ok {
		data.Error = tr("bad_login")
		s.pages.render(w, r, "login", data, http.StatusUnauthorized)
		return
	}
	s.addrs.Forgive(addr)
	s.logins.Reset(key)
	if a.Disabled {
		data.Error = tr("disabled_login")
		s.pages.render(w, r, "login", data, http.StatusForbidden)
		return
	}
	token, hash := auth.NewToken()
	ses := &kefu.Session{TokenHash: hash, AgentID: a.ID, CreatedAt: now, SeenAt: now,
		ExpiresAt: now.Add(s.cfg.SessionMax), Addr: addr, UserAgent: truncate(r.UserAgent(), 200)}
	if err := s.cfg.Store.CreateSession(r.Context(), ses); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.setSessionCookie(w, r, token, int(s.cfg.SessionMax.Seconds()))
	// Signing in is coming to work: an offline agent is online from now, as in
	// WeChat's own tool (one who chose "away" stays away).
	if a.Status == kefu.Offline {
		if err := s.cfg.Desk.SetStatus(r.Context(), a, kefu.Online); err != nil {
			s.log.Warn("sign-in: set online", "agent", a.ID, "err", err)
		}
	}
	s.log.Info("signed in", "agent", a.ID)
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// signOut ends the session and takes the agent offline: their conversations go
// back to the queue.
func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	a, ses := s.session(r)
	if ses != nil {
		s.cfg.Store.DeleteSession(r.Context(), ses.TokenHash)
		if err := s.cfg.Desk.SetStatus(r.Context(), a, kefu.Offline); err != nil {
			s.log.Warn("sign-out: going offline", "agent", a.ID, "err", err)
		}
	}
	s.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a redirect target on this server: a path, never another origin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || len(next) > 512 {
		return "/"
	}
	return next
}

// clientAddr is the address a request came from (without its port).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
