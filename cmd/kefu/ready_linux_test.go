package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"kefu"
)

// A disk that fills up makes every push fail with 503; readiness must say so, not
// stay 200 because reads still work, and must come back once writes succeed again.
// The full disk is a file-size limit put on the running server (writes past it
// fail with EFBIG, as on a full file system), lifted later.
func TestReadinessFollowsWhetherTheStoreCanCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kefu: skipped in -short mode")
	}
	bin := buildKefu(t)
	db := newDB(t)
	addApp(t, db)
	s := startServer(t, bin, db)
	signer := testSigner(t)
	post := func(id int64) int {
		m := &kefu.Inbound{ToUserName: testOrigID, OpenID: "oReady", CreateTime: time.Now().Unix(),
			MsgType: "text", Kind: kefu.KindText, MsgID: id, Content: fmt.Sprintf("message %d", id)}
		req, err := signer.Build(m, time.Now().Unix(), fmt.Sprint(id))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(s.pushURL(testAppID)+"?"+req.Query.Encode(), req.ContentType, bytes.NewReader(req.Body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	ready := func() int {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(1); code != 200 {
		t.Fatalf("push before the disk fills: %d", code)
	}
	if code := ready(); code != 200 {
		t.Fatalf("readyz before the disk fills: %d", code)
	}

	pid := s.cmd.Process.Pid
	var full unix.Rlimit
	full.Cur, full.Max = uint64(fileSize(t, db+"-wal")), unix.RLIM_INFINITY
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &full, nil); err != nil {
		t.Skipf("cannot limit the server's file size here: %v", err)
	}
	if code := post(2); code != http.StatusServiceUnavailable {
		t.Fatalf("push on a full disk: %d, want 503", code)
	}
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a full disk: %d, want 503", code)
	}

	room := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &room, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ready() != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("readyz stayed 503 after the disk had room again\n%s", s.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := post(2); code != 200 {
		t.Fatalf("WeChat's retry once the disk has room: %d", code)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
