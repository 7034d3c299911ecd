package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
	"kefu/wechat/webhook"
)

// countingApps is an app lookup that knows no app and counts how often it is asked.
type countingApps struct{ calls atomic.Int64 }

func (c *countingApps) App(ctx context.Context, appID string) (*kefu.App, error) {
	c.calls.Add(1)
	return nil, kefu.Errorf(kefu.ENotFound, "no app %s", appID)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An invented appid costs one database read a second at most, however often it is
// requested, and one of a shape kefu never registers (a path of any length) costs
// none and is not written to the log.
func TestUnknownAppidsCostLittle(t *testing.T) {
	apps := &countingApps{}
	clock := testclock.New(time.Unix(1714112445, 0))
	var logs lockedBuffer
	mux := http.NewServeMux()
	webhook.New(webhook.Config{Apps: apps, Ingester: nil, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Register(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	post := func(appID string) int {
		resp, err := http.Post(ts.URL+"/wx/"+appID+"?timestamp=1714112445", "text/xml", strings.NewReader("<xml/>"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 50 {
		if code := post("wxinvented00000001"); code != 404 {
			t.Fatalf("invented appid: %d", code)
		}
	}
	if n := apps.calls.Load(); n != 1 {
		t.Fatalf("50 requests for one invented appid read the store %d times, want 1", n)
	}
	clock.Advance(2 * time.Second)
	post("wxinvented00000001")
	if n := apps.calls.Load(); n != 2 {
		t.Fatalf("after the cache time the appid was looked up %d times in all, want 2", n)
	}
	long := "wx" + strings.Repeat("A", 20000)
	if code := post(long); code != 404 {
		t.Fatalf("malformed appid: %d", code)
	}
	if n := apps.calls.Load(); n != 2 {
		t.Fatalf("a malformed appid was looked up")
	}
	if l := logs.String(); strings.Contains(l, "AAAAAAAAAA") || !strings.Contains(l, "(malformed)") {
		t.Fatalf("log of a malformed appid:\n%.300s", l)
	}
}
