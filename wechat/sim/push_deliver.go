package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"kefu"
	"kefu/wechat/pushreq"
)

// Outcome is how a user's action ended, as WeChat would have it.
type Outcome string

// The outcomes of a push. A chat entry whose delivery is still under way has the
// empty Outcome.
const (
	Delivered   Outcome = "delivered"   // answered success or an empty body
	Transferred Outcome = "transferred" // answered transfer_customer_service: handed to the web tool
	Failed      Outcome = "failed"      // no acceptable answer in any attempt: the user saw the notice
	ToWebTool   Outcome = "to_web_tool" // an agent had accepted the user: not pushed at all
)

// PushResult says what became of one user action.
type PushResult struct {
	Outcome  Outcome
	Attempts int    // HTTP deliveries made (0 for ToWebTool)
	Status   int    // HTTP status of the last answer; 0 when there was none
	Body     string // body of the last answer
	MsgID    int64  // the push's MsgId; 0 for an entry event
	// Reason says why the last attempt was not accepted ("" when it was), so a
	// developer can see what WeChat would have disliked.
	Reason string
}

// maxReplyBody bounds what is read of an answer; a passive reply is a few hundred
// bytes, and anything longer is abnormal anyway.
const maxReplyBody = 64 << 10

// deliver pushes m to e the way WeChat does: the request is built once — timestamp
// from the clock, a random nonce — and POSTed up to Attempts times, each given
// AttemptTimeout, identical every time (whether WeChat re-signs retries is
// UNCONFIRMED; reusing them is the assumption, and what a server's dedup sees
// either way is the same MsgId or FromUserName+CreateTime). It stops at the first
// acceptable answer. The error is only for a cancelled ctx or a push that could
// not be built; a server that never answers well is the Failed outcome.
func (s *Simulator) deliver(ctx context.Context, e *endpoint, m *kefu.Inbound) (PushResult, error) {
	res := PushResult{MsgID: m.MsgID, Outcome: Failed}
	req, err := e.signer.Build(m, s.now().Unix(), s.nonces.Next())
	if err != nil {
		return res, fmt.Errorf("sim: building push: %w", err)
	}
	target := withQuery(e.url, req.Query.Encode())
	for res.Attempts < s.opts.Attempts {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.Attempts++
		a := s.post(ctx, target, req)
		res.Status, res.Body = a.status, string(a.body)
		outcome, abnormal := classify(e, m, a)
		if abnormal == nil {
			res.Outcome, res.Reason = outcome, ""
			return res, nil
		}
		res.Reason = abnormal.Error()
	}
	return res, ctx.Err()
}

// withQuery appends the push's query to the developer URL, keeping any query the
// developer put in it.
func withQuery(base, query string) string {
	if strings.Contains(base, "?") {
		return base + "&" + query
	}
	return base + "?" + query
}

// answer is what one attempt got back.
type answer struct {
	status int
	body   []byte
	err    error // no (complete) answer in time
}

// post makes one attempt. A body longer than maxReplyBody is cut there, which makes
// it abnormal.
func (s *Simulator) post(ctx context.Context, target string, req pushreq.Request) answer {
	actx, cancel := context.WithTimeout(ctx, s.opts.AttemptTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(actx, http.MethodPost, target, bytes.NewReader(req.Body))
	if err != nil {
		return answer{err: err}
	}
	hr.Header.Set("Content-Type", req.ContentType)
	resp, err := s.opts.HTTPClient.Do(hr)
	if err != nil {
		return answer{err: noAnswer(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody+1))
	if err != nil {
		return answer{status: resp.StatusCode, body: body, err: noAnswer(err)}
	}
	return answer{status: resp.StatusCode, body: body}
}

func noAnswer(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer within the attempt timeout")
	}
	return fmt.Errorf("no answer: %w", err)
}

// classify judges one answer (docs/protocol.md §8): HTTP 200 with "success" or an empty
// body is delivered; a valid transfer_customer_service reply to a user message is
// transferred; anything else — another status, any other body, a reply other than
// success to an event, a transfer that fails its checks — is abnormal (the error
// says why) and WeChat tries again. The body must be exactly "success": surrounding
// white space is not forgiven (an assumption; docs/protocol.md §8 quotes the literal).
func classify(e *endpoint, m *kefu.Inbound, a answer) (Outcome, error) {
	switch {
	case a.err != nil:
		return "", a.err
	case a.status != http.StatusOK:
		return "", fmt.Errorf("HTTP status %d", a.status)
	case len(a.body) == 0 || string(a.body) == "success":
		return Delivered, nil
	case len(a.body) > maxReplyBody:
		return "", fmt.Errorf("reply longer than %d bytes", maxReplyBody)
	case !isUserMessage(m):
		return "", errors.New("a reply other than success to an event (events are never transferred)")
	}
	if err := e.checkTransfer(m, a.body); err != nil {
		return "", err
	}
	return Transferred, nil
}

// isUserMessage reports whether m may be transferred to the web tool: user messages
// may, events (entering the chat) may not (docs/protocol.md §9, §13).
func isUserMessage(m *kefu.Inbound) bool {
	return m.Kind == kefu.KindText || m.Kind == kefu.KindImage || m.Kind == kefu.KindCard
}
