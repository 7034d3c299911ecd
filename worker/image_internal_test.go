package worker

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func encoded(t testing.TB, enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, w, h)
}

func jpegOf(t testing.TB, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }, w, h)
}

// gifOf is an animation of frames frames of w×h.
func gifOf(t testing.TB, w, h, frames int) []byte {
	t.Helper()
	var g gif.GIF
	for range frames {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9))
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngClaiming is a small PNG whose header claims w×h: only the header is changed.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	b := pngOf(t, 1, 1)
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// webp1x1 is a 1×1 lossless WebP.
var webp1x1, _ = base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")

func TestCheckImage(t *testing.T) {
	lim := ImageLimits{Side: 4000, Pixels: 1_000_000}.withDefaults()
	pngData := pngOf(t, 40, 30)
	for _, tc := range []struct {
		name string
		data []byte
		want string // content type, or "" with err
		err  error
	}{
		{"png", pngData, "image/png", nil},
		{"jpeg", jpegOf(t, 40, 30), "image/jpeg", nil},
		{"jpeg with a trailer after its end marker", append(jpegOf(t, 8, 8), "maker trailer"...), "image/jpeg", nil},
		{"gif", gifOf(t, 10, 10, 1), "image/gif", nil},
		{"animated gif", gifOf(t, 10, 10, 5), "image/gif", nil},
		{"webp", webp1x1, "image/webp", nil},

		{"empty", nil, "", errNotImage},
		{"html", []byte("<!doctype html><title>admin</title>"), "", errNotImage},
		{"json", []byte(`{"errcode":40007}`), "", errNotImage},
		{"only the PNG signature", []byte("\x89PNG\r\n\x1a\n"), "", errNotImage},
		{"PNG signature then text", append([]byte("\x89PNG\r\n\x1a\n"), "# HELP go_goroutines"...), "", errNotImage},
		{"JPEG magic then text", append([]byte("\xff\xd8\xff\xe0"), "secret"...), "", errNotImage},
		{"GIF magic then text", []byte("GIF89a internal"), "", errNotImage},
		{"truncated png", pngData[:len(pngData)-20], "", errNotImage},
		{"png with a body after IEND", append(bytes.Clone(pngData), "<html>"...), "", errNotImage},
		{"truncated jpeg", jpegOf(t, 40, 30)[:200], "", errNotImage},
		{"gif with data after the trailer", append(gifOf(t, 4, 4, 1), "x"...), "", errNotImage},
		{"truncated gif", gifOf(t, 10, 10, 3)[:60], "", errNotImage},
		{"webp whose RIFF size is not the file's", append(bytes.Clone(webp1x1), "xx"...), "", errNotImage},
		{"zero-sized png", pngClaiming(t, 0, 5), "", errNotImage},

		{"too wide", pngClaiming(t, 60000, 1), "", errTooLarge},
		{"too many pixels", pngClaiming(t, 2000, 2000), "", errTooLarge},
		// Decoding this would allocate gigabytes: the header says so first.
		{"decompression bomb", pngClaiming(t, 60000, 60000), "", errTooLarge},
		{"gif whose frames add up to too much", gifOf(t, 500, 500, 5), "", errTooLarge},
		{"more bytes than kept", append(bytes.Clone(pngData), make([]byte, lim.Bytes)...), "", errTooLarge},
	} {
		got, err := checkImage(tc.data, lim)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func FuzzCheckImage(f *testing.F) {
	f.Add(webp1x1)
	f.Add(pngOf(f, 3, 2))
	f.Add(jpegOf(f, 3, 2))
	f.Add(gifOf(f, 3, 2, 2))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"))
	// Small limits keep each run cheap; the bounds themselves are TestCheckImage's.
	lim := ImageLimits{Side: 512, Pixels: 100_000}.withDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := checkImage(data, lim)
		if (err == nil) == (ct == "") {
			t.Fatalf("%q, %v", ct, err)
		}
	})
}
