package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Config is what the web server serves. Handlers of other adapters (WeChat's
// webhook, the metrics) come in as http.Handlers: web mounts them and sets their
// limits, without knowing what they are.
type Config struct {
	// Webhook serves WeChat's URL verification and pushes at /wx/{appid}.
	Webhook http.Handler
	// Media reads stored images for /media/{key}.
	Media MediaReader
	// Metrics serves /metrics; nil leaves the route out.
	Metrics http.Handler
	// Ready reports whether the store can commit now, for /readyz.
	Ready func(ctx context.Context) error
	// MediaTimeout bounds one download of a stored image; 0: a minute.
	MediaTimeout time.Duration
	Logger       *slog.Logger // nil: slog.Default()
}

// server holds the routes' dependencies.
type server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// New returns kefu's HTTP surface: WeChat's webhook, stored media, health and
// metrics (routes.go lists them all).
func New(cfg Config) http.Handler {
	if cfg.MediaTimeout <= 0 {
		cfg.MediaTimeout = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	s.routes()
	return s.mux
}

// Limits of every connection, whatever the route; routes set their own deadlines
// within them (Deadlines).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	// maxHeaderBytes is far above what WeChat's pushes carry (a URL of a few hundred
	// bytes), and far below Go's 1 MiB default.
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
