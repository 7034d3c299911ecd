package worker

import (
	"encoding/binary"
	"image"
)

// decodeCost is what decoding an image takes, known from its header before any of
// it is decoded: the pixels decoded (a GIF's frames summed) and the bytes the
// decoder holds for them at most.
type decodeCost struct {
	pixels int64
	bytes  int64
}

// decodeOverhead is what every decode holds besides the buffers the estimates
// below count: the decoder's state and tables, a zlib or LZW window, row buffers.
// Each is kilobytes; a mebibyte covers them all with room to spare.
const decodeOverhead = 1 << 20

// The bytes per pixel Go's decoders give a decoded image, and what they hold on the
// way, where it is more than the image itself. A pixel budget alone says nothing of
// these: the same 16 megapixels are 25 MB as a baseline 4:2:0 JPEG and 400 MB as a
// progressive CMYK one.
const (
	// jpegCoeffBytes is a progressive JPEG's coefficient buffer per 8×8 block of
	// each component ([64]int32), kept until the last scan: 4 bytes a pixel per
	// full-resolution component, more than the image itself.
	jpegCoeffBytes = 256
	// jpegConvertBytes is the RGBA or CMYK image a 3- or 4-component JPEG is
	// converted to at the end (RGB and Adobe CMYK/YCCK files), beside the planes
	// it was decoded into. Whether a 3-component file is RGB is decided by markers
	// that may come after its first scan, so every one is charged for it.
	jpegConvertBytes = 4
	// gifFrameBytes is what each GIF frame holds besides its pixels: its palette
	// (up to 256 colours as color.Color values, a copy of the global one when the
	// frame has a transparent colour) and the frame's own structures. A file of
	// many tiny frames is a bomb the pixel count does not see.
	gifFrameBytes = 8 << 10
	// vp8lTreeBytes bounds a lossless WebP's Huffman trees: x/image/vp8l allows
	// 2600 groups of five trees (the largest with 2328 symbols), some 53 KB a
	// group, however small the image.
	vp8lTreeBytes = 2600 * (54 << 10)
)

// jpegCost reads the first SOF marker of a JPEG, the one Go's decoder decodes, for
// its components' sampling and whether it is progressive. Planes are counted at
// their padded size, as the decoder allocates them. A file whose SOF is not found
// where the decoder would find it is charged as the worst case: progressive, four
// full-resolution components.
func jpegCost(data []byte, cfg image.Config) (decodeCost, error) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	sof, ok := jpegSOF(data)
	if !ok || sof.width != w || sof.height != h {
		perPixel := int64(4 + 4*jpegCoeffBytes/64 + jpegConvertBytes)
		return decodeCost{w * h, (w + 8) * (h + 8) * perPixel}, nil
	}
	h0, v0 := int64(sof.comps[0].h), int64(sof.comps[0].v)
	mcus := ((w + 8*h0 - 1) / (8 * h0)) * ((h + 8*v0 - 1) / (8 * v0))
	var blocks int64 // 8×8 blocks over all components
	for _, c := range sof.comps {
		blocks += mcus * int64(c.h) * int64(c.v)
	}
	bytes := 64 * blocks // the planes, one byte a sample
	if sof.progressive {
		bytes += jpegCoeffBytes * blocks
	}
	if len(sof.comps) > 1 {
		bytes += jpegConvertBytes * w * h
	}
	return decodeCost{w * h, bytes}, nil
}

// jpegFrame is what a JPEG's SOF marker says.
type jpegFrame struct {
	width, height int64
	progressive   bool
	comps         []struct{ h, v uint8 }
}

// jpegSOF walks a JPEG's markers as Go's decoder does (skipping stray bytes and
// fill bytes) up to the first scan, and returns its first SOF0, SOF1 or SOF2.
func jpegSOF(data []byte) (jpegFrame, bool) {
	i := 2 // past SOI
	for i+1 < len(data) {
		if data[i] != 0xff {
			i++ // extraneous data, which the decoder ignores too
			continue
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x00 || 0xd0 <= marker && marker <= 0xd7: // stuffing, RSTn: no length
			i += 2
			continue
		case marker == 0xd9 || marker == 0xda: // EOI or SOS before any SOF
			return jpegFrame{}, false
		}
		if i+4 > len(data) {
			return jpegFrame{}, false
		}
		n := int(binary.BigEndian.Uint16(data[i+2:])) // includes its own two bytes
		seg := data[i+4 : min(i+2+n, len(data))]
		if marker >= 0xc0 && marker <= 0xc2 {
			return parseSOF(seg, marker == 0xc2)
		}
		i += 2 + n
	}
	return jpegFrame{}, false
}

func parseSOF(seg []byte, progressive bool) (jpegFrame, bool) {
	if len(seg) < 6 {
		return jpegFrame{}, false
	}
	f := jpegFrame{
		height:      int64(binary.BigEndian.Uint16(seg[1:])),
		width:       int64(binary.BigEndian.Uint16(seg[3:])),
		progressive: progressive,
	}
	n := int(seg[5])
	if n != 1 && n != 3 && n != 4 || len(seg) < 6+3*n {
		return jpegFrame{}, false
	}
	for c := range n {
		hv := seg[7+3*c]
		h, v := hv>>4, hv&0x0f
		if n == 1 || h < 1 || v < 1 {
			h, v = 1, 1 // the decoder reads one component as 1×1 whatever it says
		}
		f.comps = append(f.comps, struct{ h, v uint8 }{h, v})
	}
	return f, true
}

// pngCost reads IHDR: Go decodes 16-bit samples to 8 bytes a pixel (RGBA64,
// NRGBA64), palettes to 1, and everything else to at most 4 (RGBA, NRGBA, or a gray
// image turned NRGBA by a transparent colour). An interlaced file is decoded pass by
// pass into images that together are as large again.
func pngCost(data []byte, cfg image.Config) (decodeCost, error) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	depth, colorType, interlaced := data[24], data[25], data[28] != 0
	perPixel := int64(4)
	switch {
	case depth == 16:
		perPixel = 8
	case colorType == 3:
		perPixel = 1
	}
	bytes := w * h * perPixel
	if interlaced {
		bytes *= 2
	}
	return decodeCost{w * h, bytes + 2*(1+8*w)}, nil // and two rows of samples
}

// gifCost sums the frames: each is decoded whole (twice over when interlaced, to
// reorder its rows) and holds a palette.
func gifCost(data []byte, _ image.Config) (decodeCost, error) {
	s, err := gifFrames(data)
	if err != nil {
		return decodeCost{}, err
	}
	return decodeCost{s.pixels, s.pixels + s.interlacedPixels + s.frames*gifFrameBytes}, nil
}

// webpCost tells the kinds apart by the first chunk: lossy (VP8, YCbCr 4:2:0 over
// whole 16×16 macroblocks), lossless (VP8L: 4 bytes a pixel, as much again for a
// colour-indexing transform's output, its sub-images, and its Huffman trees), or
// extended (VP8X), which may hold either, with an alpha plane that may itself be
// lossless: charged for both.
func webpCost(data []byte, cfg image.Config) (decodeCost, error) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	mbs := ((w + 15) / 16) * ((h + 15) / 16)
	lossy := mbs*(16*16*3/2+8) + 8*((w+15)/16) // the image, per-macroblock state
	lossless := 7*w*h + vp8lTreeBytes
	var bytes int64
	switch data[15] {
	case ' ':
		bytes = lossy
	case 'L':
		bytes = lossless
	default:
		bytes = lossy + lossless + w*h // and the alpha plane
	}
	return decodeCost{w * h, bytes}, nil
}
