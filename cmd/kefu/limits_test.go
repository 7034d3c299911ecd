package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu"
	"kefu/store/sqlstore"
)

// storeImage puts a large blob in the media table of db, as the media fetcher
// would, and returns its key.
func storeImage(t *testing.T, db string, size int) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), db, sqlstore.Options{NoIngest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	data := make([]byte, size)
	copy(data, "\x89PNG\r\n\x1a\n")
	m := &kefu.Media{AppID: testAppID, ContentType: "image/png", Data: data}
	if err := store.PutMedia(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m.Key
}

// A client that asks for a large image and then reads nothing must not hold the
// connection, and the image in memory, for ever: the answer is cut at
// --media-timeout.
func TestSlowMediaReaderIsCut(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	const size = 9 << 20
	key := storeImage(t, db, size)
	s := startServe(t, db, "--media-timeout", "1s")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /media/%s HTTP/1.1\r\nHost: kefu\r\n\r\n", key)
	time.Sleep(2500 * time.Millisecond) // past the deadline, reading nothing
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer head: %v", err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	if n >= size {
		t.Fatalf("the slow reader got all %d bytes: the answer was never cut", n)
	}
	t.Logf("the slow reader got %d of %d bytes before the connection was cut", n, size)
}

// Request headers are bounded far below Go's 1 MiB default: a request line of
// 900 KB is refused before any handler sees it.
func TestHeaderSizeBounded(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db)
	resp, err := http.Post(s.url+"/wx/wx"+strings.Repeat("a", 900<<10)+"?timestamp=1", "text/xml", strings.NewReader("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 900 KB request line: %d, want 431", resp.StatusCode)
	}
	if strings.Contains(s.stderr.String(), strings.Repeat("a", 1000)) {
		t.Fatal("the path was logged")
	}
}

// A --debug-addr that is not on loopback is served, with a warning.
func TestDebugAddrWarnsBeyondLoopback(t *testing.T) {
	db := newDB(t)
	addApp(t, db)
	s := startServe(t, db, "--debug-addr", "0.0.0.0:0")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stderr.String(), "pprof listens beyond this machine") {
		if time.Now().After(deadline) {
			t.Fatalf("no warning for a public --debug-addr:\n%s", s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for addr, want := range map[string]bool{
		"127.0.0.1:6060": true, "[::1]:6060": true, "localhost:6060": true,
		":6060": false, "0.0.0.0:6060": false, "10.0.0.5:6060": false, "example.com:6060": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v", addr, got)
		}
	}
}
