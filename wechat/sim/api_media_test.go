package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// getMedia fetches media_id and returns the raw answer.
func (h *harness) getMedia(tok, id string) (body []byte, header http.Header) {
	h.t.Helper()
	resp, err := h.roundTrip("GET", "/cgi-bin/media/get", url.Values{"access_token": {tok}, "media_id": {id}}, "", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	return body, resp.Header
}

func TestMediaUploadAndGet(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, ext string
		data                   []byte
	}{
		{"jpeg", "image/jpeg", ".jpg", jpegBytes},
		{"png", "image/png", ".png", pngBytes},
		{"gif", "image/gif", ".gif", gifBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, APIOptions{})
			tok := h.token()
			r := h.upload(tok, "image", "media", tc.data)
			if r.ErrCode != 0 || r.ErrMsg != "ok" || r.Type != "image" || r.MediaID == "" || r.CreatedAt != testStart.Unix() {
				t.Fatalf("upload: %+v", r)
			}
			body, hdr := h.getMedia(tok, r.MediaID)
			if !bytes.Equal(body, tc.data) {
				t.Fatalf("media/get returned %q", body)
			}
			if ct := hdr.Get("Content-Type"); ct != tc.contentType {
				t.Fatalf("Content-Type %q, want %q", ct, tc.contentType)
			}
			wantCD := `attachment; filename="` + r.MediaID + tc.ext + `"`
			if cd := hdr.Get("Content-Disposition"); cd != wantCD {
				t.Fatalf("Content-disposition %q, want %q", cd, wantCD)
			}
		})
	}
}

func TestMediaExpiry(t *testing.T) {
	h := newHarness(t, APIOptions{TokenTTL: 1000 * time.Hour})
	tok := h.token()
	uploaded := h.uploadImage(tok, pngBytes)
	userSent := h.api.PutMedia(jpegBytes, "")
	h.clock.Advance(72*time.Hour - time.Second)
	for _, id := range []string{uploaded, userSent} {
		if body, _ := h.getMedia(tok, id); len(body) == 0 || body[0] == '{' {
			t.Fatalf("media %s 1 s before expiry: %q", id, body)
		}
	}
	h.clock.Advance(time.Second)
	for _, id := range []string{uploaded, userSent} {
		body, hdr := h.getMedia(tok, id)
		var r result
		if err := json.Unmarshal(body, &r); err != nil || r.ErrCode != codeInvalidMediaID || !strings.Contains(r.ErrMsg, id) {
			t.Fatalf("media %s after 3 days: %q (%v)", id, body, err)
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Fatalf("error Content-Type %q", hdr.Get("Content-Type"))
		}
	}
	if data, ct, ok := h.api.Media(userSent); !ok || ct != "image/jpeg" || !bytes.Equal(data, jpegBytes) {
		t.Fatal("a user's image is gone from Media after its media_id expired")
	}
}

func TestMediaUploadErrors(t *testing.T) {
	big := append(bytes.Clone(pngBytes), make([]byte, 1024)...)
	tests := []struct {
		name, typ, field string
		data             []byte
		want             int
	}{
		{"voice", "voice", "media", pngBytes, codeInvalidMedia},
		{"no type", "", "media", pngBytes, codeInvalidMedia},
		{"text bytes", "image", "media", []byte("hello, not an image"), codeInvalidFileType},
		{"empty file", "image", "media", nil, codeInvalidFileType},
		{"too large", "image", "media", big, codeInvalidImgSize},
		{"just the limit", "image", "media", big[:1024], codeOK},
		{"wrong field", "image", "file", pngBytes, codeMediaMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, APIOptions{MediaLimit: 1024})
			wantCode(t, tc.name, h.upload(h.token(), tc.typ, tc.field, tc.data), tc.want)
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		h := newHarness(t, APIOptions{})
		r := h.do("POST", "/cgi-bin/media/upload", url.Values{"access_token": {h.token()}, "type": {"image"}}, "image/png", bytes.NewReader(pngBytes))
		wantCode(t, "raw body", r, codeMediaMissing)
	})
	t.Run("body far over the limit", func(t *testing.T) {
		h := newHarness(t, APIOptions{MediaLimit: 1024})
		huge := append(bytes.Clone(pngBytes), make([]byte, 2<<20)...)
		wantCode(t, "2 MiB", h.upload(h.token(), "image", "media", huge), codeInvalidImgSize)
	})
}
