package web

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// healthz answers while the process runs.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 only while the store can commit (a load balancer then sends
// pushes elsewhere when it cannot).
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		http.Error(w, "the database cannot commit now", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}
