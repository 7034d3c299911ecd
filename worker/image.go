package worker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// ImageLimits bound the images the media fetcher keeps. Width and height are read
// from the header and checked before anything is decoded, so that a small file
// claiming a huge picture (a decompression bomb) costs nothing.
type ImageLimits struct {
	Bytes  int   // the file; 0: 10 MiB, the most WeChat keeps (docs/protocol.md §10.3)
	Side   int   // width and height each; 0: 16384
	Pixels int64 // width × height, summed over a GIF's frames; 0: 50 million
}

func (l ImageLimits) withDefaults() ImageLimits {
	if l.Bytes <= 0 {
		l.Bytes = 10 << 20
	}
	if l.Side <= 0 {
		l.Side = 16384
	}
	if l.Pixels <= 0 {
		l.Pixels = 50_000_000
	}
	return l
}

// The reasons an answer is not kept. They say nothing of what the answer was: an
// answer from a server kefu was tricked into asking must not be readable back from
// the stored reason.
var (
	errNotImage = errors.New("not a complete JPEG, PNG, GIF or WebP image")
	errTooLarge = errors.New("an image larger than kefu keeps")
)

// imageFormat is a kind of image kefu keeps.
type imageFormat struct {
	contentType string
	magic       func([]byte) bool
	config      func(io.Reader) (image.Config, error)
	// decode decodes all of data and checks that nothing follows the image's end.
	decode func(data []byte) error
}

var imageFormats = []imageFormat{
	{"image/jpeg", prefixed("\xff\xd8\xff"), jpeg.DecodeConfig, decodeJPEG},
	{"image/png", prefixed("\x89PNG\r\n\x1a\n"), png.DecodeConfig, decodePNG},
	{"image/gif", func(b []byte) bool { return prefixed("GIF87a")(b) || prefixed("GIF89a")(b) }, gif.DecodeConfig, decodeGIF},
	{"image/webp", func(b []byte) bool { return prefixed("RIFF")(b) && len(b) >= 15 && string(b[8:15]) == "WEBPVP8" }, webp.DecodeConfig, decodeWebP},
}

func prefixed(magic string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(magic)) }
}

// checkImage returns the content type of data if it decodes whole as an image of a
// kept format within lim (which has its defaults), else errNotImage or errTooLarge.
// What a server said the type was does not count.
func checkImage(data []byte, lim ImageLimits) (string, error) {
	if len(data) > lim.Bytes {
		return "", fmt.Errorf("%w (more than %d bytes)", errTooLarge, lim.Bytes)
	}
	f := formatOf(data)
	if f == nil {
		return "", errNotImage
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return "", errNotImage
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if f.contentType == "image/gif" {
		if pixels, err = gifFramePixels(data); err != nil {
			return "", errNotImage
		}
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return "", errNotImage
	}
	if cfg.Width > lim.Side || cfg.Height > lim.Side || pixels > lim.Pixels {
		return "", fmt.Errorf("%w (at most %d pixels a side, %d megapixels)", errTooLarge, lim.Side, lim.Pixels/1_000_000)
	}
	if err := f.decode(data); err != nil {
		return "", errNotImage
	}
	return f.contentType, nil
}

func formatOf(data []byte) *imageFormat {
	for i := range imageFormats {
		if imageFormats[i].magic(data) {
			return &imageFormats[i]
		}
	}
	return nil
}

// decodeJPEG decodes the image up to its end marker. What follows is allowed: a
// camera's JPEG may carry more after the first image (a multi-picture file's
// second image, an HDR gain map, a maker's trailer).
func decodeJPEG(data []byte) error {
	_, err := jpeg.Decode(bytes.NewReader(data))
	return err
}

// decodePNG decodes the image and wants IEND to be the file's end.
func decodePNG(data []byte) error {
	r := bytes.NewReader(data)
	if _, err := png.Decode(r); err != nil {
		return err
	}
	if r.Len() != 0 {
		return errors.New("png: data after IEND")
	}
	return nil
}

// decodeGIF decodes every frame; gifFramePixels has checked the structure up to
// the trailer that ends the file.
func decodeGIF(data []byte) error {
	_, err := gif.DecodeAll(bytes.NewReader(data))
	return err
}

// decodeWebP checks that the RIFF container is the whole file and decodes it.
func decodeWebP(data []byte) error {
	size := int(binary.LittleEndian.Uint32(data[4:8]))
	if len(data) != 8+size+size%2 && len(data) != 8+size {
		return errors.New("webp: the RIFF size is not the file's")
	}
	_, err := webp.Decode(bytes.NewReader(data))
	return err
}

// gifFramePixels walks a GIF's blocks without decompressing them and returns the
// sum of its frames' areas: what decoding every frame costs, which the header's
// one size does not tell. The file must end with the trailer.
func gifFramePixels(data []byte) (int64, error) {
	bad := errors.New("gif: malformed")
	if len(data) < 13 {
		return 0, bad
	}
	i := 13
	if flags := data[10]; flags&0x80 != 0 {
		i += 3 << ((flags & 7) + 1) // global colour table
	}
	// subBlocks skips a run of data sub-blocks ending with an empty one.
	subBlocks := func() bool {
		for i < len(data) {
			n := int(data[i])
			i += 1 + n
			if n == 0 {
				return true
			}
		}
		return false
	}
	var pixels int64
	for i < len(data) {
		switch data[i] {
		case 0x3b: // trailer
			if i != len(data)-1 {
				return 0, bad
			}
			return pixels, nil
		case 0x21: // extension: label, then sub-blocks
			i += 2
			if !subBlocks() {
				return 0, bad
			}
		case 0x2c: // image descriptor
			if i+10 > len(data) {
				return 0, bad
			}
			w := int64(binary.LittleEndian.Uint16(data[i+5:]))
			h := int64(binary.LittleEndian.Uint16(data[i+7:]))
			flags := data[i+9]
			pixels += w * h
			i += 10
			if flags&0x80 != 0 {
				i += 3 << ((flags & 7) + 1) // local colour table
			}
			i++ // LZW minimum code size
			if !subBlocks() {
				return 0, bad
			}
		default:
			return 0, bad
		}
	}
	return 0, bad
}
