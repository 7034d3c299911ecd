package web

import (
	"time"
)

// webhookTimeout bounds a push's arrival and its answer: it is small, and WeChat
// gives up after 5 s.
const webhookTimeout = 10 * time.Second

// imageUploadTimeout bounds receiving an agent's image (2 MiB at most).
const imageUploadTimeout = time.Minute

// routes is every route kefu serves. Only WeChat's webhook, the sign-in page,
// health, metrics and the console's static files answer without a session;
// TestEveryRouteNeedsASession holds this list to that.
func (s *server) routes() {
	s.mux.Handle("/wx/", Deadlines{Read: webhookTimeout, Write: webhookTimeout}.Wrap(s.cfg.Webhook))
	if s.cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", s.cfg.Metrics)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /media/{key}", Deadlines{Write: s.cfg.MediaTimeout}.Wrap(s.signedIn(s.media)))
	if s.cfg.Desk == nil {
		return
	}
	s.mux.Handle("GET /static/", s.static())
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.signIn)
	s.mux.HandleFunc("POST /logout", s.signOut)
	s.mux.HandleFunc("GET /{$}", s.signedIn(s.workbench))
	s.mux.HandleFunc("GET /admin", s.adminOnly(s.adminPage))

	s.mux.HandleFunc("GET /console/api/desk", s.signedIn(s.deskState))
	s.mux.HandleFunc("POST /console/api/status", s.signedIn(s.setStatus))
	s.mux.HandleFunc("POST /console/api/auto-accept", s.signedIn(s.setAutoAccept))
	s.mux.HandleFunc("GET /console/api/conversations/{id}", s.signedIn(s.conversation))
	s.mux.HandleFunc("GET /console/api/conversations/{id}/messages", s.signedIn(s.history))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/messages", s.signedIn(s.sendText))
	s.mux.Handle("POST /console/api/conversations/{id}/images", Deadlines{Read: imageUploadTimeout}.Wrap(s.signedIn(s.sendImage)))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/typing", s.signedIn(s.typing))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/read", s.signedIn(s.markRead))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/accept", s.signedIn(s.accept))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/transfer", s.signedIn(s.transfer))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/requeue", s.signedIn(s.requeue))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/close", s.signedIn(s.closeConversation))
	s.mux.HandleFunc("POST /console/api/conversations/{id}/take-over", s.signedIn(s.takeOver))
	s.mux.HandleFunc("GET /console/events", s.signedIn(s.events))

	s.mux.HandleFunc("GET /console/api/admin/agents", s.adminOnly(s.listAgents))
	s.mux.HandleFunc("POST /console/api/admin/agents", s.adminOnly(s.createAgent))
	s.mux.HandleFunc("POST /console/api/admin/agents/{id}", s.adminOnly(s.updateAgent))
	s.mux.HandleFunc("POST /console/api/admin/agents/{id}/password", s.adminOnly(s.resetPassword))
	s.mux.HandleFunc("GET /console/api/admin/apps", s.adminOnly(s.listApps))
	s.mux.HandleFunc("POST /console/api/admin/apps", s.adminOnly(s.createApp))
	s.mux.HandleFunc("POST /console/api/admin/apps/{appid}", s.adminOnly(s.updateApp))
}
