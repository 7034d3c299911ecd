package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu"
	"kefu/bench"
	"kefu/store/sqlstore"
	"kefu/store/storetest"
)

// The crash test's app: secure mode, JSON, the values of store/storetest.
const (
	crashAppID  = "wxba5fad812f8e6fb9"
	crashOrigID = "gh_97417a04a28d"
	crashToken  = "AAAAA"
	crashKey    = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

const (
	crashPushes  = 3000
	crashUsers   = 300
	crashWorkers = 32
	crashWait    = 60 * time.Second // the bound on every wait; never a pass/fail timing
)

// TestCrashRecovery kills `kefu serve` with SIGKILL while pushes are in flight,
// restarts it on the same database, and checks invariants 1 and 3 of docs/architecture.md §4:
// every push answered "success" before the kill survived it, and after WeChat's
// retries every push is stored exactly once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds and runs the kefu binary: skipped in -short mode")
	}
	bin := buildKefu(t)
	t.Run("sqlite", func(t *testing.T) {
		crashRecovery(t, bin, filepath.Join(t.TempDir(), "kefu.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		crashRecovery(t, bin, storetest.FreshSchema(t, storetest.PostgresURL(t)))
	})
}

func crashRecovery(t *testing.T, bin, db string) {
	ctx := context.Background()
	app := &kefu.App{AppID: crashAppID, OriginalID: crashOrigID, Token: crashToken, AESKey: crashKey,
		Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	var out bytes.Buffer
	if code := run(ctx, []string{"app", "add", "--db", db, "--appid", app.AppID, "--original-id", app.OriginalID,
		"--token", app.Token, "--aes-key", app.AESKey, "--mode", "secure", "--format", "json"},
		func(string) string { return "" }, &out, &out); code != 0 {
		t.Fatalf("kefu app add: exit %d\n%s", code, out.String())
	}
	pushes, err := bench.BuildPushes(app, kefu.ModeSecure, crashPushes, crashUsers, time.Now())
	if err != nil {
		t.Fatalf("BuildPushes: %v", err)
	}
	client := &http.Client{
		Timeout:   crashWait,
		Transport: &http.Transport{MaxConnsPerHost: crashWorkers, MaxIdleConnsPerHost: crashWorkers},
	}
	t.Cleanup(client.CloseIdleConnections)

	// Run 1: send everything; kill -9 the server once a third is acknowledged.
	first := startServer(t, bin, db)
	killAt := crashPushes / 3
	var killed atomic.Bool
	var inFlightAtKill int64
	var killOnce sync.Once
	run1 := sendPushes(t, client, first.pushURL(app.AppID), pushes, allIndexes(len(pushes)), &killed,
		func(acked int, inFlight *atomic.Int64) {
			if acked < killAt {
				return
			}
			killOnce.Do(func() {
				killed.Store(true) // no new pushes; those in flight stay in flight
				inFlightAtKill = inFlight.Load()
				first.kill(t) // returns once the process is gone
			})
		})
	if !killed.Load() {
		t.Fatalf("only %d of %d pushes were acknowledged, so the server was never killed; first failure: %s",
			run1.count(pushAnswered), crashPushes, run1.firstErr)
	}
	ackedBefore := run1.indexes(pushAnswered)
	if len(ackedBefore) == crashPushes {
		t.Fatalf("every push was acknowledged before the kill took effect: the crash was not mid-run")
	}

	// Run 2: restart on the same database, as an operator (or systemd) would.
	second := startServer(t, bin, db)
	store, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	ids := make([]int64, len(pushes))
	for i, p := range pushes {
		ids[i] = p.MsgID
	}
	counts := countMsgIDs(t, store, ids)
	storedAfterRestart, missing := 0, 0
	for i := range pushes {
		storedAfterRestart += min(counts[ids[i]], 1)
	}
	for _, i := range ackedBefore {
		if counts[ids[i]] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d pushes answered success before the kill are missing after the restart", missing, len(ackedBefore))
	}
	dupsAfterRestart := duplicates(counts)
	if dupsAfterRestart > 0 {
		t.Errorf("%d pushes (MsgIds) are stored more than once after the restart", dupsAfterRestart)
	}

	// WeChat retries what it got no answer for, and may retry what was answered.
	unanswered := append(run1.indexes(pushFailed), run1.indexes(pushUnsent)...)
	var retried []int
	for n, i := range ackedBefore {
		if n%10 == 0 {
			retried = append(retried, i)
		}
	}
	resend := append(unanswered, retried...)
	run2 := sendPushes(t, client, second.pushURL(app.AppID), pushes, resend, nil, nil)
	if n := run2.count(pushAnswered); n != len(resend) {
		t.Errorf("after the restart %d of %d resent pushes were not answered success; first failure: %s",
			len(resend)-n, len(resend), run2.firstErr)
	}

	counts = countMsgIDs(t, store, ids)
	storedOnce, lost := 0, []string(nil)
	for i := range pushes {
		switch counts[ids[i]] {
		case 1:
			storedOnce++
		case 0:
			lost = append(lost, fmt.Sprintf("%d (MsgId %d)", i, ids[i]))
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d pushes are not stored after all were answered success, e.g. push %s", len(lost), lost[0])
	}
	dups := duplicates(counts)
	if dups > 0 {
		t.Errorf("%d pushes (MsgIds) are stored more than once after the resends", dups)
	}
	rows := appRows(t, store, app.AppID)
	if rows != len(pushes) {
		t.Errorf("the app has %d stored messages, want exactly %d, one per push", rows, len(pushes))
	}

	t.Logf("crash test (%s): %d pushes over %d connections, kill -9 after %d were acknowledged\n"+
		"before the kill:  %d answered success, %d in flight when kill -9 was sent, %d failed (no answer), %d not sent\n"+
		"after restart:    %d stored: %d of the %d acknowledged, and %d that were never answered; %d duplicates\n"+
		"resent:           %d unanswered + %d acknowledged (as WeChat retries): %d/%d answered success\n"+
		"final:            %d/%d pushes stored exactly once, %d messages in the store, %d duplicates",
		store.Dialect(), crashPushes, crashWorkers, killAt,
		len(ackedBefore), inFlightAtKill, run1.count(pushFailed), run1.count(pushUnsent),
		storedAfterRestart, len(ackedBefore)-missing, len(ackedBefore), storedAfterRestart-(len(ackedBefore)-missing), dupsAfterRestart,
		len(unanswered), len(retried), run2.count(pushAnswered), len(resend),
		storedOnce, len(pushes), rows, dups)
}

// buildKefu builds the binary under test into a temporary directory.
func buildKefu(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kefu")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// kefuServer is one `kefu serve` subprocess.
type kefuServer struct {
	cmd    *exec.Cmd
	addr   string
	output *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, once done
}

// startServer starts `kefu serve` on db and waits until it is ready. A free port is
// found by listening on :0 and closing; if another process takes it meanwhile, it
// tries again on another.
func startServer(t *testing.T, bin, db string) *kefuServer {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s := launchServer(t, bin, db, freeAddr(t))
		err := s.waitReady(crashWait)
		if err == nil {
			return s
		}
		s.kill(t)
		if attempt < 3 && strings.Contains(s.output.String(), "address already in use") {
			continue
		}
		t.Fatalf("kefu serve: %v\n%s", err, s.output.String())
	}
}

func launchServer(t *testing.T, bin, db, addr string) *kefuServer {
	t.Helper()
	s := &kefuServer{addr: addr, output: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--db", db, "--addr", addr, "--log-level", "warn")
	s.cmd.Env = envWithoutKefu()
	s.cmd.Stdout, s.cmd.Stderr = s.output, s.output
	dieWithTest(s.cmd)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start kefu serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.kill(t) })
	return s
}

// envWithoutKefu is this process's environment less any KEFU_* variable, which
// would otherwise configure the server under test.
func envWithoutKefu() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KEFU_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (s *kefuServer) pushURL(appID string) string { return "http://" + s.addr + "/wx/" + appID }

// waitReady polls /readyz until it answers 200, the process exits, or d passes.
func (s *kefuServer) waitReady(d time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(d)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("exited before it was ready: %v", s.err)
		default:
		}
		resp, err := client.Get("http://" + s.addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s: %v", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL, unless the process is already gone, and waits for it to exit.
func (s *kefuServer) kill(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(crashWait):
		t.Errorf("kefu serve (pid %d) had not exited %s after SIGKILL", s.cmd.Process.Pid, crashWait)
	}
}

// syncBuffer collects a subprocess's output while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// pushOutcome is what became of one push in one run.
type pushOutcome uint8

const (
	pushUnsent   pushOutcome = iota // not sent: the run stopped first
	pushAnswered                    // answered 200 "success"
	pushFailed                      // sent, but no answer or another answer
)

// sendRun is what became of each push of a batch.
type sendRun struct {
	batch    []int         // push indexes, in the order given
	outcomes []pushOutcome // by position in batch
	firstErr string
}

func (r *sendRun) count(o pushOutcome) int { return len(r.indexes(o)) }

// indexes lists the pushes of the batch that ended as o.
func (r *sendRun) indexes(o pushOutcome) []int {
	var out []int
	for k, got := range r.outcomes {
		if got == o {
			out = append(out, r.batch[k])
		}
	}
	return out
}

// sendPushes sends the pushes at batch from crashWorkers goroutines and records each
// answer. Once stop is set no new push is sent. onAck, if set, is called after every
// "success" with the number of successes so far and the count of requests in flight.
func sendPushes(t *testing.T, client *http.Client, url string, pushes []bench.Push, batch []int,
	stop *atomic.Bool, onAck func(acked int, inFlight *atomic.Int64)) *sendRun {
	t.Helper()
	// However the server behaves, the whole batch gets crashWait, not one per push.
	ctx, cancel := context.WithTimeout(context.Background(), crashWait)
	defer cancel()
	r := &sendRun{batch: batch, outcomes: make([]pushOutcome, len(batch))}
	jobs := make(chan int, len(batch))
	for k := range batch {
		jobs <- k
	}
	close(jobs)
	var acked, inFlight atomic.Int64
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range crashWorkers {
		wg.Go(func() {
			for k := range jobs {
				if (stop != nil && stop.Load()) || ctx.Err() != nil {
					continue
				}
				inFlight.Add(1)
				err := postPush(ctx, client, url, pushes[batch[k]])
				inFlight.Add(-1)
				if err != nil {
					r.outcomes[k] = pushFailed
					errOnce.Do(func() { r.firstErr = err.Error() })
					continue
				}
				r.outcomes[k] = pushAnswered
				if n := acked.Add(1); onAck != nil {
					onAck(int(n), &inFlight)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("sending %d pushes took over %s (%d answered success); first failure: %s",
			len(batch), crashWait, acked.Load(), r.firstErr)
	}
	return r
}

// postPush sends one push and returns nil only for a 200 "success".
func postPush(ctx context.Context, client *http.Client, url string, p bench.Push) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"?"+p.Request.Query.Encode(), bytes.NewReader(p.Request.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", p.Request.ContentType)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != "success" {
		return fmt.Errorf("HTTP %d: %.100s", resp.StatusCode, body)
	}
	return nil
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// countMsgIDs counts the stored rows of each push by its MsgId, which no unique index
// constrains, so that a push stored twice (under two dedup keys) counts 2.
func countMsgIDs(t *testing.T, store *sqlstore.Store, ids []int64) map[int64]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashWait)
	defer cancel()
	counts, err := store.CountByWxMsgID(ctx, crashAppID, ids)
	if err != nil {
		t.Fatalf("CountByWxMsgID: %v", err)
	}
	return counts
}

func duplicates(counts map[int64]int) int {
	n := 0
	for _, c := range counts {
		if c > 1 {
			n++
		}
	}
	return n
}

// appRows counts every message stored for appID, whatever its dedup key, so that a
// push stored under a key of its own making would not go unnoticed.
func appRows(t *testing.T, store *sqlstore.Store, appID string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashWait)
	defer cancel()
	rows := 0
	var after int64
	for {
		ms, err := store.Messages(ctx, kefu.MessageFilter{AppID: appID, AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatalf("Messages: %v", err)
		}
		rows += len(ms)
		if len(ms) < 1000 {
			return rows
		}
		after = ms[len(ms)-1].ID
	}
}
