package worker

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
)

// flatProgressiveJPEG is a progressive JPEG of w×h in one colour: one DC scan in
// which every block's difference is zero, one bit a block. sampling is each
// component's h<<4|v; adobe ≥ 0 adds an Adobe APP14 marker with that transform (0
// makes three components RGB and four CMYK, 2 four YCCK). A few bits a block make
// Go's decoder hold 256 bytes a block per component.
func flatProgressiveJPEG(w, h int, sampling []byte, adobe int) []byte {
	var b bytes.Buffer
	segment := func(marker byte, body []byte) {
		b.Write([]byte{0xff, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
		b.Write(body)
	}
	b.Write([]byte{0xff, 0xd8})
	if adobe >= 0 {
		segment(0xee, append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, byte(adobe)))
	}
	segment(0xdb, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(sampling))}
	sos := []byte{byte(len(sampling))}
	perMCU := 0
	for i, hv := range sampling {
		sof = append(sof, byte(i+1), hv, 0)
		sos = append(sos, byte(i+1), 0x00)
		perMCU += int(hv>>4) * int(hv&15)
	}
	segment(0xc2, sof)
	segment(0xc4, append([]byte{0x00, 1}, make([]byte, 16)...)) // DC table 0: category 0, code "0"
	segment(0xda, append(sos, 0, 0, 0))                         // DC only, first pass
	h0, v0 := int(sampling[0]>>4), int(sampling[0]&15)
	if len(sampling) == 1 {
		h0, v0, perMCU = 1, 1, 1
	}
	mcus := ((w + 8*h0 - 1) / (8 * h0)) * ((h + 8*v0 - 1) / (8 * v0))
	b.Write(make([]byte, (mcus*perMCU+7)/8))
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// flatPNG is a PNG of w×h in one colour: colour type colorType at depth bits a
// sample, Adam7-interlaced or not, every row zeros.
func flatPNG(t testing.TB, w, h int, depth, colorType byte, interlaced bool) []byte {
	t.Helper()
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	rowBytes := func(pw int) int { return 1 + (pw*channels*int(depth)+7)/8 }
	raw := h * rowBytes(w)
	if interlaced {
		raw = 0
		for _, p := range [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
			if pw > 0 && ph > 0 {
				raw += ph * rowBytes(pw)
			}
		}
	}
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	zeros := make([]byte, 1<<20)
	for ; raw > 0; raw -= len(zeros) {
		zw.Write(zeros[:min(raw, len(zeros))])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ilace := byte(0)
	if interlaced {
		ilace = 1
	}
	chunk("IHDR", append(ihdr, depth, colorType, 0, 0, ilace))
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// paletteBombGIF is an animation of frames one-pixel frames with a transparent
// colour in a 256-colour global palette, which Go's decoder copies for each frame.
func paletteBombGIF(t testing.TB, frames int) []byte {
	t.Helper()
	pal := append(color.Palette{color.RGBA{}}, palette.Plan9[1:]...)
	g := gif.GIF{Config: image.Config{ColorModel: pal, Width: 1, Height: 1}}
	frame := image.NewPaletted(image.Rect(0, 0, 1, 1), pal)
	for range frames {
		g.Image = append(g.Image, frame)
		g.Delay = append(g.Delay, 1)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// allocated is how many bytes f allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestImageMemoryBudget: under the default limits, small files that claim images
// Go's decoders would need hundreds of megabytes for are refused from the header,
// having cost next to nothing; each would decode (the test decodes the first
// only). The same sizes in cheaper forms pass the budget.
func TestImageMemoryBudget(t *testing.T) {
	lim := ImageLimits{}.withDefaults()
	cmyk := flatProgressiveJPEG(4096, 4096, []byte{0x11, 0x11, 0x11, 0x11}, 0)
	if _, err := jpeg.Decode(bytes.NewReader(cmyk)); err != nil {
		t.Fatalf("the crafted progressive JPEG does not decode: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		// 16.8 megapixels: planes, coefficients and CMYK, some 400 MB.
		{"progressive CMYK JPEG, 4096×4096", cmyk},
		// 49 megapixels, within the old limit: some 900 MB.
		{"progressive 4:4:4 JPEG, 7000×7000", flatProgressiveJPEG(7000, 7000, []byte{0x11, 0x11, 0x11}, -1)},
		// NRGBA64 and as much again for the passes: 268 MB.
		{"interlaced 16-bit PNG, 4096×4096", flatPNG(t, 4096, 4096, 16, 6, true)},
		// 25 megapixels of NRGBA64, within the old limit: 200 MB.
		{"16-bit PNG, 5000×5000", flatPNG(t, 5000, 5000, 16, 6, false)},
		// 40000 pixels, each frame with its own copy of a 256-colour palette: 160 MB.
		{"GIF of 40000 one-pixel frames", paletteBombGIF(t, 40000)},
	} {
		if len(tc.data) > lim.Bytes/10 {
			t.Fatalf("%s: %d bytes is not a small file", tc.name, len(tc.data))
		}
		var err error
		n := allocated(func() { _, err = checkImage(tc.data, lim) })
		if !errors.Is(err, errTooLarge) || n > 1<<20 {
			t.Errorf("%s (%d bytes): %v after allocating %d bytes; want refused before decoding", tc.name, len(tc.data), err, n)
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"progressive 4:2:0 JPEG, 4096×4096", flatProgressiveJPEG(4096, 4096, []byte{0x22, 0x11, 0x11}, -1)},
		{"16-bit PNG, 4096×4096", flatPNG(t, 4096, 4096, 16, 6, false)},
	} {
		f := formatOf(tc.data)
		cfg, err := f.config(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatal(err)
		}
		if c, err := f.cost(tc.data, cfg); err != nil || c.bytes+decodeOverhead > lim.Memory {
			t.Errorf("%s: cost %+v, %v; want within %d", tc.name, c, err, lim.Memory)
		}
	}
}

// TestDecodeCostBoundsAllocation: what the header-based estimate says decoding
// takes is at least what Go's decoders allocate, in every form the estimate tells
// apart, so that the budget is true.
func TestDecodeCostBoundsAllocation(t *testing.T) {
	const w, h = 1000, 700
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	rgba.Set(3, 3, color.RGBA{R: 200, A: 255})
	encode := func(enc func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"baseline 4:2:0 JPEG", encode(func(b *bytes.Buffer) error { return jpeg.Encode(b, rgba, nil) })},
		{"baseline gray JPEG", encode(func(b *bytes.Buffer) error { return jpeg.Encode(b, image.NewGray(rgba.Rect), nil) })},
		{"progressive gray JPEG", flatProgressiveJPEG(w, h, []byte{0x11}, -1)},
		{"progressive 4:2:0 JPEG", flatProgressiveJPEG(w, h, []byte{0x22, 0x11, 0x11}, -1)},
		{"progressive 4:4:4 JPEG", flatProgressiveJPEG(w, h, []byte{0x11, 0x11, 0x11}, -1)},
		{"progressive RGB JPEG", flatProgressiveJPEG(w, h, []byte{0x11, 0x11, 0x11}, 0)},
		{"progressive CMYK JPEG", flatProgressiveJPEG(w, h, []byte{0x11, 0x11, 0x11, 0x11}, 0)},
		{"progressive YCCK JPEG", flatProgressiveJPEG(w, h, []byte{0x22, 0x11, 0x11, 0x22}, 2)},
		{"8-bit PNG", encode(func(b *bytes.Buffer) error { return png.Encode(b, rgba) })},
		{"16-bit PNG", encode(func(b *bytes.Buffer) error { return png.Encode(b, image.NewNRGBA64(rgba.Rect)) })},
		{"paletted PNG", encode(func(b *bytes.Buffer) error { return png.Encode(b, image.NewPaletted(rgba.Rect, palette.Plan9)) })},
		{"interlaced 8-bit PNG", flatPNG(t, w, h, 8, 2, true)},
		{"interlaced 16-bit gray PNG", flatPNG(t, w, h, 16, 0, true)},
		{"gif of 4 frames", gifOf(t, w, h, 4)},
		{"lossless webp", webp1x1},
	} {
		f := formatOf(tc.data)
		cfg, err := f.config(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c, err := f.cost(tc.data, cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		estimate := uint64(c.bytes + decodeOverhead + int64(len(tc.data)))
		n := allocated(func() { err = f.decode(tc.data) })
		if err != nil {
			t.Fatalf("%s does not decode: %v", tc.name, err)
		}
		if n > estimate {
			t.Errorf("%s: decoding allocated %d bytes; the estimate is %d", tc.name, n, estimate)
		}
		t.Logf("%-28s allocated %9d, estimated %9d", tc.name, n, estimate)
	}
}
