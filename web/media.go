package web

import (
	"bytes"
	"net/http"

	"kefu"
)

// mediaPath is where stored media are served: mediaPath + key.
const mediaPath = "/media/"

// serveImage answers a stored image. Images never change, so they are cached
// for good, privately; they are served with the type they decoded as, never
// sniffed, and a policy that lets them run nothing.
func serveImage(w http.ResponseWriter, r *http.Request, m *kefu.Media) {
	h := w.Header()
	h.Set("Content-Type", m.ContentType)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("ETag", `"`+m.SHA256+`"`)
	http.ServeContent(w, r, "", m.CreatedAt, bytes.NewReader(m.Data))
}
