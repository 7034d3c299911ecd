package sim

import (
	"embed"
	"html/template"
	"net/http"
)

// The phone page: the simulated users and, for the one selected, the chat as they
// see it, live over /sim/api/events. One html/template page and one vanilla ES
// module, embedded; no build step.

//go:embed phone
var phoneFS embed.FS

var phoneTmpl = template.Must(template.ParseFS(phoneFS, "phone/index.html"))

func (c *Control) phoneRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /{$}", c.servePhone)
	m.Handle("GET /sim/static/", http.StripPrefix("/sim/static/", http.FileServerFS(mustSub(phoneFS, "phone"))))
}

func (c *Control) servePhone(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	phoneTmpl.Execute(w, map[string]any{"Apps": c.users()})
}
