package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startSim runs `kefu sim` in-process against target and waits until it serves.
func startSim(t *testing.T, target string) (base string, stdout *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout = &syncBuffer{}
	stderr := &syncBuffer{}
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, []string{"sim", "--addr", addr, "--target", target}, noEnv, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("kefu sim exited %d\n%s", code, stderr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("kefu sim did not stop\n%s", stderr)
		}
	})
	base = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/sim/api/users")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base, stdout
			}
		}
		select {
		case code := <-exit:
			t.Fatalf("kefu sim exited %d\n%s", code, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("kefu sim not serving after 30 s: %v\n%s", err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// successTarget is a developer server that answers every push with success.
func successTarget(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sendText sends content to openID through the simulator's send API, as a
// developer server would.
func sendText(t *testing.T, base, openID, content string) {
	t.Helper()
	resp, err := http.Post(base+"/cgi-bin/stable_token", "application/json", strings.NewReader(
		fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, demoAppID, demoSecret)))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatal("stable_token gave no token")
	}
	body, _ := json.Marshal(map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": content}})
	resp, err = http.Post(base+"/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok.AccessToken),
		"application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"errcode":0`) {
		t.Fatalf("custom/send: %s", b)
	}
}

func TestSimDemo(t *testing.T) {
	base, stdout := startSim(t, successTarget(t))
	for _, want := range []string{"kefu app add --appid " + demoAppID, "kefu serve --wechat-api " + base} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	resp, err := http.Post(base+"/sim/api/apps/"+demoAppID+"/users/ocli/text", "application/json", strings.NewReader(`{"content":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"outcome":"delivered"`) {
		t.Fatalf("text: %s", b)
	}
	sendText(t, base, "ocli", "reply")
	resp, err = http.Get(base + "/sim/api/apps/" + demoAppID + "/users/ocli/chat")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"text":"reply"`) {
		t.Fatalf("chat lacks the reply: %s", b)
	}
}

// TestSimPhoneBrowser drives the phone page in headless Chromium: a user writes,
// a message is sent to them through the send API, and the page shows it live.
func TestSimPhoneBrowser(t *testing.T) {
	bctx := newBrowser(t).tab()
	base, _ := startSim(t, successTarget(t))
	ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()

	const openID = "obrowser1"
	if err := chromedp.Do(ctx,
		step("navigate", chromedp.Navigate(base+"/")),
		step("page", chromedp.WaitVisible(`.adduser input[name=openid]`)),
		waitJS(`document.querySelector("#live").className === "on"`),
		step("type openid", chromedp.SendKeys(`.adduser input[name=openid]`, openID)),
		step("add user", chromedp.Click(`.adduser button`)),
		step("phone", chromedp.WaitVisible(`#phone`)),
		waitJS(`document.querySelector("#who").textContent.startsWith("`+openID+`")`),
		step("type text", chromedp.SendKeys(`#text input[name=content]`, "浏览器里的用户消息")),
		step("send", chromedp.Click(`#send`)),
		waitJS(`[...document.querySelectorAll("#chat li.me")].some(li => li.textContent.includes("浏览器里的用户消息") && li.textContent.includes("已送达"))`),
	); err != nil {
		html, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : "(no body)"`))
		t.Fatalf("writing as the user: %v\npage:\n%s", err, html)
	}

	sendText(t, base, openID, "来自客服的回复")
	if err := chromedp.Do(ctx,
		waitJS(`[...document.querySelectorAll("#chat li.them")].some(li => li.textContent.includes("来自客服的回复"))`),
	); err != nil {
		t.Fatalf("waiting for the reply on the page: %v", err)
	}
}

// waitJS polls expr in the page until it is true; the caller's context bounds it.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, fmt.Errorf("evaluating %s: %w", expr, err)
			}
			if ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-tick.C:
			}
		}
	}
}

// step names an action in its error.
func step(name string, a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return v, err
	}
}
