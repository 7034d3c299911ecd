package bench

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// BuildRefused prepares n requests that a webhook must refuse: a body of size bytes
// nested as deeply as it goes (the costliest document a parser can be handed) under
// a URL with a fresh timestamp and a signature that does not match. It measures what
// an unauthenticated sender can make the server spend. All n share one body.
func BuildRefused(n, size int, format kefu.Format, now time.Time) []Push {
	body := nestedBody(size, format)
	ts := strconv.FormatInt(now.Unix(), 10)
	pushes := make([]Push, n)
	for i := range pushes {
		q := url.Values{
			"signature": {strings.Repeat("0", 40)},
			"timestamp": {ts},
			"nonce":     {strconv.FormatUint(rand.Uint64()%1e10, 10)},
		}
		pushes[i] = Push{Request: pushreq.Request{Query: q, Body: body, ContentType: pushreq.ContentType(format)}}
	}
	return pushes
}

// nestedBody is size bytes of arrays in arrays (JSON) or elements in elements (XML).
func nestedBody(size int, format kefu.Format) []byte {
	open, close := "[", "]"
	if format == kefu.FormatXML {
		open, close = "<a>", "</a>"
	}
	depth := size / (len(open) + len(close))
	var b bytes.Buffer
	b.Grow(size)
	for range depth {
		b.WriteString(open)
	}
	for range depth {
		b.WriteString(close)
	}
	return b.Bytes()
}
