package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium for a test; each browserContext in it is a
// separate profile (cookies apart), as two agents at two computers.
type browser struct {
	t    *testing.T
	root context.Context // the first tab, which starts Chromium
}

// newBrowser starts Debian's Chromium, or skips when KEFU_TEST_BROWSER is unset.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if os.Getenv("KEFU_TEST_BROWSER") == "" {
		t.Skip("KEFU_TEST_BROWSER unset: the headless Chromium tests are not required here")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, rcancel := chromedp.NewContext(actx)
	t.Cleanup(rcancel)
	// The first Do starts Chromium; it must not run under a timeout (that would
	// bound the browser's life), so a watchdog bounds the start instead.
	watchdog := time.AfterFunc(30*time.Second, rcancel)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("starting Chromium (/usr/bin/chromium): %v", err)
	}
	watchdog.Stop()
	return &browser{t: t, root: root}
}

// tab opens a tab in a profile of its own; its context has no deadline (that
// would bound the browser's life): each step bounds itself.
func (b *browser) tab() context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	watchdog := time.AfterFunc(30*time.Second, cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a tab: %v", err)
	}
	watchdog.Stop()
	return ctx
}

// do runs steps with a deadline, failing the test with the page's text.
func do(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.title + "\n" + (document.body ? document.body.innerText : "(no body)")`))
		t.Fatalf("%s: %v\npage:\n%s", what, err, text)
	}
}

// js runs a script in the page (for what a person does that chromedp has no
// action for: picking a select's option, say).
func js(script string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](script)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// shots is where screenshots go: $KEFU_SCREENSHOTS, or a folder in the temp
// directory; the test logs which.
func shots(t *testing.T) string {
	dir := os.Getenv("KEFU_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "kefu-console-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the tab as dir/name.png.
func screenshot(t *testing.T, tab context.Context, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// viewport sizes the tab: a desktop, or a phone.
func viewport(w, h int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, h)
}

// cutProxy stands between the browser and kefu: cut drops every connection and
// refuses new ones, as a network that fails; mend lets them through again.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: strings.TrimPrefix(target, "http://"), conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.drop() })
	go p.serve()
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c] = true
		p.mu.Unlock()
		go p.pipe(c)
	}
}

func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *cutProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	p.mu.Unlock()
	if cut {
		p.drop()
	}
}

// jsString quotes s for a script.
func jsString(s string) string { return fmt.Sprintf("%q", s) }
