package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/auth"
)

// examplePath turns a route pattern into a path to request.
func examplePath(pattern string) (method, path string) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "GET", pattern
	}
	r := strings.NewReplacer("{id}", "1", "{key}", "somekey", "{appid}", app1, "{$}", "")
	path = r.Replace(path)
	switch path {
	case "/wx/":
		path = "/wx/" + app1
	case "/static/":
		path = "/static/console.css"
	}
	return method, path
}

// publicRoutes are the only routes that answer without a session: WeChat's
// webhook, signing in and out, health, metrics and the console's static files.
var publicRoutes = map[string]bool{
	"/wx/": true, "GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /static/": true,
	"GET /login": true, "POST /login": true, "POST /logout": true,
}

// Every route the server registers: none but the public ones answers without a
// session (pages send to the sign-in, the API says 401); with an agent's
// session, the admins' ones refuse.
func TestEveryRouteNeedsASession(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Metrics = http.NotFoundHandler() })
	anon, agent := e.anonymous(), e.signIn("a1")
	routes := e.srv.routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes: the table is not the whole server", len(routes))
	}
	for _, r := range routes {
		if (r.access == public) != publicRoutes[r.pattern] {
			t.Errorf("%s: public is %v, and only %v may be", r.pattern, r.access == public, publicRoutes)
		}
		if r.access == public {
			continue
		}
		method, path := examplePath(r.pattern)
		resp := anon.do(method, path, strings.NewReader("{}"), "application/json")
		signInPage := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
		if resp.StatusCode != http.StatusUnauthorized && !signInPage {
			t.Errorf("%s: answered %d without a session, want 401 or the sign-in page", r.pattern, resp.StatusCode)
		}
		if r.access == admins {
			if resp := agent.do(method, path, strings.NewReader("{}"), "application/json"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: an agent got %d, want 403", r.pattern, resp.StatusCode)
			}
		}
	}
}

// An agent sees and acts only on the mini programs they serve: every
// conversation endpoint answers "no such conversation" for another's, the desk
// lists none of them, the event stream carries none of their events, and their
// images are not served.
func TestAgentSeesOnlyTheirMiniPrograms(t *testing.T) {
	e := newEnv(t)
	a1 := e.signIn("a1")
	for _, r := range e.srv.routes() {
		if !strings.Contains(r.pattern, "{id}") || !strings.HasPrefix(r.pattern, "GET /console/api/conversations") && !strings.HasPrefix(r.pattern, "POST /console/api/conversations") {
			continue
		}
		method, path := examplePath(r.pattern)
		path = strings.Replace(path, "/1", fmt.Sprintf("/%d", e.conv2), 1)
		body := `{"text":"hi","to":1,"seen":1,"id":1,"on":true}`
		resp := a1.do(method, path, strings.NewReader(body), "application/json")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on another mini program's conversation: %d, want 404", r.pattern, resp.StatusCode)
		}
	}
	if r, _ := e.store.Routing(context.Background(), e.conv2); r.State != kefu.Waiting {
		t.Fatalf("another mini program's conversation changed: %+v", r)
	}
	d := decode[deskView](t, a1.get("/console/api/desk"))
	if len(d.Waiting) != 1 || d.Waiting[0].App != app1 || len(d.Apps) != 1 {
		t.Fatalf("a1's desk: %+v", d)
	}

	// Images: an app2 image is not served to a1, and is to an agent of app2.
	img := &kefu.Media{AppID: app2, ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\nfake")}
	if err := e.store.PutMedia(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	if resp := a1.get("/media/" + img.Key); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another mini program's image: %d, want 404", resp.StatusCode)
	}
	if resp := e.signIn("a2").get("/media/" + img.Key); resp.StatusCode != http.StatusOK {
		t.Errorf("an agent of the image's mini program: %d", resp.StatusCode)
	}

	// The event stream.
	stream := a1.get("/console/events")
	if stream.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", stream.StatusCode)
	}
	events := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				events <- line
			}
		}
		close(events)
	}()
	e.write(app2, "oUser2", "app2 again")
	e.write(app1, "oUser1", "app1 again")
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line := <-events:
			if strings.Contains(line, app2) {
				t.Fatalf("a1's stream carried app2's event: %s", line)
			}
			if strings.Contains(line, app1) && strings.Contains(line, "message.stored") {
				return // app1's event came, after app2's was published: none of app2's passed
			}
		case <-deadline:
			t.Fatal("a1's stream never carried app1's event")
		}
	}
}

