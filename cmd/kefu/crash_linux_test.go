package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel SIGKILL the server if the test process dies first
// (a go test -timeout panic, a ^C, a kill -9), when t.Cleanup never runs.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
