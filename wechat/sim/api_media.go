package sim

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"time"
)

// medium is one temporary media file (an image). media/get serves it until
// expiresAt; kept media stay readable through API.Media afterwards, because a user
// still sees an image after its media_id died.
type medium struct {
	data        []byte
	contentType string
	expiresAt   time.Time
	kept        bool // delivered to a user, or sent by one
}

// imageTypes are what an upload may contain (as http.DetectContentType names them)
// and the file extension media/get gives each.
var imageTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}

type uploadBody struct {
	ErrCode   int    `json:"errcode"`
	ErrMsg    string `json:"errmsg"`
	Type      string `json:"type"`
	MediaID   string `json:"media_id"`
	CreatedAt int64  `json:"created_at"`
}

// serveUpload is uploadTempMedia (docs/protocol.md §10.3): multipart, file in the part
// named "media", type=image only (40004). Errors: 41005 without a media part, 40009
// over MediaLimit, 40005 when the bytes are not JPEG, PNG or GIF (format and size
// rules are UNCONFIRMED for mini programs).
func (a *API) serveUpload(w http.ResponseWriter, r *http.Request) {
	if _, e := a.authorize(r); e != nil {
		writeError(w, e)
		return
	}
	if r.URL.Query().Get("type") != "image" {
		writeError(w, fail(codeInvalidMedia))
		return
	}
	data, e := a.readMediaPart(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	ct := http.DetectContentType(data)
	if _, ok := imageTypes[ct]; !ok {
		writeError(w, fail(codeInvalidFileType))
		return
	}
	now := a.now()
	id := a.storeMedium(data, ct, now, false)
	writeJSON(w, uploadBody{ErrCode: codeOK, ErrMsg: "ok", Type: "image", MediaID: id, CreatedAt: now.Unix()})
}

// readMediaPart returns the bytes of the "media" part, at most MediaLimit of them.
func (a *API) readMediaPart(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	limit := a.opts.MediaLimit
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20) // room for the multipart framing
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fail(codeMediaMissing)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if tooLarge(err) {
				return nil, fail(codeInvalidImgSize)
			}
			return nil, fail(codeMediaMissing)
		}
		if part.FormName() != "media" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		switch {
		case tooLarge(err) || int64(len(data)) > limit:
			return nil, fail(codeInvalidImgSize)
		case err != nil:
			return nil, fail(codeMediaMissing)
		}
		return data, nil
	}
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// serveMediaGet is getTempMedia (docs/protocol.md §10.4): the bytes with their type and
// an attachment file name, or a JSON 40007 for an unknown or expired media_id.
func (a *API) serveMediaGet(w http.ResponseWriter, r *http.Request) {
	if _, e := a.authorize(r); e != nil {
		writeError(w, e)
		return
	}
	id := r.URL.Query().Get("media_id")
	a.mu.Lock()
	m := a.liveMedium(id, a.now())
	a.mu.Unlock()
	if m == nil {
		writeError(w, failf(codeInvalidMediaID, quoteID(id)))
		return
	}
	h := w.Header()
	h.Set("Content-Type", m.contentType)
	h.Set("Content-disposition", `attachment; filename="`+id+extension(m.contentType)+`"`)
	w.Write(m.data) // m.data is never modified after storing
}

func extension(contentType string) string {
	if ext, ok := imageTypes[contentType]; ok {
		return ext
	}
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// PutMedia stores an image a simulated user sent and returns its media_id, which
// media/get serves for MediaTTL like an uploaded one; Media serves it for as long as
// the API lives. An empty contentType is sniffed.
func (a *API) PutMedia(data []byte, contentType string) (mediaID string) {
	if contentType == "" {
		contentType = http.DetectContentType(data)
	}
	return a.storeMedium(slices.Clone(data), contentType, a.now(), true)
}

// Media returns a medium's bytes and type, whether or not its media_id has expired,
// as long as the simulator still holds it (media delivered to or sent by a user are
// held for good; others go once expired). It is how a page shows what users see.
func (a *API) Media(mediaID string) (data []byte, contentType string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m, ok := a.media[mediaID]
	if !ok {
		return nil, "", false
	}
	return m.data, m.contentType, true
}

func (a *API) storeMedium(data []byte, contentType string, now time.Time, kept bool) string {
	var b [48]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	a.mu.Lock()
	defer a.mu.Unlock()
	for old, m := range a.media {
		if !m.kept && !now.Before(m.expiresAt) {
			delete(a.media, old)
		}
	}
	a.media[id] = &medium{data: data, contentType: contentType, expiresAt: now.Add(a.opts.MediaTTL), kept: kept}
	return id
}

// liveMedium returns the medium if its media_id is valid at now. The caller holds a.mu.
func (a *API) liveMedium(id string, now time.Time) *medium {
	m, ok := a.media[id]
	if !ok || !now.Before(m.expiresAt) {
		return nil
	}
	return m
}

// keepMedia marks the media a delivery shows as kept. The caller holds a.mu.
func (a *API) keepMedia(d Delivery) {
	ids := []string{d.MediaID}
	if d.Card != nil {
		ids = append(ids, d.Card.ThumbMediaID)
	}
	for _, id := range ids {
		if m, ok := a.media[id]; ok {
			m.kept = true
		}
	}
}
