package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"

	"kefu/egress"
)

// The calls, as Error.Op names them.
const (
	opToken  = "token"
	opSend   = "send"
	opTyping = "typing"
	opUpload = "upload"
	opMedia  = "media"
	opFetch  = "fetch"
)

// Answer bounds: WeChat's JSON answers are a few hundred bytes; its images are at
// most 10 MB (docs/protocol.md §10.3).
const (
	maxJSONAnswer  = 1 << 20
	maxMediaAnswer = 10 << 20
)

// request is one HTTP attempt, rebuilt from these fields each time it is tried.
type request struct {
	op          string
	method      string
	url         string     // absolute; its query, if any, is kept as written
	query       url.Values // appended to url; may hold access_token or secret: never shown
	body        []byte     // nil for GET
	contentType string
	limit       int64 // largest answer body read
	// repeatable is true when doing the request twice cannot show a user anything
	// twice (token fetches, uploads, downloads): a lost answer is then retryable.
	repeatable bool
}

// reply is a 2xx answer.
type reply struct {
	header http.Header
	body   []byte
}

// do makes one attempt under the client's timeout. Every failure is an *Error that
// knows whether the request was written to the connection.
func (c *Client) do(ctx context.Context, r *request) (*reply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var written atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		// A failed write is a partial request at most, which no server acts on.
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				written.Store(true)
			}
		},
	})
	target := r.url
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, r.lost(err, false)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := c.clientFor(r).Do(req)
	if err != nil {
		return nil, r.lost(err, written.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, r.limit+1))
	if err != nil {
		return nil, r.lost(err, true)
	}
	if resp.StatusCode/100 != 2 {
		return nil, r.status(resp.StatusCode)
	}
	if int64(len(data)) > r.limit {
		return nil, r.unreadable(fmt.Sprintf("the answer is larger than %d bytes", r.limit))
	}
	return &reply{header: resp.Header, body: data}, nil
}

// clientFor is the HTTP client for r: the guarded one for URLs that came from
// outside, the configured one for WeChat's API.
func (c *Client) clientFor(r *request) *http.Client {
	if r.op == opFetch {
		return c.pictures
	}
	return c.http
}

// who names the other side in reasons.
func (r *request) who() string {
	if r.op == opFetch {
		return "The picture's server"
	}
	return "WeChat"
}

// lost is the *Error for a transport failure; written says whether the request had
// been handed to the connection when it happened.
func (r *request) lost(err error, written bool) *Error {
	err = redact(err)
	e := &Error{Op: r.op, Msg: scrub(err.Error(), r.query), err: err}
	var refusal *egress.Refusal
	switch {
	case errors.As(err, &refusal):
		// A policy decision: trying again gets the same answer.
		e.reason = fmt.Sprintf("Not fetched: kefu refused %s (%s).", refusal.Target, refusal.Reason)
	case !written:
		e.retryable = true
		e.reason = r.who() + " could not be reached, so nothing was handed over; trying again later may succeed."
	case r.repeatable:
		e.retryable = true
		e.reason = r.who() + "'s answer was lost; asking again is harmless."
	case r.op == opSend:
		e.reason = "WeChat's answer was lost after the message was handed over; it may have been delivered, so it is not sent again."
	default:
		e.reason = "WeChat's answer was lost after the request was handed over; it may have taken effect, so it is not repeated."
	}
	return e
}

// status is the *Error for an HTTP status other than 2xx. WeChat answers 200 even
// for its errors, so another status comes from a gateway (or, for a picture, from
// its server): 503 and 429 mean the request was turned away; after another 5xx it
// may have been processed, so only repeatable requests are retryable.
func (r *request) status(code int) *Error {
	e := &Error{Op: r.op, HTTPStatus: code, Msg: fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))}
	switch {
	case code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests:
		e.retryable = true
		e.reason = fmt.Sprintf("%s answered HTTP %d (unavailable); trying again later may succeed.", r.who(), code)
	case code >= 500 && r.repeatable:
		e.retryable = true
		e.reason = fmt.Sprintf("%s answered HTTP %d; asking again is harmless and may succeed.", r.who(), code)
	case code >= 500:
		e.reason = fmt.Sprintf("%s answered HTTP %d; it is not known whether the request took effect, so it is not repeated.", r.who(), code)
	default:
		e.reason = fmt.Sprintf("%s answered HTTP %d; the request was not processed.", r.who(), code)
	}
	return e
}

// unreadable is the *Error for an answer that is not what the call expects.
func (r *request) unreadable(what string) *Error {
	return &Error{Op: r.op, Msg: what,
		reason: r.who() + "'s answer could not be read (" + what + "); it is not known whether the request took effect."}
}

// redact rebuilds the outer *url.Error layers of err (net/http's and url.Parse's)
// with their URLs stripped of the query, where access_token and secret travel. The
// errors inside are kept, so errors.Is still finds context.DeadlineExceeded.
func redact(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: stripQuery(ue.URL), Err: redact(ue.Err)}
}

func stripQuery(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// scrub blanks the values of sensitive query parameters wherever they still appear
// in msg, raw or escaped: belt and braces over redact.
func scrub(msg string, q url.Values) string {
	for _, key := range []string{"access_token", "secret"} {
		for _, v := range q[key] {
			if v == "" {
				continue
			}
			msg = strings.ReplaceAll(msg, v, "[redacted]")
			msg = strings.ReplaceAll(msg, url.QueryEscape(v), "[redacted]")
		}
	}
	return msg
}
