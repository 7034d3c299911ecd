package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const usage = `kefu — customer service for WeChat mini programs

Usage:
  kefu demo       kefu and a simulated WeChat together, seeded: try the console now
  kefu serve      run the server: the webhook, the agents' console, the sender, the
                  media fetcher, metrics and health checks
  kefu app        manage mini programs: add, list, update, remove
  kefu agent      manage agents: add (the first admin too), list, update, disable, passwd
  kefu messages   list stored messages of an app
  kefu send       queue a message to a user (a running kefu serve delivers it)
  kefu bench      benchmarks: ingest, send, refuse, seed, console
  kefu sim        the WeChat simulator: API, simulated users, phone page
  kefu version    show kefu's version and the revision it was built from (also --version)
  kefu help       show this text

Every command but sim takes --db (or KEFU_DB): a SQLite file path or a postgres://
URL (demo's default is a new temporary file).
Run "kefu COMMAND -h" for a command's flags.
`

// errUsage marks an error whose message already told the user what to type.
var errUsage = errors.New("usage")

// run is the whole program with its surroundings passed in, so tests can run any
// command in-process. It returns the exit code: 0 ok, 1 failure, 2 bad usage. Its
// standard input is empty: tests never wait on a prompt.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, getenv, strings.NewReader(""), stdout, stderr)
}

// runWithInput is run with a standard input: the process's, from main.
func runWithInput(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	env := &cmdEnv{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, env, args[1:])
	case "app":
		err = runApp(ctx, env, args[1:])
	case "agent":
		err = runAgent(ctx, env, args[1:])
	case "messages":
		err = runMessages(ctx, env, args[1:])
	case "send":
		err = runSend(ctx, env, args[1:])
	case "bench":
		err = runBench(ctx, env, args[1:])
	case "sim":
		err = runSim(ctx, env, args[1:])
	case "demo":
		err = runDemo(ctx, env, args[1:])
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "kefu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "kefu %s: %v\n", args[0], err)
	return 1
}

// cmdEnv is what every command gets from run.
type cmdEnv struct {
	getenv         func(string) string
	stdin          io.Reader // a password typed or piped to kefu agent
	stdout, stderr io.Writer
}
