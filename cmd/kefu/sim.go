package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"kefu"
	"kefu/wechat/sim"
)

// The demo app `kefu sim` simulates when no --appid is given. Its secrets are
// public: it exists only to try kefu offline.
const (
	demoAppID      = "wxkefudemo000001"
	demoOriginalID = "gh_kefudemo0001"
	demoToken      = "kefudemotoken"
	demoAESKey     = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	demoSecret     = "kefudemosecret"
)

// simConfig is what `kefu sim` is told.
type simConfig struct {
	addr, appID, originalID, token, aesKey, mode, format, target, secret string
	enterSends, attempts                                                 int
	attemptTimeout, faultLatency                                         time.Duration
	faultSystemError                                                     float64
}

func runSim(ctx context.Context, env *cmdEnv, args []string) error {
	var c simConfig
	fs := newFlags(env, "sim", "sim [flags]")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:9090", "listen address: the WeChat API paths, /media/, the control API (/sim/api/) and the phone page (/)")
	fs.StringVar(&c.appID, "appid", demoAppID, "appid of the mini program to simulate")
	fs.StringVar(&c.originalID, "original-id", demoOriginalID, "its original id (gh_…), the ToUserName of pushes")
	fs.StringVar(&c.token, "token", demoToken, "its push token")
	fs.StringVar(&c.aesKey, "aes-key", demoAESKey, "its EncodingAESKey (43 characters); ignored in plain mode")
	fs.StringVar(&c.mode, "mode", "secure", "encryption mode: plain, compat or secure")
	fs.StringVar(&c.format, "format", "json", "push format: xml or json")
	fs.StringVar(&c.target, "target", "", "developer URL pushes go to (default http://127.0.0.1:8080/wx/APPID)")
	fs.StringVar(&c.secret, "secret", demoSecret, "AppSecret the token endpoints expect")
	fs.IntVar(&c.enterSends, "enter-sends", 2, "messages allowed in the minute after a user enters the chat")
	fs.IntVar(&c.attempts, "attempts", sim.DefaultAttempts, "deliveries of one push in all")
	fs.DurationVar(&c.attemptTimeout, "attempt-timeout", sim.DefaultAttemptTimeout, "how long each delivery waits for an answer")
	fs.Float64Var(&c.faultSystemError, "fault-system-error", 0, "share (0..1) of API requests answered -1 system error")
	fs.DurationVar(&c.faultLatency, "fault-latency", 0, "latency added to every API answer")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	mode, err := kefu.ParseMode(c.mode)
	if err != nil {
		return err
	}
	format, err := kefu.ParseFormat(c.format)
	if err != nil {
		return err
	}
	if c.enterSends < 1 {
		return errors.New("--enter-sends must be at least 1")
	}
	if c.faultSystemError < 0 || c.faultSystemError > 1 {
		return errors.New("--fault-system-error must be between 0 and 1")
	}
	if c.target == "" {
		c.target = "http://127.0.0.1:8080/wx/" + c.appID
	}
	app := kefu.App{AppID: strings.TrimSpace(c.appID), OriginalID: strings.TrimSpace(c.originalID),
		Token: strings.TrimSpace(c.token), Mode: mode, Format: format}
	if mode != kefu.ModePlain {
		app.AESKey = strings.TrimSpace(c.aesKey)
	}
	rules := kefu.DefaultQuotaRules()
	rules.EnterSession.Sends = c.enterSends
	s, ctl := sim.NewControlled(sim.Options{
		Attempts: c.attempts, AttemptTimeout: c.attemptTimeout,
		API: sim.APIOptions{Rules: rules, Faults: sim.Faults{SystemErrorShare: c.faultSystemError, Latency: c.faultLatency}},
	})
	if err := s.AddEndpoint(sim.Endpoint{App: app, URL: c.target}, c.secret); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	s.SetPublicURL("http://" + addr)

	w := env.stdout
	fmt.Fprintf(w, "kefu sim: WeChat simulator on http://%s (phone page: http://%s/)\n", addr, addr)
	fmt.Fprintf(w, "simulating %s (%s, %s), pushing to %s\n\n", app.AppID, app.Mode, app.Format, c.target)
	// The demo's values are public and printed whole, ready to paste; values given
	// on the command line are the operator's own secrets and stay masked.
	secret, token, key := c.secret, app.Token, app.AESKey
	if app.AppID != demoAppID {
		secret, token, key = kefu.Mask(secret), kefu.Mask(token), kefu.Mask(key)
	}
	fmt.Fprintf(w, "Configure the server side:\n  kefu app add --appid %s --original-id %s --secret %s --token %s",
		app.AppID, app.OriginalID, secret, token)
	if key != "" {
		fmt.Fprintf(w, " --aes-key %s", key)
	}
	fmt.Fprintf(w, " --mode %s --format %s\n", app.Mode, app.Format)
	fmt.Fprintf(w, "  kefu serve --wechat-api http://%s    (WeChat's API, for replies and media, is this simulator)\n", addr)
	return serveSim(ctx, ctl, ln, env)
}

// serveSim serves h on ln until ctx ends. Requests see ctx as their base, so open
// event streams end with it rather than holding up the shutdown.
func serveSim(ctx context.Context, h http.Handler, ln net.Listener, env *cmdEnv) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(env.stderr, nil), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
