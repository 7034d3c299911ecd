package web

import "time"

// webhookTimeout bounds a push's arrival and its answer: it is small, and WeChat
// gives up after 5 s.
const webhookTimeout = 10 * time.Second

// routes is every route kefu serves.
func (s *server) routes() {
	s.mux.Handle("/wx/", Deadlines{Read: webhookTimeout, Write: webhookTimeout}.Wrap(s.cfg.Webhook))
	s.mux.Handle("GET /media/{key}", Deadlines{Write: s.cfg.MediaTimeout}.Wrap(s.media()))
	if s.cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", s.cfg.Metrics)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
}
