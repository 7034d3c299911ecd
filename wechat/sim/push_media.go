package sim

import (
	"net/http"
	"net/url"
	"strings"
)

// mediaPrefix is where the Simulator serves media as a CDN would: the PicUrl of an
// image a user sent and the ThumbUrl of a card. Unlike media/get it needs no access
// token and keeps serving after the media_id expired, as WeChat's temporary URLs
// outlive nothing in particular (their lifetime is UNCONFIRMED).
const mediaPrefix = "/media/"

// mediaURL is the PicUrl/ThumbUrl of a medium.
func (s *Simulator) mediaURL(mediaID string) string {
	s.mu.Lock()
	base := s.publicURL
	s.mu.Unlock()
	return base + mediaPrefix + url.PathEscape(mediaID)
}

// serveUserMedia answers GET /media/{id} with the bytes and their Content-Type.
func (s *Simulator) serveUserMedia(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, mediaPrefix)
	data, contentType, ok := s.api.Media(id)
	if !ok || id == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	if r.Method == http.MethodGet {
		w.Write(data)
	}
}
