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

// ImageLimits bound the images the media fetcher keeps, and what keeping one
// costs. Everything is read from the header and checked before anything is
// decoded, so that a small file claiming a huge picture (a decompression bomb)
// costs nothing.
type ImageLimits struct {
	Bytes  int   // the file; 0: 10 MiB, the most WeChat keeps (docs/protocol.md §10.3)
	Side   int   // width and height each; 0: 16384
	Pixels int64 // width × height, summed over a GIF's frames; 0: 4096 × 4096
	// Memory bounds what decoding one image holds, as the header tells it: the
	// decoded image in the type Go's decoder gives, and what the decoder keeps on
	// the way (a progressive JPEG's coefficients, a conversion to RGBA or CMYK, an
	// interlaced PNG's passes, GIF palettes, WebP's Huffman trees), plus the file.
	// 0: 256 MiB, which every kind of image within the default Pixels fits but
	// progressive JPEGs with full-resolution colour (up to 14 megapixels, 11 for
	// CMYK), WebP with an alpha plane (13) and interlaced 16-bit PNGs (16.7).
	Memory int64
}

func (l ImageLimits) withDefaults() ImageLimits {
	if l.Bytes <= 0 {
		l.Bytes = 10 << 20
	}
	if l.Side <= 0 {
		l.Side = 16384
	}
	if l.Pixels <= 0 {
		l.Pixels = 4096 * 4096
	}
	if l.Memory <= 0 {
		l.Memory = 256 << 20
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
	// cost says from the header what decoding takes; an error for a header that
	// does not hold together.
	cost func(data []byte, cfg image.Config) (decodeCost, error)
	// decode decodes all of data and checks that nothing follows the image's end.
	decode func(data []byte) error
}

var imageFormats = []imageFormat{
	{"image/jpeg", prefixed("\xff\xd8\xff"), jpeg.DecodeConfig, jpegCost, decodeJPEG},
	{"image/png", prefixed("\x89PNG\r\n\x1a\n"), png.DecodeConfig, pngCost, decodePNG},
	{"image/gif", func(b []byte) bool { return prefixed("GIF87a")(b) || prefixed("GIF89a")(b) }, gif.DecodeConfig, gifCost, decodeGIF},
	{"image/webp", func(b []byte) bool { return prefixed("RIFF")(b) && len(b) >= 16 && string(b[8:15]) == "WEBPVP8" }, webp.DecodeConfig, webpCost, decodeWebP},
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
	if err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return "", errNotImage
	}
	cost, err := f.cost(data, cfg)
	if err != nil {
		return "", errNotImage
	}
	if cfg.Width > lim.Side || cfg.Height > lim.Side || cost.pixels > lim.Pixels {
		return "", fmt.Errorf("%w (at most %d pixels a side, %.1f megapixels)", errTooLarge, lim.Side, float64(lim.Pixels)/1e6)
	}
	if cost.bytes+decodeOverhead+int64(len(data)) > lim.Memory {
		return "", fmt.Errorf("%w (decoding it would take more than the %d MiB kefu allows)", errTooLarge, lim.Memory>>20)
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

// decodeGIF decodes every frame; gifFrames has checked the structure up to
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

// gifSummary is what walking a GIF's blocks tells of its frames.
type gifSummary struct {
	frames           int64
	pixels           int64 // the frames' areas summed
	interlacedPixels int64 // the part of pixels in interlaced frames
}

// gifFrames walks a GIF's blocks without decompressing them and sums its frames:
// what decoding every frame costs, which the header's one size does not tell. The
// file must end with the trailer.
func gifFrames(data []byte) (gifSummary, error) {
	bad := errors.New("gif: malformed")
	if len(data) < 13 {
		return gifSummary{}, bad
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
	var s gifSummary
	for i < len(data) {
		switch data[i] {
		case 0x3b: // trailer
			if i != len(data)-1 {
				return gifSummary{}, bad
			}
			return s, nil
		case 0x21: // extension: label, then sub-blocks
			i += 2
			if !subBlocks() {
				return gifSummary{}, bad
			}
		case 0x2c: // image descriptor
			if i+10 > len(data) {
				return gifSummary{}, bad
			}
			w := int64(binary.LittleEndian.Uint16(data[i+5:]))
			h := int64(binary.LittleEndian.Uint16(data[i+7:]))
			flags := data[i+9]
			s.frames++
			s.pixels += w * h
			if flags&0x40 != 0 {
				s.interlacedPixels += w * h
			}
			i += 10
			if flags&0x80 != 0 {
				i += 3 << ((flags & 7) + 1) // local colour table
			}
			i++ // LZW minimum code size
			if !subBlocks() {
				return gifSummary{}, bad
			}
		default:
			return gifSummary{}, bad
		}
	}
	return gifSummary{}, bad
}
