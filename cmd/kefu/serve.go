package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"kefu"
	"kefu/desk"
	"kefu/hub"
	"kefu/metrics"
	"kefu/store/sqlstore"
	"kefu/web"
	"kefu/wechat/api"
	"kefu/wechat/webhook"
	"kefu/worker"
)

// serveConfig is what `kefu serve` is told.
type serveConfig struct {
	addr            string
	db              string
	tsWindow        time.Duration
	maxBody         int64
	logLevel        string
	logFormat       string
	shutdownTimeout time.Duration
	enterSends      int
	debugAddr       string
	wechatAPI       string
	tokenMode       string
	apiTimeout      time.Duration
	sendWorkers     int
	mediaTimeout    time.Duration
	mediaURLHosts   string
	egressAllow     string
	idleClose       time.Duration
	grace           time.Duration
	secureCookies   bool
	sessionIdle     time.Duration
	sessionMax      time.Duration
	tlsCert         string
	tlsKey          string
}

// register adds serve's flags, with their defaults, to fs.
func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", ":8080", "listen address")
	dbFlagVar(fs, &c.db)
	fs.DurationVar(&c.tsWindow, "ts-window", 5*time.Minute, "accept pushes whose timestamp is within this of now; 0 turns the check off")
	fs.Int64Var(&c.maxBody, "max-body", 1<<20, "largest push body accepted, in bytes")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a shutdown waits for pushes in flight")
	fs.IntVar(&c.enterSends, "enter-sends", 2, "messages allowed in the minute after a user enters the chat (WeChat's older documents say 1)")
	fs.StringVar(&c.debugAddr, "debug-addr", "", "serve Go's pprof profiles on this address (keep it private, e.g. 127.0.0.1:6060)")
	fs.StringVar(&c.wechatAPI, "wechat-api", api.DefaultBaseURL, "WeChat's API base URL (the simulator's, e.g. http://127.0.0.1:9090, for tests and demos)")
	fs.StringVar(&c.tokenMode, "token-mode", "stable", "access tokens from stable_token (several instances may share an app) or the classic token endpoint (only if nothing else fetches tokens for the app)")
	fs.DurationVar(&c.apiTimeout, "api-timeout", 10*time.Second, "timeout of each call to WeChat's API")
	fs.IntVar(&c.sendWorkers, "send-workers", 8, "customers sent to at once (each customer's messages go one at a time, in order)")
	fs.DurationVar(&c.mediaTimeout, "media-timeout", time.Minute, "how long one download of a stored image may take before the connection is cut")
	fs.StringVar(&c.mediaURLHosts, "media-url-hosts", defaultURLHosts(), "hosts an inbound picture may be fetched from by its URL when its media_id gives nothing (WeChat's CDN); none: never by URL")
	fs.StringVar(&c.egressAllow, "egress-allow", "", "what picture fetches by URL may reach although private or loopback: prefixes (10.8.0.0/16, an internal mirror) on ports 80 and 443, and ip:port (127.0.0.1:9090, the simulator) on that port only; by default only public addresses on 80 and 443")
	fs.DurationVar(&c.idleClose, "idle-close", desk.DefaultIdleAfter, "close an agent's conversation with no message either way for this long")
	fs.DurationVar(&c.grace, "offline-grace", desk.DefaultGrace, "take an agent offline (their conversations back to the queue) after this long without a console connection")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM, the chain after the leaf); with --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the certificate's private key (PEM)")
	fs.DurationVar(&c.sessionIdle, "session-idle", 12*time.Hour, "sign an agent out after this long without a request from their console")
	fs.DurationVar(&c.sessionMax, "session-max", 7*24*time.Hour, "sign an agent out this long after they signed in, whatever they do")
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, "mark the console's session cookie Secure: kefu is behind a proxy that terminates TLS (over TLS kefu does so by itself)")
}

// defaultServeConfig is serve's configuration when no flag is given.
func defaultServeConfig() serveConfig {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(fs)
	return c
}

