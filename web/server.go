package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"kefu"
	"kefu/auth"
)

// Desk is what the console asks of the desk (package desk implements it).
type Desk interface {
	Accept(ctx context.Context, a *kefu.Agent, conversationID int64) error
	Transfer(ctx context.Context, by *kefu.Agent, conversationID, toAgentID int64) error
	Requeue(ctx context.Context, by *kefu.Agent, conversationID int64) error
	Close(ctx context.Context, by *kefu.Agent, conversationID, seenID int64) error
	TakeOver(ctx context.Context, admin *kefu.Agent, conversationID int64) error
	SetStatus(ctx context.Context, a *kefu.Agent, p kefu.Presence) error
	SetAutoAccept(ctx context.Context, a *kefu.Agent, on bool) error
	AgentChanged(ctx context.Context, a *kefu.Agent) error
	Connected(agentID int64)
	Disconnected(agentID int64)
}

// Config is what the web server serves. Handlers of other adapters (WeChat's
// webhook, the metrics) come in as http.Handlers: web mounts them and sets their
// limits, without knowing what they are.
type Config struct {
	// Webhook serves WeChat's URL verification and pushes at /wx/{appid}.
	Webhook http.Handler
	// Store is the database: stored media, and everything the console reads.
	Store kefu.Store
	// Metrics serves /metrics; nil leaves the route out.
	Metrics http.Handler
	// Ready reports whether the store can commit now, for /readyz; nil: always.
	Ready func(ctx context.Context) error
	// MediaTimeout bounds one download of a stored image; 0: a minute.
	MediaTimeout time.Duration
	Logger       *slog.Logger // nil: slog.Default()

	// The console. Without a Desk it is left out (a server for pushes only).
	Desk     Desk
	Outbound *kefu.Outbound
	Feed     kefu.EventFeed
	Clock    kefu.Clock // nil: the system clock
	// SecureCookies marks the session cookie Secure even when the request did not
	// come over TLS: kefu behind a proxy that terminates TLS.
	SecureCookies bool
	// Closing is closed when kefu begins to shut down: open event streams end
	// then (the pages reconnect to whichever kefu answers), so that a shutdown
	// waits for pushes and sends in flight, not for browsers. nil: never.
	Closing <-chan struct{}
	// SessionIdle ends a session after this long without a request; SessionMax
	// after this long whatever the activity. 0: 12 hours and 7 days.
	SessionIdle, SessionMax time.Duration
}

// server holds the routes' dependencies.
type server struct {
	cfg    Config
	log    *slog.Logger
	clock  kefu.Clock
	mux    *http.ServeMux
	pages  *pages
	logins *auth.Limiter // failed sign-ins per login
	addrs  *auth.Limiter // failed sign-ins per address
	frames frames        // recent events, encoded once for every stream
}

// New returns kefu's HTTP surface: WeChat's webhook, the agents' console, stored
// media, health and metrics (routes.go lists them all).
func New(cfg Config) http.Handler {
	s := newServer(cfg)
	// Every state-changing request from a browser must come from kefu's own pages:
	// the browser says where it comes from (Sec-Fetch-Site, Origin), and a
	// cross-site one is refused. WeChat's pushes come from no browser and pass.
	return http.NewCrossOriginProtection().Handler(s.mux)
}

func newServer(cfg Config) *server {
	if cfg.MediaTimeout <= 0 {
		cfg.MediaTimeout = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = 7 * 24 * time.Hour
	}
	s := &server{
		cfg: cfg, log: cfg.Logger, clock: cfg.Clock, mux: http.NewServeMux(),
		pages:  loadPages(),
		logins: auth.NewLimiter(maxLoginFailures, failureWindow, 100_000),
		addrs:  auth.NewLimiter(maxAddrFailures, failureWindow, 100_000),
	}
	for _, r := range s.routes() {
		s.mux.Handle(r.pattern, r.handler)
	}
	return s
}

// Limits of every connection, whatever the route; routes set their own deadlines
// within them (Deadlines).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	// maxHeaderBytes is far above what WeChat's pushes carry (a URL of a few hundred
	// bytes) or a browser sends, and far below Go's 1 MiB default.
	maxHeaderBytes = 64 << 10
)

// DefaultWriteTimeout bounds writing an answer on routes that set no deadline of
// their own.
const DefaultWriteTimeout = 30 * time.Second

// HTTPServer returns an http.Server for h with kefu's limits: no header, body or
// answer may take or hold a connection for long.
func HTTPServer(h http.Handler, writeTimeout time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
