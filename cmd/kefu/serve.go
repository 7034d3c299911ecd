package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"kefu"
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
}

// Timeouts of the HTTP servers. A push is small and WeChat gives up after 5 s, so its
// route is tight; stored images get --media-timeout; every other route the default.
const (
	readHeaderTimeout   = 10 * time.Second
	defaultReadTimeout  = 30 * time.Second
	defaultWriteTimeout = 30 * time.Second
	webhookTimeout      = 10 * time.Second
	idleTimeout         = 2 * time.Minute
	// maxHeaderBytes is far above what WeChat's pushes carry (a URL of a few hundred
	// bytes), and far below Go's 1 MiB default.
	maxHeaderBytes = 64 << 10
)

func runServe(ctx context.Context, env *cmdEnv, args []string) error {
	var c serveConfig
	fs := newFlags(env, "serve", "serve [flags]")
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
	if c.sendWorkers < 1 || c.apiTimeout <= 0 || c.mediaTimeout <= 0 {
		return fmt.Errorf("--send-workers, --api-timeout and --media-timeout must be positive")
	}
	if _, err := pictureFetching(c); err != nil {
		return err
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

// newHTTPServer is an http.Server with kefu's limits: no header, body or answer
// may take or hold a connection for long, whatever the route.
func newHTTPServer(h http.Handler, writeTimeout time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       defaultReadTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serve runs the server on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets every push in flight reach its commit and answer, and closes the
// store last.
func serve(ctx context.Context, c serveConfig, log *slog.Logger, ln net.Listener) error {
	m := metrics.New()
	rules := kefu.DefaultQuotaRules()
	rules.EnterSession.Sends = c.enterSends
	var fetcher *worker.MediaFetcher
	wakeFetcher := func() {
		if fetcher != nil {
			fetcher.Wake()
		}
	}
	store, err := sqlstore.Open(ctx, c.db, sqlstore.Options{QuotaRules: &rules, OnBatch: m.ObserveBatch, OnMedia: wakeFetcher})
	if err != nil {
		ln.Close()
		return err
	}
	defer store.Close()
	for _, f := range store.LooseFiles() {
		log.Warn("database file open to other users, who could read app secrets from it; chmod 600 it",
			"file", f.Path, "mode", f.Mode.String())
	}
	w := newWorkers(c, store, log, m)
	fetcher = w.fetcher
	// The workers get a context of their own, ended (and waited for) before the
	// store closes on every way out, so that a send in flight is always recorded.
	wctx, stopWorkers := context.WithCancel(context.Background())
	workersDone := w.start(wctx)
	defer func() { stopWorkers(); <-workersDone }()

	mux := http.NewServeMux()
	pushes := http.NewServeMux()
	webhook.New(webhook.Config{
		Apps: store, Ingester: store, Logger: log, Observer: m,
		TimestampWindow: c.tsWindow, MaxBody: c.maxBody,
	}).Register(pushes)
	mux.Handle("/wx/", web.Deadlines{Read: webhookTimeout, Write: webhookTimeout}.Wrap(pushes))
	web.RegisterMedia(mux, store, c.mediaTimeout)
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ready(ctx); err != nil {
			log.Warn("not ready", "err", err)
			http.Error(w, "the database cannot commit now", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})

	if c.debugAddr != "" {
		go servePprof(ctx, c.debugAddr, log)
	}
	srv := newHTTPServer(mux, defaultWriteTimeout, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("kefu serving", "addr", ln.Addr().String(), "db", store.Dialect())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// The workers finish the sends in flight and record them while the server drains.
	stopWorkers()
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
