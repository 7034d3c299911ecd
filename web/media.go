package web

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"kefu"
)

// MediaReader is what serving stored media needs.
type MediaReader interface {
	Media(ctx context.Context, key string) (*kefu.Media, error)
}

// MediaPath is where stored media are served: MediaPath + key.
const MediaPath = "/media/"

// MediaHandler serves stored images at /media/{key}. The key is random and long, so
// a link cannot be guessed from another; the console will add its own sign-in in
// front. Images never change, so they are cached for good.
func MediaHandler(store MediaReader) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		m, err := store.Media(r.Context(), key)
		if err != nil {
			status := http.StatusInternalServerError
			if kefu.ErrorCodeOf(err) == kefu.ENotFound {
				status = http.StatusNotFound
			}
			http.Error(w, http.StatusText(status), status)
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

// RegisterMedia adds the media route to mux; a download must be over within
// writeTimeout.
func RegisterMedia(mux *http.ServeMux, store MediaReader, writeTimeout time.Duration) {
	mux.Handle("GET "+MediaPath+"{key}", Deadlines{Write: writeTimeout}.Wrap(MediaHandler(store)))
}
