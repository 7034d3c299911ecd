package web

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"

	"kefu"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages renders the console's HTML pages. The pages are shells: the scripts build
// what changes (lists, messages) from the console's JSON API, always as text.
type pages struct {
	byLang map[string]langPages
}

// langPages are the templates of one language, with its catalog as JSON for the
// scripts: made once, at start.
type langPages struct {
	tmpl    *template.Template
	strings string
}

func loadPages() *pages {
	p := &pages{byLang: map[string]langPages{}}
	for lang := range catalog {
		t := template.Must(template.New("").Funcs(template.FuncMap{
			"t": func(key string) string { return translate(lang, key) },
		}).ParseFS(templateFiles, "templates/*.html"))
		strs, _ := json.Marshal(catalog[lang])
		p.byLang[lang] = langPages{tmpl: t, strings: string(strs)}
	}
	return p
}

// pageData is what every page gets.
type pageData struct {
	Lang      string
	OtherLang string
	Strings   string // the catalog of Lang as JSON, for the scripts
	Me        *kefu.Agent
	Data      any
}

// render writes page name with data, in the request's language, with the headers
// every page carries: a Content-Security-Policy that allows no inline script and
// no other origin, no framing, no caching.
func (p *pages) render(w http.ResponseWriter, r *http.Request, name string, data any, status int) {
	lang := langOf(w, r)
	lp := p.byLang[lang]
	pd := pageData{Lang: lang, OtherLang: catalog[lang]["other_lang_code"], Strings: lp.strings, Data: data}
	if a, ok := r.Context().Value(agentKey).(*kefu.Agent); ok {
		pd.Me = a
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	setPageHeaders(h)
	w.WriteHeader(status)
	lp.tmpl.ExecuteTemplate(w, name+".html", pd)
}

// pageCSP lets a page load its own scripts, styles and images and talk to its own
// server, and nothing else: no inline script, no eval, no frame, no other origin.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// static serves the console's scripts and styles.
func (s *server) static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
