package web

import (
	"bytes"
	"context"
	"net/http"

	"kefu"
)

// MediaReader is what serving stored media needs.
type MediaReader interface {
	Media(ctx context.Context, key string) (*kefu.Media, error)
}

// MediaPath is where stored media are served: MediaPath + key.
const MediaPath = "/media/"

// media serves stored images at /media/{key}. The key is random and long, so a
// link cannot be guessed from another; the console will add its own sign-in in
// front. Images never change, so they are cached for good.
func (s *server) media() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := s.cfg.Media.Media(r.Context(), r.PathValue("key"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", m.ContentType)
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'")
		h.Set("ETag", `"`+m.SHA256+`"`)
		http.ServeContent(w, r, "", m.CreatedAt, bytes.NewReader(m.Data))
	})
}
