package main

import (
	"bufio"
	"strings"
	"testing"
)

// TestShutdownEndsEventStreams: an open console does not hold up a shutdown.
// Its event stream ends when kefu begins to stop, and serve stops cleanly
// rather than after --shutdown-timeout with an error.
func TestShutdownEndsEventStreams(t *testing.T) {
	db := newDB(t)
	srv := startServe(t, db, "--shutdown-timeout", "1m")
	c := agentClient(t, srv, db, "li", false)
	resp, err := c.Get(srv.url + "/console/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("the stream did not open: %q", lines.Text())
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited %d with a console open\n%s", code, srv.stderr)
	}
	for lines.Scan() {
	}
	// The stream ended (the scanner stopped) and serve returned: both happened.
}
