//go:build !linux

package main

import "os/exec"

// dieWithTest has no portable equivalent of Linux's parent-death signal; elsewhere
// the server is stopped by t.Cleanup only.
func dieWithTest(cmd *exec.Cmd) {}