func runServe(ctx context.Context, env *cmdEnv, args []string) error {
	var c serveConfig
	fs := newFlags(env, "serve", "serve [flags]")
	c.register(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if c.maxBody <= 0 {
		return fmt.Errorf("--max-body must be positive")
	}
	if c.enterSends < 1 {
		return fmt.Errorf("--enter-sends must be at least 1")
	}
	if _, err := api.ParseTokenMode(c.tokenMode); err != nil {
		return err
	}
	if c.sendWorkers < 1 || c.apiTimeout <= 0 || c.mediaTimeout <= 0 || c.idleClose <= 0 || c.grace <= 0 || c.sessionIdle <= 0 || c.sessionMax <= 0 {
		return fmt.Errorf("--send-workers, --api-timeout, --media-timeout, --idle-close, --offline-grace, --session-idle and --session-max must be positive")
	}
	if _, err := pictureFetching(c); err != nil {
		return err
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey); err != nil {
			return fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
	}
	log, err := newLogger(env.stderr, c.logLevel, c.logFormat)
	if err != nil {
		return err
	}
	tuneGC(env.getenv, log)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	return serve(ctx, c, log, ln)
}

// serve runs the server on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets every push in flight reach its commit and answer, stops the
// background tasks (which finish and record what they have in hand), and closes
// the store last.
func serve(ctx context.Context, c serveConfig, log *slog.Logger, ln net.Listener) error {
	m := metrics.New()
	events := hub.New(0)
	rules := kefu.DefaultQuotaRules()
	rules.EnterSession.Sends = c.enterSends
	store, err := sqlstore.Open(ctx, c.db, sqlstore.Options{QuotaRules: &rules, OnBatch: m.ObserveBatch, Publisher: events})
	if err != nil {
		ln.Close()
		return err
	}
	defer store.Close()
	for _, f := range store.LooseFiles() {
		log.Warn("database file open to other users, who could read app secrets from it; chmod 600 it",
			"file", f.Path, "mode", f.Mode.String())
	}
	client := wechatClient(c, store, log)
	outbound := &kefu.Outbound{Store: store, API: client, Publisher: events}
	routing := desk.New(desk.Config{Store: store, Publisher: events, Logger: log, IdleAfter: c.idleClose, Grace: c.grace})
	defer events.Subscribe(routing.Notice)()
	tasks := []task{
		{"desk", routing.Run},
		{"sender", worker.NewSender(worker.SenderConfig{
			Store: store, API: client, Logger: log, Concurrency: c.sendWorkers, Events: events, Publisher: events,
			// An attempt may chain a token fetch, the send, a refresh and a resend,
			// and an upload: the lease must outlast all of them.
			SendingLease: max(2*time.Minute, 12*c.apiTimeout),
			OnDone: func(msg *kefu.Message, r kefu.DeliveryResult) {
				m.ObserveSend(msg.AppID, string(r.Status), r.ErrCode, r.At.Sub(msg.ReceivedAt))
			},
		}).Run},
		{"media", worker.NewMediaFetcher(worker.MediaFetcherConfig{
			Store: store, API: client, Logger: log, Events: events, Publisher: events,
		}).Run},
	}
	closing := make(chan struct{})
	handler := web.New(web.Config{
		Webhook: webhook.New(webhook.Config{
			Apps: store, Ingester: store, Logger: log, Observer: m,
			TimestampWindow: c.tsWindow, MaxBody: c.maxBody,
		}),
		Store: store, Metrics: m.Handler(), Ready: store.Ready, MediaTimeout: c.mediaTimeout, Logger: log,
		Desk: routing, Outbound: outbound, Feed: events, SecureCookies: c.secureCookies,
		SessionIdle: c.sessionIdle, SessionMax: c.sessionMax, Closing: closing,
	})

	// The tasks get a context of their own, ended (and waited for) before the store
	// closes on every way out, so that a send in flight is always recorded.
	tctx, stopTasks := context.WithCancel(context.Background())
	tasksDone := runTasks(tctx, log, tasks)
	defer func() { stopTasks(); <-tasksDone }()
	if c.debugAddr != "" {
		go servePprof(ctx, c.debugAddr, log)
	}
	srv := web.HTTPServer(handler, web.DefaultWriteTimeout, log)
	srv.RegisterOnShutdown(func() { close(closing) })
	errc := make(chan error, 1)
	go func() {
		if c.tlsCert != "" {
			errc <- srv.ServeTLS(ln, c.tlsCert, c.tlsKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
	log.Info("kefu serving", "addr", ln.Addr().String(), "tls", c.tlsCert != "", "db", store.Dialect())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// The tasks finish the sends in flight and record them while the server drains.
	stopTasks()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
