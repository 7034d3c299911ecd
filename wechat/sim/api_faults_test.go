package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestErrorBodyFormat(t *testing.T) {
	h := newHarness(t, APIOptions{})
	rid := regexp.MustCompile(`^invalid credential, access_token is invalid or not latest rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)
	seen := map[string]bool{}
	for range 3 {
		resp, err := h.roundTrip("POST", "/cgi-bin/message/custom/send", url.Values{"access_token": {"bad"}}, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil || len(body) != 2 || body["errcode"] != float64(40001) {
			t.Fatalf("body %s", raw)
		}
		msg, _ := body["errmsg"].(string)
		if !rid.MatchString(msg) {
			t.Fatalf("errmsg %q", msg)
		}
		seen[msg] = true
	}
	if len(seen) != 3 {
		t.Fatal("rids repeat")
	}
	ok := h.sendText(h.token(), "nobody", "x")
	if !strings.HasPrefix(ok.ErrMsg, "invalid openid rid: ") {
		t.Fatalf("errmsg %q", ok.ErrMsg)
	}
}

func TestFaultSystemError(t *testing.T) {
	h := newHarness(t, APIOptions{TokenTTL: 1000 * time.Hour})
	tok := h.token()
	h.wrote("u1")
	h.api.SetFaults(Faults{SystemErrorShare: 1})
	wantCode(t, "token", h.classic(), codeSystemError)
	wantCode(t, "stable", h.stable(false), codeSystemError)
	for range 3 {
		wantCode(t, "send", h.sendText(tok, "u1", "hi"), codeSystemError)
	}
	wantCode(t, "typing", h.typing(tok, "u1", "Typing"), codeSystemError)
	wantCode(t, "upload", h.upload(tok, "image", "media", pngBytes), codeSystemError)
	if got := h.api.Received(testApp, "u1"); len(got) != 0 {
		t.Fatalf("a -1 send was delivered: %v", got)
	}
	h.api.SetFaults(Faults{})
	wantCode(t, "send after the fault", h.sendText(tok, "u1", "hi"), codeOK)
	if q := h.api.Quota(testApp, "u1"); q.Remaining != 4 {
		t.Fatalf("-1 answers used quota: %+v", q)
	}
}

func TestFaultSystemErrorFromStart(t *testing.T) {
	h := newHarness(t, APIOptions{Faults: Faults{SystemErrorShare: 7}}) // clamped to 1
	wantCode(t, "token", h.classic(), codeSystemError)
}

func TestFaultLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	h := newHarness(t, APIOptions{Faults: Faults{Latency: latency}})
	begin := time.Now()
	h.token()
	if took := time.Since(begin); took < latency {
		t.Fatalf("answered in %v with %v latency", took, latency)
	}
	h.api.SetFaults(Faults{})
	if f := h.api.Faults(); f.Latency != 0 {
		t.Fatalf("Faults() = %+v", f)
	}
}

func TestFaultDropSendReply(t *testing.T) {
	h := newHarness(t, APIOptions{})
	tok := h.token()
	h.wrote("u1")
	h.api.SetFaults(Faults{DropSendReplyShare: 1})
	resp, err := h.roundTrip("POST", "/cgi-bin/message/custom/send", url.Values{"access_token": {tok}},
		"application/json", strings.NewReader(`{"touser":"u1","msgtype":"text","text":{"content":"once"}}`))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the client got an answer (%d) to a dropped send", resp.StatusCode)
	}
	got := h.api.Received(testApp, "u1")
	if len(got) != 1 || got[0].Text != "once" || got[0].Seq != 1 {
		t.Fatalf("received %+v, want the message once", got)
	}
	if q := h.api.Quota(testApp, "u1"); q.Remaining != 4 {
		t.Fatalf("a dropped but delivered send did not use quota: %+v", q)
	}
	// A client that retries after the lost answer sends twice, and it shows.
	h.api.SetFaults(Faults{})
	wantCode(t, "retry", h.sendText(tok, "u1", "once"), codeOK)
	if got := h.api.Received(testApp, "u1"); len(got) != 2 || got[1].Seq != 2 {
		t.Fatalf("received %+v", got)
	}
}

func TestFaultDailySendLimit(t *testing.T) {
	h := newHarness(t, APIOptions{TokenTTL: 1000 * time.Hour, Faults: Faults{DailySendLimit: 3}})
	h.clock.Set(time.Date(2025, 3, 3, 23, 0, 0, 0, cst))
	tok := h.token()
	h.wrote("u1")
	wantCode(t, "to a stranger", h.sendText(tok, "nobody", "x"), codeInvalidOpenID) // counts as a call
	for i := range 2 {
		wantCode(t, fmt.Sprint("send ", i), h.sendText(tok, "u1", "x"), codeOK)
	}
	wantCode(t, "4th call", h.sendText(tok, "u1", "x"), codeDailyLimit)
	wantCode(t, "5th call", h.sendText(tok, "u1", "x"), codeDailyLimit)
	if got := len(h.api.Received(testApp, "u1")); got != 2 {
		t.Fatalf("%d delivered, want 2", got)
	}
	h.clock.Advance(59*time.Minute + 59*time.Second)
	wantCode(t, "23:59:59", h.sendText(tok, "u1", "x"), codeDailyLimit)
	h.clock.Advance(time.Second)
	wantCode(t, "midnight", h.sendText(tok, "u1", "x"), codeOK)
}

// TestConcurrentUse is for the race detector: users act, servers send and type, the
// faults change, all at once.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, APIOptions{})
	tok := h.token()
	var wg sync.WaitGroup
	for i := range 16 {
		openID := fmt.Sprint("u", i)
		wg.Go(func() {
			h.api.UserMessage(testApp, openID)
			for range 5 {
				if r := h.sendText(tok, openID, "x"); r.ErrCode != 0 {
					t.Errorf("%s: %+v", openID, r)
				}
				h.typing(tok, openID, "Typing")
				h.api.Typing(testApp, openID)
			}
			h.api.PutMedia(pngBytes, "image/png")
		})
	}
	wg.Go(func() {
		for range 20 {
			h.api.SetFaults(Faults{Latency: time.Microsecond})
			h.api.Faults()
		}
	})
	wg.Wait()
	for i := range 16 {
		if got := h.api.Received(testApp, fmt.Sprint("u", i)); len(got) != 5 {
			t.Fatalf("u%d received %d", i, len(got))
		}
	}
}
