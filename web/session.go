package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"kefu"
	"kefu/auth"
)

// SessionCookie is the name of the cookie that holds the session token; the store
// keeps only its hash.
const SessionCookie = "kefu_session"

// touchEvery is how often a session's last activity is written: not on every
// request, which would be a write per click.
const touchEvery = time.Minute

type ctxKey int

const agentKey ctxKey = 0

// agentOf is the signed-in agent of a request that went through signedIn.
func agentOf(r *http.Request) *kefu.Agent { return r.Context().Value(agentKey).(*kefu.Agent) }

// session returns the agent signed in on r, or nil: no cookie, an unknown token, a
// session past its idle or absolute expiry, or a disabled agent.
func (s *server) session(r *http.Request) (*kefu.Agent, *kefu.Session) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	ctx := r.Context()
	ses, err := s.cfg.Store.Session(ctx, auth.TokenHash(c.Value))
	if err != nil {
		return nil, nil
	}
	now := s.clock.Now()
	if now.After(ses.ExpiresAt) || now.Sub(ses.SeenAt) > s.cfg.SessionIdle {
		s.cfg.Store.DeleteSession(ctx, ses.TokenHash)
		return nil, nil
	}
	a, err := s.cfg.Store.Agent(ctx, ses.AgentID)
	if err != nil || a.Disabled {
		return nil, nil
	}
	if now.Sub(ses.SeenAt) >= touchEvery {
		s.cfg.Store.TouchSession(ctx, ses.TokenHash, now)
	}
	return a, ses
}

// signedIn lets a request through only with a session, the agent then in its
// context; without one it answers 401.
func (s *server) signedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, _ := s.session(r)
		if a == nil {
			writeJSONError(w, r, s.log, kefu.Errorf(kefu.EUnauthorized, "sign in first"), http.StatusUnauthorized)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), agentKey, a)))
	}
}

// page is signedIn for a page a person opens: without a session the browser is
// sent to sign in; an agent who may not see the page (an admin's) is told so in
// words, not in the API's JSON.
func (s *server) page(need access, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, _ := s.session(r)
		switch {
		case a == nil:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case need == admins && a.Role != kefu.RoleAdmin:
			setPageHeaders(w.Header())
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, translate(langOf(w, r), "err_admins_only")+"\n")
		default:
			h(w, r.WithContext(context.WithValue(r.Context(), agentKey, a)))
		}
	}
}

// adminOnly is signedIn for admins.
func (s *server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if agentOf(r).Role != kefu.RoleAdmin {
			writeError(w, r, s.log, kefu.Errorf(kefu.EUnauthorized, "only admins may do this").WithKey("admins_only"))
			return
		}
		h(w, r)
	})
}

// setSessionCookie gives the browser its token: HttpOnly (no script reads it),
// SameSite=Lax (no other site's form posts it), Secure over TLS.
func (s *server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies || r.TLS != nil,
	})
}