// A state-changing request from another site is refused, whatever cookie it
// carries.
func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t)
	a1 := e.signIn("a1")
	resp := a1.do(http.MethodPost, fmt.Sprintf("/console/api/conversations/%d/accept", e.conv1), strings.NewReader("{}"),
		"application/json", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site accept: %d, want 403", resp.StatusCode)
	}
	resp = a1.do(http.MethodPost, "/logout", nil, "", "Sec-Fetch-Site", "", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out posted from another origin: %d, want 403", resp.StatusCode)
	}
	if r, _ := e.store.Routing(context.Background(), e.conv1); r.State != kefu.Waiting {
		t.Fatal("the cross-site request took effect")
	}
}

// Sign-in refuses a login after 5 failures and an address after 20, with a
// message that says how long to wait; the right password does not pass meanwhile.
func TestSignInIsRateLimited(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	try := func(login, pw string) *http.Response {
		return c.form("/login", url.Values{"login": {login}, "password": {pw}})
	}
	for i := range 5 {
		if resp := try("a1", "wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := try("a1", "password of a1")
	body := readAll(resp)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "15 分钟") {
		t.Fatalf("the right password after 5 failures: %d\n%s", resp.StatusCode, body)
	}
	if resp := try("a2", "password of a2"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another login from the address: %d", resp.StatusCode)
	}
	for i := range 15 {
		try(fmt.Sprintf("nobody%d", i), "wrong")
	}
	if resp := try("boss", "password of boss"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d", resp.StatusCode)
	}
	e.clock.Advance(16 * time.Minute)
	if resp := try("a1", "password of a1"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

// The session cookie is HttpOnly and SameSite=Lax; the store keeps only its hash;
// sign-out revokes it; sessions end after their idle and absolute times.
func TestSessions(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionIdle, c.SessionMax = time.Hour, 3*time.Hour })
	c := e.anonymous()
	resp := c.form("/login", url.Values{"login": {"a1"}, "password": {"password of a1"}})
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == SessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Fatalf("session cookie %+v", cookie)
	}
	if _, err := e.store.Session(context.Background(), cookie.Value); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Fatal("the store holds the token itself")
	}
	if _, err := e.store.Session(context.Background(), auth.TokenHash(cookie.Value)); err != nil {
		t.Fatalf("the store lacks the token's hash: %v", err)
	}
	if resp := c.get("/console/api/desk"); resp.StatusCode != 200 {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	// Idle: 50 minutes, a request, 50 minutes: still in; 61 idle: out.
	e.clock.Advance(50 * time.Minute)
	c.get("/console/api/desk")
	e.clock.Advance(50 * time.Minute)
	if resp := c.get("/console/api/desk"); resp.StatusCode != 200 {
		t.Fatalf("active within the idle time: %d", resp.StatusCode)
	}
	e.clock.Advance(61 * time.Minute)
	if resp := c.get("/console/api/desk"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after 61 idle minutes: %d", resp.StatusCode)
	}
	// Absolute: however active, 3 hours is the end.
	c = e.signIn("a1")
	for range 8 {
		e.clock.Advance(25 * time.Minute)
		c.get("/console/api/desk")
	}
	if resp := c.get("/console/api/desk"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after the absolute time: %d", resp.StatusCode)
	}
	// Sign-out revokes: the old cookie no longer works.
	c = e.signIn("a1")
	old := c.http.Jar.Cookies(mustURL(e.http.URL))
	c.do(http.MethodPost, "/logout", nil, "")
	replay := e.anonymous()
	replay.http.Jar.SetCookies(mustURL(e.http.URL), old)
	if resp := replay.get("/console/api/desk"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a signed-out session's cookie: %d", resp.StatusCode)
	}
	// Behind TLS, the cookie is Secure.
	e2 := newEnv(t, func(c *Config) { c.SecureCookies = true })
	resp = e2.anonymous().form("/login", url.Values{"login": {"a1"}, "password": {"password of a1"}})
	if ck := resp.Cookies(); len(ck) == 0 || !ck[0].Secure {
		t.Fatalf("with SecureCookies: %+v", ck)
	}
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

func readAll(resp *http.Response) string {
	var b strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&b)
	return b.String()
}

// Sign-in attempts made at once are held to the limit too: each counts from
// the start, not once its password check has failed.
func TestSignInBurstIsRateLimited(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	codes := make(chan int, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := e.anonymous().form("/login", url.Values{"login": {"a1"}, "password": {"wrong"}})
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		switch c {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("a sign-in in the burst answered %d", c)
		}
	}
	if checked != 5 {
		t.Fatalf("%d of 30 simultaneous attempts had their password checked; want 5", checked)
	}
}
