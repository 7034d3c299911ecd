package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu"
	"kefu/wechat/sim"
	"kefu/wechat/sim/simtest"
)

// consoleWorld is a real kefu serve, the WeChat simulator (API, pushes, phone page)
// and a proxy in front of kefu that the test can cut.
type consoleWorld struct {
	db    string
	srv   *server
	sim   *sim.Simulator
	phone string // the simulator's base URL (its phone page is at /)
	proxy *cutProxy
}

func newConsoleWorld(t *testing.T) *consoleWorld {
	t.Helper()
	w := &consoleWorld{db: newDB(t)}
	addApp(t, w.db)
	s, ctl := sim.NewControlled(sim.Options{})
	hs := httptest.NewServer(ctl)
	t.Cleanup(hs.Close)
	s.SetPublicURL(hs.URL)
	w.sim, w.phone = s, hs.URL
	w.srv = startServe(t, w.db, "--wechat-api", hs.URL)
	app := kefu.App{AppID: testAppID, OriginalID: testOrigID, Secret: testSecret, Token: testToken,
		AESKey: testKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	if err := s.AddEndpoint(sim.Endpoint{App: app, URL: w.srv.url + "/wx/" + testAppID}, testSecret); err != nil {
		t.Fatal(err)
	}
	w.proxy = newCutProxy(t, w.srv.url)
	return w
}

// write pushes a user's message to kefu through the simulator.
func (w *consoleWorld) write(t *testing.T, openID, text string) {
	t.Helper()
	if res, err := w.sim.Text(context.Background(), testAppID, openID, text); err != nil || res.Outcome != sim.Delivered {
		t.Fatalf("%s writes %q: %+v %v", openID, text, res, err)
	}
}

// signIn opens the console in a new profile and signs in as an agent added to db,
// then sets the agent online.
func (w *consoleWorld) signIn(t *testing.T, b *browser, login string, admin bool) context.Context {
	t.Helper()
	args := []string{"agent", "add", "--login", login, "--name", "客服" + login, "--apps", testAppID,
		"--password-file", passwordFile(t, "password of "+login)}
	if admin {
		args = append(args, "--admin")
	}
	wantExit(t, kefuDB(t, w.db, args...), 0)
	tab := b.tab()
	do(t, tab, "sign in as "+login,
		chromedp.Navigate(w.proxy.url()+"/"),
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login`, login),
		chromedp.SendKeys(`#password`, "password of "+login),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#status`),
		// Signing in comes online, ready to accept.
		waitJS(`document.body.dataset.status === "online" && document.getElementById("status").value === "online"`),
	)
	return tab
}

// cardCount is a script counting a list's cards.
func cardCount(list string, n int) string {
	return fmt.Sprintf(`document.querySelectorAll("#%s li").length === %d`, list, n)
}

// openCard clicks the card of openID in a list.
func openCard(list, openID string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`[...document.querySelectorAll("#%s li button.card")].find(b => b.querySelector(".name").title === %s).click()`,
		list, jsString(openID)))
}

// clickAction clicks the conversation's action button whose text is label.
func clickAction(label string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`[...document.querySelectorAll("#actions button")].find(b => b.textContent === %s).click()`, jsString(label)))
}

// threadHas is a script true when the open thread shows text in a bubble.
func threadHas(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#messages .bubble")].some(b => b.textContent.includes(%s))`, jsString(text))
}

