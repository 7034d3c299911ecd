package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// server is `kefu serve` running in-process through run().
type server struct {
	url    string
	cancel context.CancelFunc
	exit   chan int
	stderr *syncBuffer
}

// startServe runs serve on db and waits until it is ready.
func startServe(t *testing.T, db string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{url: "http://" + addr, cancel: cancel, exit: make(chan int, 1), stderr: &syncBuffer{}}
	args := append([]string{"serve", "--db", db, "--addr", addr, "--log-level", "warn"}, extra...)
	go func() { s.exit <- run(ctx, args, noEnv, io.Discard, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready after 30 s: %v\n%s", err, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop cancels the server's context, as SIGTERM does, and returns run's exit code.
func (s *server) stop(t *testing.T) int {
	s.cancel()
	select {
	case code := <-s.exit:
		s.exit <- code // later calls see it too
		return code
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop within 60 s\n%s", s.stderr)
		return -1
	}
}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return getWith(t, http.DefaultClient, s.url+path)
}

// push sends one signed secure push for the test app.
func (s *server) push(client *http.Client, signer *pushreq.Signer, msgID int64) (int, string, error) {
	m := &kefu.Inbound{ToUserName: testOrigID, OpenID: fmt.Sprintf("o%d", msgID%17), CreateTime: time.Now().Unix(),
		MsgType: "text", Kind: kefu.KindText, MsgID: msgID, Content: "hi"}
	req, err := signer.Build(m, time.Now().Unix(), "777")
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Post(s.url+"/wx/"+testAppID+"?"+req.Query.Encode(), req.ContentType, bytes.NewReader(req.Body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func testSigner(t *testing.T) *pushreq.Signer {
	t.Helper()
	app := &kefu.App{AppID: testAppID, OriginalID: testOrigID, Token: testToken, AESKey: testKey,
		Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	signer, err := pushreq.New(app, kefu.ModeSecure)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

func TestServeHealthMetricsAndPushes(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db)
	if code, body := s.get(t, "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	signer := testSigner(t)
	for range 2 { // the second is WeChat's retry
		if code, body, err := s.push(http.DefaultClient, signer, 42); err != nil || code != 200 || body != "success" {
			t.Fatalf("push = %d %q %v", code, body, err)
		}
	}
	_, metrics := s.get(t, "/metrics")
	for _, want := range []string{
		`kefu_pushes_total{app="` + testAppID + `",mode="secure",result="success"} 1`,
		`kefu_pushes_total{app="` + testAppID + `",mode="secure",result="duplicate"} 1`,
		`kefu_push_duplicates_total{app="` + testAppID + `"} 1`,
		`kefu_push_ack_seconds_count{app="` + testAppID + `"} 2`,
		`kefu_ingest_batch_size_count 2`, // the retry went through a commit too, finding its key
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// A refused push with an invented appid is counted without minting a series.
	resp, err := http.Post(s.url+"/wx/wxinvented0000000?timestamp=1", "text/xml", strings.NewReader("<xml/>"))
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("unknown app: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, m := s.get(t, "/metrics"); !strings.Contains(m, `app="unknown"`) || strings.Contains(m, "wxinvented") {
		t.Errorf("unknown appid metrics wrong")
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d\n%s", code, s.stderr)
	}
	if r := kefuDB(t, db, "messages", "--app", testAppID, "--json"); strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("stored after a push and its retry:\n%s", r)
	}
}

// Shutting down lets every push in flight finish: each one answered "success" is
// stored, and none is answered anything but "success" (such as a 503 from a store
// already closed).
func TestServeGracefulShutdown(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db)
	signer := testSigner(t)
	var mu sync.Mutex
	var acked []int64
	var bad []string
	var wg sync.WaitGroup
	started := make(chan struct{}, 1000)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second}
			for i := int64(0); i < 200; i++ {
				id := int64(w)*1000 + i + 1
				code, body, err := s.push(client, signer, id)
				if err != nil {
					return // the listener is closed: the push was never taken
				}
				mu.Lock()
				if code == 200 && body == "success" {
					acked = append(acked, id)
				} else {
					bad = append(bad, fmt.Sprintf("%d %q", code, body))
				}
				mu.Unlock()
				select {
				case started <- struct{}{}:
				default:
				}
			}
		}()
	}
	for range 100 {
		<-started
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d\n%s", code, s.stderr)
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("answers other than success during shutdown: %v", bad)
	}
	stored := map[int64]bool{}
	r := kefuDB(t, db, "messages", "--app", testAppID, "--json")
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var id int64
		if i := strings.Index(line, `"wx_msgid":`); i >= 0 {
			fmt.Sscanf(line[i+len(`"wx_msgid":`):], "%d", &id)
		}
		stored[id] = true
	}
	for _, id := range acked {
		if !stored[id] {
			t.Fatalf("push %d was answered success but is not stored", id)
		}
	}
	t.Logf("%d pushes acknowledged before and during shutdown, all stored", len(acked))
}

// kefu bench ingest, end to end against kefu serve, with the baseline and the
// exactly-once check.
func TestBenchIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a load generator: skipped in -short mode")
	}
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db)
	r := kefuDB(t, db, "bench", "ingest", "--app", testAppID, "--url", s.url+"/wx/"+testAppID, "-n", "300", "-c", "8")
	wantExit(t, r, 0, "300 sent, 300 success, 0 non-success", "0 missing from the store, 0 stored more than once")
	r = kefuDB(t, db, "bench", "ingest", "--app", testAppID, "--url", s.url+"/wx/"+testAppID, "-n", "200", "-c", "4", "--rate", "400")
	wantExit(t, r, 0, "offered 400/s", "200 sent, 200 success")
}
