package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/store/sqlstore"
	"kefu/wechat/api"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
	"kefu/worker"
)

// pngImage returns a small PNG whose pixels depend on seed.
func pngImage(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: seed, G: 2, B: 3, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSendEveryKind(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.userWrites(t, "o1", 1)
	ctx := context.Background()
	pic, err := e.out.StoreImage(ctx, appID, pngImage(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := e.out.StoreImage(ctx, appID, pngImage(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	link := `欢迎 <a href="http://www.qq.com" data-miniprogram-appid="` + appID + `" data-miniprogram-path="pages/index/index">点我</a>`
	ids := []int64{
		e.send(t, "o1", text(link)),
		e.send(t, "o1", kefu.Content{Kind: kefu.KindImage, Media: pic}),
		e.send(t, "o1", kefu.Content{Kind: kefu.KindLink, Title: "T", Description: "D", URL: "https://example.com/x", ThumbURL: "https://example.com/t.png"}),
		e.send(t, "o1", kefu.Content{Kind: kefu.KindCard, Title: "Card", PagePath: "pages/index/index?foo=bar", Media: thumb}),
	}
	e.settle(t, ids...)
	for _, id := range ids {
		if m := e.message(t, id); m.Status != kefu.StatusSent {
			t.Fatalf("message %d: %s %d %s", id, m.Status, m.ErrCode, m.ErrReason)
		}
	}
	got := e.wx.Received(appID, "o1")
	if len(got) != 4 {
		t.Fatalf("the user received %d messages, want 4: %+v", len(got), got)
	}
	if got[0].MsgType != "text" || got[0].Text != link {
		t.Errorf("text arrived as %+v", got[0])
	}
	if data, _, ok := e.wx.Media(got[1].MediaID); got[1].MsgType != "image" || !ok || !bytes.Equal(data, pngImage(t, 1)) {
		t.Errorf("image arrived as %+v", got[1])
	}
	if l := got[2].Link; got[2].MsgType != "link" || l == nil || l.Title != "T" || l.Description != "D" || l.URL != "https://example.com/x" || l.ThumbURL != "https://example.com/t.png" {
		t.Errorf("link arrived as %+v", got[2])
	}
	c := got[3].Card
	if got[3].MsgType != "miniprogrampage" || c == nil || c.Title != "Card" || c.PagePath != "pages/index/index?foo=bar" || c.AppID != appID {
		t.Fatalf("card arrived as %+v", got[3])
	}
	if data, _, ok := e.wx.Media(c.ThumbMediaID); !ok || !bytes.Equal(data, pngImage(t, 2)) {
		t.Errorf("the card's thumbnail is not the stored image")
	}
}

func TestImageUploadedOnceAndAgainWhenForgotten(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.userWrites(t, "o1", 1)
	pic, err := e.out.StoreImage(context.Background(), appID, pngImage(t, 7))
	if err != nil {
		t.Fatal(err)
	}
	a := e.send(t, "o1", kefu.Content{Kind: kefu.KindImage, Media: pic})
	e.settle(t, a)
	b := e.send(t, "o1", kefu.Content{Kind: kefu.KindImage, Media: pic})
	e.settle(t, b)
	got := e.wx.Received(appID, "o1")
	if len(got) != 2 || got[0].MediaID != got[1].MediaID {
		t.Fatalf("within 3 days the image should be uploaded once: %+v", got)
	}
	// WeChat forgets it (40007) although our record says it lives: upload again.
	if err := e.store.SaveUpload(context.Background(), appID, pic, "MEDIA_WECHAT_FORGOT", start.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := e.send(t, "o1", kefu.Content{Kind: kefu.KindImage, Media: pic})
	e.settle(t, c)
	if m := e.message(t, c); m.Status != kefu.StatusSent {
		t.Fatalf("after 40007: %s %d %s", m.Status, m.ErrCode, m.ErrReason)
	}
	got = e.wx.Received(appID, "o1")
	if len(got) != 3 || got[2].MediaID == got[0].MediaID {
		t.Fatalf("after 40007 the image should be uploaded again: %+v", got)
	}
}

func TestStoreImageRefusesWhatWeChatWouldNot(t *testing.T) {
	e := newEnv(t, envOptions{noRun: true})
	ctx := context.Background()
	if _, err := e.out.StoreImage(ctx, appID, []byte("GIF89a not taken")); kefu.ErrorCodeOf(err) != kefu.EInvalid {
		t.Errorf("a GIF: %v", err)
	}
	big := append(pngImage(t, 1), make([]byte, kefu.MaxImageBytes)...)
	if _, err := e.out.StoreImage(ctx, appID, big); kefu.ErrorCodeOf(err) != kefu.EInvalid || !strings.Contains(err.Error(), "at most") {
		t.Errorf("an oversized PNG: %v", err)
	}
}

// TestOrderPerCustomer: every message to a customer arrives, once and in the order
// queued, even when some attempts fail and are retried.
func TestOrderPerCustomer(t *testing.T) { testOrder(t, envOptions{}) }

func testOrder(t *testing.T, o envOptions) {
	o.rules = kefu.DefaultQuotaRules()
	o.rules.UserMessage.Sends = 1000
	// Enough tries that no message runs out of them against 30% of -1 answers: every
	// one must arrive, so a sender that delivers nothing (or drops one) fails the test.
	sender := o.sender
	o.sender = func(c *worker.SenderConfig) {
		if sender != nil {
			sender(c)
		}
		c.MaxAttempts = 1000
	}
	e := newEnv(t, o)
	e.wx.SetFaults(sim.Faults{SystemErrorShare: 0.3})
	const customers, n = 3, 30
	e.settle(t, e.roundRobin(t, customers, n)...)
	for c := range customers {
		var want []string // what roundRobin queued for this customer, in order
		for i := c; i < n; i += customers {
			want = append(want, fmt.Sprintf("m%03d", i))
		}
		if got := e.receivedTexts(fmt.Sprintf("o%d", c)); !slices.Equal(got, want) {
			t.Errorf("customer o%d received %d messages %v, want each of %d once, in order: %v", c, len(got), got, len(want), want)
		}
	}
}

// TestFaultsNeitherLoseNorDuplicate injects WeChat's -1 and replies lost after
// delivery: every message ends sent exactly once (counted by the simulated users) or
// failed with a reason, and none arrives twice.
func TestFaultsNeitherLoseNorDuplicate(t *testing.T) { testFaults(t, envOptions{}) }

func testFaults(t *testing.T, o envOptions) {
	o.rules = kefu.DefaultQuotaRules()
	o.rules.UserMessage.Sends = 1000
	e := newEnv(t, o)
	e.wx.SetFaults(sim.Faults{SystemErrorShare: 0.3, DropSendReplyShare: 0.1})
	const customers, perCustomer = 10, 20
	for c := range customers {
		e.userWrites(t, fmt.Sprintf("o%d", c), int64(c+1))
	}
	type sent struct {
		id     int64
		openID string
		text   string
	}
	var all []sent
	for i := range customers * perCustomer {
		o, txt := fmt.Sprintf("o%d", i%customers), fmt.Sprintf("message %d", i)
		all = append(all, sent{e.send(t, o, text(txt)), o, txt})
	}
	ids := make([]int64, len(all))
	for i, s := range all {
		ids[i] = s.id
	}
	e.settle(t, ids...)
	e.wx.SetFaults(sim.Faults{})
	var nSent, nLost, nGaveUp int
	for _, s := range all {
		m := e.message(t, s.id)
		got := e.received(s.openID)[s.text]
		switch {
		case got > 1:
			t.Errorf("%q arrived %d times", s.text, got)
		case m.Status == kefu.StatusSent:
			nSent++
			if got != 1 {
				t.Errorf("%q is sent but arrived %d times", s.text, got)
			}
		case m.Status == kefu.StatusFailed:
			if m.ErrReason == "" {
				t.Errorf("%q failed without a reason", s.text)
			}
			if m.ErrCode == -1 {
				nGaveUp++
				if got != 0 {
					t.Errorf("%q failed on -1 but arrived", s.text)
				}
			} else {
				nLost++ // the answer was lost: it may have arrived, and was not sent again
			}
		default:
			t.Errorf("%q ended %s", s.text, m.Status)
		}
	}
	t.Logf("%d sent, %d answers lost (not resent), %d gave up after -1", nSent, nLost, nGaveUp)
	if nSent == 0 || nLost == 0 {
		t.Errorf("the faults did not show: %d sent, %d lost", nSent, nLost)
	}
}

// TestTokensSupersededAndExpiredMidRun: a token forced out by another caller and one
// expiring mid-run cost a refresh each and no message.
func TestTokensSupersededAndExpiredMidRun(t *testing.T) {
	for _, mode := range []api.TokenMode{api.TokenStable, api.TokenClassic} {
		t.Run(mode.String(), func(t *testing.T) {
			rules := kefu.DefaultQuotaRules()
			rules.UserMessage.Sends = 1000
			e := newEnv(t, envOptions{rules: rules, tokenMode: mode})
			e.userWrites(t, "o1", 1)
			var ids []int64
			batch := func(n int) {
				for i := range n {
					ids = append(ids, e.send(t, "o1", text(fmt.Sprintf("%d-%d", len(ids), i))))
				}
				e.settle(t, ids...)
			}
			batch(5)
			before := e.wx.TokenFetches(appID)
			supersede(t, e, mode)
			batch(5)
			e.wx.ExpireTokens(appID)
			batch(5)
			for _, id := range ids {
				if m := e.message(t, id); m.Status != kefu.StatusSent {
					t.Fatalf("message %d: %s %d %s", id, m.Status, m.ErrCode, m.ErrReason)
				}
			}
			if n := len(e.wx.Received(appID, "o1")); n != 15 {
				t.Errorf("received %d, want 15", n)
			}
			// One out-of-band fetch by supersede, one refresh after each event.
			if got := e.wx.TokenFetches(appID) - before; got != 3 {
				t.Errorf("token fetches after the start: %d, want 3 (one out of band, two refreshes)", got)
			}
		})
	}
}

// supersede gets a new token behind the client's back: force_refresh for stable
// tokens, and for classic ones a new token with the clock moved past the 5 minutes
// the old one keeps working.
func supersede(t *testing.T, e *env, mode api.TokenMode) {
	t.Helper()
	var resp *http.Response
	var err error
	if mode == api.TokenStable {
		resp, err = http.Post(e.server.URL+"/cgi-bin/stable_token", "application/json",
			strings.NewReader(`{"grant_type":"client_credential","appid":"`+appID+`","secret":"`+secret+`","force_refresh":true}`))
	} else {
		resp, err = http.Get(e.server.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + appID + "&secret=" + secret)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if mode == api.TokenClassic {
		e.clock.Advance(6 * time.Minute)
	}
}

// TestConcurrentSendsFetchOneToken: 100 sends at once, cold cache, one fetch.
func TestConcurrentSendsFetchOneToken(t *testing.T) {
	e := newEnv(t, envOptions{sender: func(c *worker.SenderConfig) { c.Concurrency = 100 }})
	var ids []int64
	for i := range 100 {
		e.userWrites(t, fmt.Sprintf("o%d", i), int64(i+1))
	}
	e.stopSender()
	for i := range 100 {
		ids = append(ids, e.send(t, fmt.Sprintf("o%d", i), text("hello")))
	}
	e.run(t)
	e.settle(t, ids...)
	for _, id := range ids {
		if m := e.message(t, id); m.Status != kefu.StatusSent {
			t.Fatalf("message %d: %s %s", id, m.Status, m.ErrReason)
		}
	}
	if n := e.wx.TokenFetches(appID); n != 1 {
		t.Errorf("100 concurrent sends made %d token fetches, want 1", n)
	}
}

// TestRestartSendsQueuedOnce: messages queued while no sender runs are sent by the
// next one, each once; one left "sending" by a process that died is failed, not
// resent.
func TestRestartSendsQueuedOnce(t *testing.T) { testRestart(t, envOptions{}) }

func testRestart(t *testing.T, o envOptions) {
	o.noRun = true
	e := newEnv(t, o)
	ctx := context.Background()
	e.userWrites(t, "o1", 1)
	e.userWrites(t, "o2", 2)
	crashed := e.send(t, "o2", text("in flight when the process died"))
	if _, ok, err := e.store.ClaimOutbound(ctx, crashed, e.clock.Now()); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	var ids []int64
	for i := range 4 {
		ids = append(ids, e.send(t, "o1", text(fmt.Sprintf("queued %d", i))))
	}
	// The process stops; a new one opens the same database.
	e.store.Close()
	e.openStore(t)
	e.sender = worker.NewSender(worker.SenderConfig{Store: e.store, API: e.client, Clock: e.clock, Poll: 5 * time.Millisecond, Publisher: e.hub})
	var ended sync.Map // message id → published outbound.ended
	defer e.hub.Subscribe(func(ev kefu.Event) {
		if ev.Kind == kefu.EventDeliveryEnded {
			ended.Store(ev.MessageID, true)
		}
	})()
	e.run(t)
	e.settle(t, ids...)
	got := e.received("o1")
	for i := range 4 {
		if n := got[fmt.Sprintf("queued %d", i)]; n != 1 {
			t.Errorf("queued %d arrived %d times", i, n)
		}
	}
	// The abandoned one is failed once its lease is over, and never sent.
	e.clock.Advance(3 * time.Minute)
	e.sender.Wake()
	simtest.WaitFor(t, func() bool { return e.message(t, crashed).Status == kefu.StatusFailed }, "the abandoned message to fail")
	if m := e.message(t, crashed); !strings.Contains(m.ErrReason, "may have been delivered") {
		t.Errorf("abandoned message reason: %q", m.ErrReason)
	}
	if len(e.wx.Received(appID, "o2")) != 0 {
		t.Errorf("the abandoned message was sent")
	}
	// Open consoles learn of it as of any other send that ended.
	simtest.WaitFor(t, func() bool { _, ok := ended.Load(crashed); return ok }, "outbound.ended for the abandoned message")
}

// TestShutdownFinishesInFlight: stopping the sender lets a send in progress end
// and be recorded.
func TestShutdownFinishesInFlight(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.userWrites(t, "o1", 1)
	e.wx.SetFaults(sim.Faults{Latency: 50 * time.Millisecond})
	id := e.send(t, "o1", text("slow"))
	simtest.WaitFor(t, func() bool { return e.message(t, id).Status == kefu.StatusSending }, "the send to start")
	e.stopSender()
	if m := e.message(t, id); m.Status != kefu.StatusSent {
		t.Fatalf("after shutdown: %s %s", m.Status, m.ErrReason)
	}
}

func TestTypingBestEffort(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.userWrites(t, "o1", 1)
	ctx := context.Background()
	if err := e.out.Typing(ctx, appID, "o1", true); err != nil {
		t.Fatal(err)
	}
	if !e.wx.Typing(appID, "o1") {
		t.Fatal("the user does not see typing")
	}
	if err := e.out.Typing(ctx, appID, "o1", false); err != nil || e.wx.Typing(appID, "o1") {
		t.Fatalf("cancel typing: %v", err)
	}
	// No exchange in 30 s: WeChat refuses, the error comes back, nothing is queued.
	e.clock.Advance(time.Minute)
	err := e.out.Typing(ctx, appID, "o1", true)
	if f, ok := kefu.AsAPIFailure(err); !ok || f.ErrCode() != 45080 {
		t.Fatalf("typing after a minute: %v", err)
	}
	if ms, _ := e.store.DueOutbound(ctx, e.clock.Now(), 10); len(ms) != 0 {
		t.Errorf("typing queued something")
	}
}

// TestPostgres runs the sender's hardest cases on PostgreSQL.
func TestPostgres(t *testing.T) {
	pg := envOptions{postgres: true}
	t.Run("Faults", func(t *testing.T) { testFaults(t, pg) })
	t.Run("Order", func(t *testing.T) { testOrder(t, pg) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, pg) })
	t.Run("ConcurrentSendsTakeTheAllowanceOnce", func(t *testing.T) { testAllowanceOnce(t, pg) })
	t.Run("LedgerRefusesLocally", func(t *testing.T) { testLedgerRefuses(t, pg) })
	t.Run("InboundImage", func(t *testing.T) { testInboundImage(t, pg) })
	t.Run("TwoNodes", func(t *testing.T) { testTwoNodes(t, pg) })
}

// TestTwoNodes runs two senders, each with its own store handle on one database (two
// kefu processes): no message is sent twice and each customer's arrive in order.
func TestTwoNodes(t *testing.T) { testTwoNodes(t, envOptions{}) }

func testTwoNodes(t *testing.T, o envOptions) {
	o.rules = kefu.DefaultQuotaRules()
	o.rules.UserMessage.Sends = 1000
	// Every message must arrive: enough tries that none runs out of them against
	// 30% of -1 answers (with 8, one of 100 messages did in about 1 run of 150).
	o.sender = func(c *worker.SenderConfig) { c.MaxAttempts = 1000 }
	e := newEnv(t, o)
	e.wx.SetFaults(sim.Faults{SystemErrorShare: 0.3})
	rules := o.rules
	other, err := sqlstore.Open(context.Background(), e.dbPath, sqlstore.Options{Clock: e.clock, QuotaRules: &rules})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second := worker.NewSender(worker.SenderConfig{Store: other, API: e.client, Clock: e.clock, Poll: 5 * time.Millisecond, SendingLease: testLease, MaxAttempts: 1000,
		RetryBase: time.Second, RetryCeiling: 8 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); second.Run(ctx) }()
	defer func() { cancel(); <-done }()

	e.settle(t, e.roundRobin(t, 5, 100)...)
	for c := range 5 {
		texts := e.receivedTexts(fmt.Sprintf("o%d", c))
		if len(texts) != 20 {
			t.Errorf("customer o%d received %d messages, want 20", c, len(texts))
		}
		for i := 1; i < len(texts); i++ {
			if texts[i] <= texts[i-1] {
				t.Fatalf("customer o%d received out of order or twice: %v", c, texts)
			}
		}
	}
}
