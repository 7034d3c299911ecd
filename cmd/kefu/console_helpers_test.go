package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// agentClient adds an agent to db (an admin when admin is set, serving apps) and
// returns an HTTP client signed in as them on s.
func agentClient(t *testing.T, s *server, db, login string, admin bool, apps ...string) *http.Client {
	t.Helper()
	args := []string{"agent", "add", "--login", login, "--name", login, "--password-file", passwordFile(t, "password of "+login)}
	if admin {
		args = append(args, "--admin")
	}
	if len(apps) > 0 {
		args = append(args, "--apps", strings.Join(apps, ","))
	}
	wantExit(t, kefuDB(t, db, args...), 0)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(s.url+"/login", url.Values{"login": {login}, "password": {"password of " + login}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		t.Fatalf("sign in as %s: %d at %s", login, resp.StatusCode, resp.Request.URL)
	}
	return c
}

// getWith is server.get through a client.
func getWith(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
