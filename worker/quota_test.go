package worker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu"
)

// refusal sends and expects the ledger to refuse locally under rule.
func (e *env) refusal(t *testing.T, openID string, rule kefu.QuotaRule) *kefu.QuotaRefusal {
	t.Helper()
	_, err := e.out.Send(context.Background(), appID, openID, text("refused?"))
	var r *kefu.QuotaRefusal
	if !errors.As(err, &r) || r.Rule != rule {
		t.Fatalf("Send = %v; want a %q refusal", err, rule)
	}
	if kefu.ErrorCodeOf(err) != kefu.EQuota {
		t.Errorf("refusal code %q", kefu.ErrorCodeOf(err))
	}
	return r
}

func (e *env) sendAll(t *testing.T, openID string, n int) {
	t.Helper()
	var ids []int64
	for i := range n {
		ids = append(ids, e.send(t, openID, text(fmt.Sprintf("reply %d at %v", i, e.clock.Now()))))
	}
	e.settle(t, ids...)
	for _, id := range ids {
		if m := e.message(t, id); m.Status != kefu.StatusSent {
			t.Fatalf("message %d: %s %d %s", id, m.Status, m.ErrCode, m.ErrReason)
		}
	}
}

// TestLedgerRefusesLocally walks the 48 hour rule: five replies per user message,
// the sixth refused before WeChat is asked, a new message reopening the window, and
// 48 hours later a refusal for the closed window.
func TestLedgerRefusesLocally(t *testing.T) { testLedgerRefuses(t, envOptions{}) }

func testLedgerRefuses(t *testing.T, o envOptions) {
	e := newEnv(t, o)
	e.userWrites(t, "o1", 1)
	wrote := e.clock.Now()
	e.sendAll(t, "o1", 5)

	r := e.refusal(t, "o1", kefu.RuleCount)
	closes := wrote.Add(48 * time.Hour).Format("2006-01-02 15:04:05 -07:00")
	if !strings.Contains(r.Error(), closes) {
		t.Errorf("refusal %q does not name the window's end %s", r.Error(), closes)
	}
	if n := len(e.wx.Received(appID, "o1")); n != 5 {
		t.Errorf("WeChat got %d sends, want 5: the sixth must not be tried", n)
	}
	if q := e.wx.Quota(appID, "o1"); q.Remaining != 0 {
		t.Errorf("WeChat's count: %+v", q)
	}

	e.clock.Advance(time.Hour)
	e.userWrites(t, "o1", 2)
	st, err := e.out.Quota(context.Background(), appID, "o1")
	if err != nil || !st.Open || st.Remaining != 5 {
		t.Fatalf("after a new message: %+v %v", st, err)
	}
	e.sendAll(t, "o1", 1)

	e.clock.Advance(48 * time.Hour)
	r = e.refusal(t, "o1", kefu.RuleWindow)
	if !strings.Contains(r.Error(), "closed at") || !strings.Contains(r.Error(), "reopens when the user writes") {
		t.Errorf("window refusal says %q", r.Error())
	}
	if n := len(e.wx.Received(appID, "o1")); n != 6 {
		t.Errorf("WeChat got %d sends, want 6", n)
	}
}

// TestEnterAllowsNWithinAMinute: entering the chat allows N sends in the next minute.
func TestEnterAllowsNWithinAMinute(t *testing.T) {
	rules := kefu.DefaultQuotaRules()
	rules.EnterSession.Sends = 2
	e := newEnv(t, envOptions{rules: rules})
	e.userEnters(t, "o1")
	e.sendAll(t, "o1", 2)
	e.refusal(t, "o1", kefu.RuleCount)

	e.userEnters(t, "o2")
	e.clock.Advance(61 * time.Second)
	r := e.refusal(t, "o2", kefu.RuleWindow)
	if !strings.Contains(r.Error(), "entered the chat") {
		t.Errorf("refusal says %q", r.Error())
	}
	if len(e.wx.Received(appID, "o2")) != 0 {
		t.Errorf("a refused message reached WeChat")
	}
}

// TestLedgerCorrectedByWeChat: when WeChat refuses what the ledger allowed (here:
// kefu saw a message WeChat did not count), the message fails with WeChat's reason
// and the next send is refused locally.
func TestLedgerCorrectedByWeChat(t *testing.T) {
	e := newEnv(t, envOptions{})
	// WeChat's window for o1 closed long ago; kefu ingests a message WeChat never
	// counted (as if its push were replayed).
	if err := e.wx.UserMessage(appID, "o1"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(49 * time.Hour)
	e.ingest(t, &kefu.Inbound{AppID: appID, OpenID: "o1", MsgType: "text", Kind: kefu.KindText, MsgID: 9, Content: "hi"})
	// Refusals within 2 s of the user's action are taken for crossing it in flight;
	// this one comes later.
	e.clock.Advance(5 * time.Second)
	id := e.send(t, "o1", text("WeChat says no"))
	e.settle(t, id)
	m := e.message(t, id)
	if m.Status != kefu.StatusFailed || m.ErrCode != kefu.WxWindowClosed || m.ErrReason == "" {
		t.Fatalf("message: %s %d %q", m.Status, m.ErrCode, m.ErrReason)
	}
	r := e.refusal(t, "o1", kefu.RuleWindow)
	if !strings.Contains(r.Error(), "45015") {
		t.Errorf("refusal after the correction: %q", r.Error())
	}

	// 45047: WeChat counted sends kefu did not make (another system replied).
	e.userWrites(t, "o2", 10)
	// Use WeChat's allowance behind kefu's back.
	for i := range 5 {
		if err := e.client.SendMessage(context.Background(), appID, &kefu.WireMessage{OpenID: "o2", Content: text(fmt.Sprint("other ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(5 * time.Second)
	id = e.send(t, "o2", text("one too many"))
	e.settle(t, id)
	if m := e.message(t, id); m.Status != kefu.StatusFailed || m.ErrCode != kefu.WxQuotaUsedUp {
		t.Fatalf("message: %s %d %q", m.Status, m.ErrCode, m.ErrReason)
	}
	e.refusal(t, "o2", kefu.RuleCount)
}

// TestConcurrentSendsTakeTheAllowanceOnce: 20 concurrent sends after one message:
// exactly 5 queued and delivered, 15 refused locally.
func TestConcurrentSendsTakeTheAllowanceOnce(t *testing.T) { testAllowanceOnce(t, envOptions{}) }

func testAllowanceOnce(t *testing.T, o envOptions) {
	e := newEnv(t, o)
	e.userWrites(t, "o1", 1)
	type result struct {
		id  int64
		err error
	}
	results := make(chan result, 20)
	for range 20 {
		go func() {
			id, err := e.out.Send(context.Background(), appID, "o1", text("x"))
			results <- result{id, err}
		}()
	}
	var ids []int64
	refused := 0
	for range 20 {
		r := <-results
		switch {
		case r.err == nil:
			ids = append(ids, r.id)
		case kefu.ErrorCodeOf(r.err) == kefu.EQuota:
			refused++
		default:
			t.Fatal(r.err)
		}
	}
	e.settle(t, ids...)
	if len(ids) != 5 || refused != 15 || len(e.wx.Received(appID, "o1")) != 5 {
		t.Errorf("queued %d, refused %d, delivered %d; want 5, 15, 5", len(ids), refused, len(e.wx.Received(appID, "o1")))
	}
}
