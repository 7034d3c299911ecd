package web

import (
	"net/http"
	"time"
)

// webhookTimeout bounds a push's arrival and its answer: it is small, and WeChat
// gives up after 5 s.
const webhookTimeout = 10 * time.Second

// imageUploadTimeout bounds receiving an agent's image (2 MiB at most).
const imageUploadTimeout = time.Minute

// access says who may use a route.
type access int

const (
	public access = iota // anyone: WeChat's pushes, sign-in, health, metrics, static files
	agents               // a signed-in agent
	admins               // a signed-in admin
)

// route is one route kefu serves.
type route struct {
	pattern string
	access  access
	handler http.Handler
}

// routes is every route kefu serves, in one table, so that a test can hold each
// to its access: nothing but WeChat's webhook, sign-in, health, metrics and the
// console's scripts and styles answers without a session.
func (s *server) routes() []route {
	h := func(f http.HandlerFunc) http.Handler { return f }
	rs := []route{
		{"/wx/", public, Deadlines{Read: webhookTimeout, Write: webhookTimeout}.Wrap(s.cfg.Webhook)},
		{"GET /healthz", public, h(s.healthz)},
		{"GET /readyz", public, h(s.readyz)},
		{"GET " + mediaPath + "{key}", agents, Deadlines{Write: s.cfg.MediaTimeout}.Wrap(s.signedIn(s.media))},
	}
	if s.cfg.Metrics != nil {
		rs = append(rs, route{"GET /metrics", public, s.cfg.Metrics})
	}
	if s.cfg.Desk == nil {
		return rs
	}
	agent := func(pattern string, f http.HandlerFunc) route { return route{pattern, agents, s.signedIn(f)} }
	admin := func(pattern string, f http.HandlerFunc) route { return route{pattern, admins, s.adminOnly(f)} }
	return append(rs,
		route{"GET /static/", public, s.static()},
		route{"GET /login", public, h(s.loginPage)},
		route{"POST /login", public, h(s.signIn)},
		route{"POST /logout", public, h(s.signOut)},
		route{"GET /{$}", agents, s.page(agents, s.workbench)},
		route{"GET /admin", admins, s.page(admins, s.adminPage)},

		agent("GET /console/api/desk", s.deskState),
		agent("POST /console/api/status", s.setStatus),
		agent("POST /console/api/auto-accept", s.setAutoAccept),
		agent("GET /console/api/conversations/{id}", s.conversation),
		agent("GET /console/api/conversations/{id}/messages", s.history),
		agent("POST /console/api/conversations/{id}/messages", s.sendText),
		route{"POST /console/api/conversations/{id}/images", agents, Deadlines{Read: imageUploadTimeout}.Wrap(s.signedIn(s.sendImage))},
		agent("POST /console/api/conversations/{id}/typing", s.typing),
		agent("POST /console/api/conversations/{id}/read", s.markRead),
		agent("POST /console/api/conversations/{id}/accept", s.accept),
		agent("POST /console/api/conversations/{id}/transfer", s.transfer),
		agent("POST /console/api/conversations/{id}/requeue", s.requeue),
		agent("POST /console/api/conversations/{id}/close", s.closeConversation),
		agent("POST /console/api/conversations/{id}/take-over", s.takeOver),
		agent("GET /console/events", s.events),

		admin("GET /console/api/admin/agents", s.listAgents),
		admin("POST /console/api/admin/agents", s.createAgent),
		admin("POST /console/api/admin/agents/{id}", s.updateAgent),
		admin("POST /console/api/admin/agents/{id}/password", s.resetPassword),
		admin("GET /console/api/admin/apps", s.listApps),
		admin("POST /console/api/admin/apps", s.createApp),
		admin("POST /console/api/admin/apps/{appid}", s.updateApp),
	)
}
