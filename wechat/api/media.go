package api

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"kefu"
)

// MediaTTL is how long WeChat keeps temporary media (docs/protocol.md §10.3).
const MediaTTL = 72 * time.Hour

// uploadable are the image types UploadImage takes, as http.DetectContentType
// names them, with the file name the upload's form part gets.
var uploadable = map[string]string{"image/jpeg": "image.jpg", "image/png": "image.png"}

// UploadImage uploads a JPEG or PNG of at most kefu.MaxImageBytes as temporary media.
// Anything else is refused with a kefu EInvalid error before a request is made. The
// media_id expires MediaTTL after WeChat's created_at.
func (c *Client) UploadImage(ctx context.Context, appID string, data []byte) (string, time.Time, error) {
	body, contentType, err := uploadBody(data)
	if err != nil {
		return "", time.Time{}, err
	}
	var a *answer
	err = c.withToken(ctx, appID, func(token string) error {
		r := &request{
			op:          opUpload,
			method:      http.MethodPost,
			url:         c.base + "/cgi-bin/media/upload",
			query:       url.Values{"access_token": {token}, "type": {"image"}},
			body:        body,
			contentType: contentType,
			limit:       maxJSONAnswer,
			repeatable:  true, // a second upload only leaves an unused media_id
		}
		rep, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		a, err = parseAnswer(opUpload, rep.body)
		if err == nil && a.MediaID == "" {
			err = r.unreadable("no media_id in the answer")
		}
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return a.MediaID, a.createdAt(c.clock.Now()).Add(MediaTTL), nil
}

// uploadBody checks an image and builds the multipart body once, so that a retry
// after a token refresh sends the same bytes.
func uploadBody(data []byte) (body []byte, contentType string, err error) {
	if len(data) == 0 {
		return nil, "", kefu.Errorf(kefu.EInvalid, "the image is empty")
	}
	if len(data) > kefu.MaxImageBytes {
		return nil, "", kefu.Errorf(kefu.EInvalid, "the image is %d bytes; WeChat takes at most %d", len(data), kefu.MaxImageBytes)
	}
	sniffed := http.DetectContentType(data)
	name, ok := uploadable[sniffed]
	if !ok {
		return nil, "", kefu.Errorf(kefu.EInvalid, "the file is %s; WeChat takes JPEG or PNG images", sniffed)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="media"; filename="`+name+`"`)
	h.Set("Content-Type", sniffed)
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	part.Write(data) // a bytes.Buffer does not fail
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// GetMedia downloads temporary media. WeChat answers the bytes with their type, or
// a JSON error (40007 for an unknown or expired media_id) with the same status 200,
// so the answer's type decides.
func (c *Client) GetMedia(ctx context.Context, appID, mediaID string) ([]byte, string, error) {
	var data []byte
	var contentType string
	err := c.withToken(ctx, appID, func(token string) error {
		r := &request{
			op:         opMedia,
			method:     http.MethodGet,
			url:        c.base + "/cgi-bin/media/get",
			query:      url.Values{"access_token": {token}, "media_id": {mediaID}},
			limit:      maxMediaAnswer,
			repeatable: true,
		}
		rep, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		contentType = typeOf(rep)
		if isTextual(contentType) || looksLikeError(rep.body) {
			if _, err := parseAnswer(opMedia, rep.body); err != nil {
				return err
			}
			return r.unreadable("a " + contentType + " answer where media was expected")
		}
		data = rep.body
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return data, contentType, nil
}

// FetchURL downloads a picture by URL, an inbound image's PicUrl; no token goes with
// it. The URL came in a push, so it goes through the guarded PictureClient, whose
// policy is the only judge of it: a scheme other than http(s) or a host off its
// list is refused before anything is resolved or dialled, an address inside after
// DNS, on every redirect; either way with an *Error that is not retryable and
// whose reason says the picture was not fetched. Errors are *Error with Op "fetch"
// and Code 0, but for a URL that does not parse (kefu EInvalid).
func (c *Client) FetchURL(ctx context.Context, rawURL string) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", kefu.Errorf(kefu.EInvalid, "picture url %q does not parse", stripQuery(rawURL))
	}
	u.Fragment = ""
	// The query is kept as written (a CDN may sign it); errors strip it all the same.
	r := &request{op: opFetch, method: http.MethodGet, url: u.String(), limit: maxMediaAnswer, repeatable: true}
	rep, err := c.do(ctx, r)
	if err != nil {
		return nil, "", err
	}
	return rep.body, typeOf(rep), nil
}

// typeOf is the answer's media type, sniffed when the header gives none or only
// application/octet-stream.
func typeOf(rep *reply) string {
	mt, _, err := mime.ParseMediaType(rep.header.Get("Content-Type"))
	if err != nil || mt == "" || mt == "application/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(rep.body))
	}
	return mt
}

func isTextual(mediaType string) bool {
	return strings.HasPrefix(mediaType, "text/") || mediaType == "application/json"
}

// looksLikeError reports whether body is a JSON object with an errcode, whatever
// type the answer claimed.
func looksLikeError(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var probe struct {
		ErrCode *int `json:"errcode"`
	}
	return json.Unmarshal(trimmed, &probe) == nil && probe.ErrCode != nil
}