// TestConsoleInBrowser drives the console in headless Chromium against a real kefu
// and the simulator, as agents use it: a conversation appears live, is accepted and
// answered with text and an image that reach the phone; the reply window counts
// down and locks the composer; a conversation is transferred to a colleague in
// another browser and closed; a network cut during a burst of messages loses none.
// Screenshots of each state go to a folder the test names.
func TestConsoleInBrowser(t *testing.T) {
	b := newBrowser(t)
	w := newConsoleWorld(t)
	dir := shots(t)
	t.Logf("screenshots in %s", dir)

	li := w.signIn(t, b, "li", false)
	screenshot(t, li, dir, "01-desktop-zh-empty")

	// A user enters from a product page and writes: the conversation appears live.
	const user1 = "oBrowserUser001"
	if _, err := w.sim.Enter(context.Background(), testAppID, user1, "商品详情页"); err != nil {
		t.Fatal(err)
	}
	w.write(t, user1, "你好，我的订单还没有发货，能帮我查一下吗？")
	do(t, li, "the waiting conversation appears without a reload", waitJS(cardCount("waiting", 1)))
	screenshot(t, li, dir, "02-desktop-zh-waiting")

	do(t, li, "open and accept it",
		openCard("waiting", user1),
		waitJS(`document.querySelectorAll("#actions button").length > 0`),
		clickAction("接入"),
		waitJS(cardCount("mine", 1)),
		waitJS(`!document.getElementById("composer-text").disabled`),
		waitJS(`document.getElementById("quota").textContent.startsWith("可回复 5 条")`),
	)

	// While the agent types, the customer sees WeChat's typing state; the reply
	// ends it. Enter sends.
	do(t, li, "type", chromedp.SendKeys(`#composer-text`, "您好，请稍等，我帮您查一下"))
	simtest.WaitFor(t, func() bool { return w.sim.API().Typing(testAppID, user1) }, "the customer to see the agent typing")
	do(t, li, "reply with text",
		chromedp.SendKeys(`#composer-text`, "\n"),
		waitJS(`[...document.querySelectorAll("#messages .msg.out")].some(m => m.textContent.includes("您好，请稍等") && m.textContent.includes("已发送"))`),
		waitJS(`document.getElementById("quota").textContent.startsWith("可回复 4 条")`),
		// The list follows: the card shows the reply, and nothing unread.
		waitJS(`document.querySelector("#mine .preview").textContent.includes("您好，请稍等")`),
		waitJS(`!document.querySelector("#mine .badge")`),
	)
	// An image, through the picker.
	pic := filepath.Join(t.TempDir(), "reply.png")
	if err := os.WriteFile(pic, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, li, "reply with an image",
		chromedp.SetUploadFiles(`#image-input`, []string{pic}),
		waitJS(`[...document.querySelectorAll("#messages .msg.out")].some(m => m.querySelector("img") && m.textContent.includes("已发送"))`),
		waitJS(`document.getElementById("quota").textContent.startsWith("可回复 3 条")`),
	)
	do(t, li, "the list shows the image", waitJS(`document.querySelector("#mine .preview").textContent.includes("[图片]")`))
	if w.sim.API().Typing(testAppID, user1) {
		t.Error("the typing state outlived the reply")
	}
	got := w.sim.API().Received(testAppID, user1)
	if len(got) != 2 || got[0].Text != "您好，请稍等，我帮您查一下" || got[1].MsgType != "image" {
		t.Fatalf("the phone received %+v", got)
	}
	screenshot(t, li, dir, "03-desktop-zh-conversation")

	// The allowance counts down to nothing, and the composer locks, saying why.
	for i := range 3 {
		do(t, li, "spend the allowance",
			chromedp.SendKeys(`#composer-text`, fmt.Sprintf("第 %d 条补充说明\n", i+1)),
			waitJS(threadHas(fmt.Sprintf("第 %d 条补充说明", i+1))),
		)
	}
	do(t, li, "the composer locks",
		waitJS(`document.querySelector("#mine .preview").textContent.includes("第 3 条补充说明")`),
		waitJS(`document.getElementById("composer-text").disabled`),
		waitJS(`document.getElementById("quota").textContent.includes("已用完")`),
	)
	screenshot(t, li, dir, "04-desktop-zh-window-spent")

	// Another user: a colleague in another browser gets the conversation by transfer.
	wang := w.signIn(t, b, "wang", false)
	const user2 = "oBrowserUser002"
	w.write(t, user2, "请问可以开发票吗？")
	do(t, li, "accept the second conversation",
		waitJS(cardCount("waiting", 1)),
		openCard("waiting", user2),
		waitJS(`[...document.querySelectorAll("#actions button")].some(b => b.textContent === "接入")`),
		clickAction("接入"),
		waitJS(cardCount("mine", 2)),
		clickAction("转接"),
		waitJS(`document.getElementById("transfer-dialog").open`),
		waitJS(`[...document.querySelectorAll("#transfer-to option")].some(o => o.textContent === "客服wang")`),
		js(`(s => { s.value = [...s.options].find(o => o.textContent === "客服wang").value; })(document.getElementById("transfer-to"))`),
		chromedp.Click(`#transfer-agent`),
		waitJS(cardCount("mine", 1)),
	)
	do(t, wang, "the colleague has it, answers and closes it",
		waitJS(cardCount("mine", 1)),
		openCard("mine", user2),
		waitJS(`!document.getElementById("composer-text").disabled`),
		chromedp.SendKeys(`#composer-text`, "可以的，请提供抬头\n"),
		waitJS(`[...document.querySelectorAll("#messages .msg.out")].some(m => m.textContent.includes("请提供抬头") && m.textContent.includes("已发送"))`),
		clickAction("结束会话"),
		waitJS(cardCount("mine", 0)),
	)
	if got := w.sim.API().Received(testAppID, user2); len(got) != 1 || got[0].Text != "可以的，请提供抬头" {
		t.Fatalf("the second user received %+v", got)
	}

	// The network fails while a customer writes a burst; when it comes back, every
	// message shows, without a reload.
	const user3 = "oBrowserUser003"
	w.write(t, user3, "我还有一个问题")
	do(t, li, "accept the third conversation",
		waitJS(cardCount("waiting", 1)),
		openCard("waiting", user3),
		waitJS(`[...document.querySelectorAll("#actions button")].some(b => b.textContent === "接入")`),
		clickAction("接入"),
		waitJS(threadHas("我还有一个问题")),
		// Accepted (the answer came back) before the network goes.
		waitJS(cardCount("waiting", 0)), waitJS(cardCount("mine", 2)),
	)
	w.proxy.setCut(true)
	do(t, li, "the page says the connection is lost", waitJS(`!document.getElementById("banner").hidden && document.getElementById("banner").textContent.includes("连接已断开")`))
	screenshot(t, li, dir, "05-desktop-zh-connection-lost")
	var burst []string
	for i := range 12 {
		text := fmt.Sprintf("断网期间的第 %d 条消息", i+1)
		burst = append(burst, text)
		w.write(t, user3, text)
	}
	w.proxy.setCut(false)
	for _, text := range burst {
		do(t, li, "every message of the burst shows after the reconnect", waitJS(threadHas(text)))
	}
	do(t, li, "the banner goes", waitJS(`document.getElementById("banner").hidden || !document.getElementById("banner").textContent.includes("连接已断开")`))

	// A message containing HTML is shown as the text it is.
	w.write(t, user3, `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script><b>粗体</b>`)
	do(t, li, "HTML shows as text",
		waitJS(threadHas(`<script>document.title='pwned'</script>`)),
		waitJS(`document.title !== "pwned" && !document.querySelector("#messages b") && !document.querySelector("#messages img[src=x]")`),
	)

	// Long content: a long Chinese message, a URL without spaces, emoji.
	w.write(t, user3, strings.Repeat("这是一段很长的中文消息，用来检查换行是否正常。", 60))
	w.write(t, user3, "https://example.com/"+strings.Repeat("averyveryverylongpathwithoutanyspaces", 8))
	w.write(t, user3, "谢谢 😀👍🎉")
	do(t, li, "long content", waitJS(threadHas("谢谢 😀👍🎉")), js(`document.getElementById("messages").scrollTop = 1e9`),
		waitJS(`!document.querySelector("#mine .badge")`))
	screenshot(t, li, dir, "06-desktop-zh-long-content")

	// Phone width: list, conversation, customer screens.
	do(t, li, "phone width", viewport(390, 844), js(`document.getElementById("panes").dataset.screen = "lists"`))
	screenshot(t, li, dir, "07-phone-zh-lists")
	do(t, li, "phone conversation", openCard("mine", user3), waitJS(`document.getElementById("panes").dataset.screen === "conv"`))
	screenshot(t, li, dir, "08-phone-zh-conversation")
	do(t, li, "phone customer", chromedp.Click(`#info-toggle`), waitJS(`document.getElementById("panes").dataset.screen === "info"`))
	screenshot(t, li, dir, "09-phone-zh-customer")

	// English.
	do(t, li, "English", viewport(1280, 800), chromedp.Navigate(w.proxy.url()+"/?lang=en"), chromedp.WaitVisible(`#status`),
		waitJS(cardCount("mine", 2)), openCard("mine", user3), waitJS(threadHas("谢谢")))
	screenshot(t, li, dir, "10-desktop-en-conversation")
	do(t, li, "English phone", viewport(390, 844), js(`document.getElementById("panes").dataset.screen = "lists"`))
	screenshot(t, li, dir, "11-phone-en-lists")

	// A refusal is said in the agent's language: accepting while away.
	const user4 = "oBrowserUser004"
	w.write(t, user4, "有人吗？")
	do(t, li, "a refusal, in Chinese", viewport(1280, 800), chromedp.Navigate(w.proxy.url()+"/?lang=zh-CN"), chromedp.WaitVisible(`#status`),
		js(`(s => { s.value = "away"; s.dispatchEvent(new Event("change")); })(document.getElementById("status"))`),
		waitJS(`document.body.dataset.status === "away"`),
		waitJS(cardCount("waiting", 1)), openCard("waiting", user4),
		waitJS(`[...document.querySelectorAll("#actions button")].some(b => b.textContent === "接入")`),
		clickAction("接入"),
		waitJS(`!document.getElementById("toast").hidden && document.getElementById("toast").textContent.includes("在线")`),
	)
	screenshot(t, li, dir, "13-desktop-zh-refusal")

	// The admin page: mini programs with the URL to paste into WeChat, agents.
	boss := w.signIn(t, b, "boss", true)
	do(t, boss, "the admin page", chromedp.Navigate(w.proxy.url()+"/admin"),
		waitJS(`document.querySelectorAll("#apps tr").length === 1 && document.querySelectorAll("#agents tr").length >= 3`))
	screenshot(t, boss, dir, "14-desktop-zh-admin")
	do(t, boss, "the admin page at phone width", viewport(390, 844))
	screenshot(t, boss, dir, "15-phone-zh-admin")

	// The phone page of the simulator, at phone width.
	phone := b.tab()
	do(t, phone, "the simulator's phone", viewport(390, 844), chromedp.Navigate(w.phone+"/"), chromedp.WaitVisible(`body`))
	screenshot(t, phone, dir, "12-simulator-phone")
}
