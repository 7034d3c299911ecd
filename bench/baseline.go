package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
)

// BaselineHandler is the cheapest correct webhook there is: read the body, answer
// "success". kefu's figures are reported as ratios to it, measured in the same run
// on the same machine, because the machines these numbers come from are noisy.
func BaselineHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	})
}

// ServeBaseline serves BaselineHandler on a loopback port until ctx ends, first
// writing "listening ADDR" to out so that a parent process can find it.
func ServeBaseline(ctx context.Context, out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: BaselineHandler()}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintf(out, "listening %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// Baseline is the baseline server running in a child process: separate from the
// load generator, as kefu serve is, so that its CPU time and RSS are its own.
type Baseline struct {
	URL string
	PID int
	cmd *exec.Cmd
}

// StartBaseline runs `self args...` (the kefu binary's hidden baseline verb) and
// waits for it to listen.
func StartBaseline(self string, args ...string) (*Baseline, error) {
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("baseline server did not start: %q %v", line, err)
	}
	return &Baseline{URL: "http://" + addr + "/wx/baseline", PID: cmd.Process.Pid, cmd: cmd}, nil
}

// Stop ends the baseline server.
func (b *Baseline) Stop() {
	b.cmd.Process.Kill()
	b.cmd.Wait()
}
