package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"kefu"
)

// Observer is told the outcome of every push, for metrics. Mode is the mode the push
// arrived in ("plain", "compat", "secure", or "" when it was refused before that was
// known); result is "success", "duplicate", "transfer" or a rejection label.
type Observer interface {
	ObservePush(appID, mode, result string, latency time.Duration)
}

// Config holds a Handler's dependencies.
type Config struct {
	Apps     AppLookup
	Ingester kefu.Ingester
	Clock    kefu.Clock    // nil: the system clock
	Logger   *slog.Logger  // nil: slog.Default()
	Observer Observer      // optional
	AppTTL   time.Duration // how long app settings are cached; 0: one second
	// TimestampWindow is how far a request's timestamp may be from now; 0 turns the
	// check off.
	TimestampWindow time.Duration
	// MaxBody caps a push body in bytes; 0: 1 MiB.
	MaxBody int64
	// Transfer, when set, decides which user messages are answered with
	// transfer_customer_service, handing the user to WeChat's own web tool.
	Transfer func(*kefu.App, *kefu.Inbound) bool
}

// replayCacheSize bounds how many URL signatures of plaintext pushes are kept in
// memory in front of the store's record.
const replayCacheSize = 1 << 16

// Handler serves GET and POST /wx/{appid}.
type Handler struct {
	cfg     Config
	apps    *appCache
	replays *replayCache
	log     *slog.Logger
	mux     *http.ServeMux
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AppTTL == 0 {
		cfg.AppTTL = time.Second
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	h := &Handler{
		cfg:     cfg,
		apps:    newAppCache(cfg.Apps, cfg.Clock, cfg.AppTTL),
		replays: newReplayCache(replayCacheSize),
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
	}
	h.Register(h.mux)
	return h
}

// Register adds the webhook's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /wx/{appid}", h.verify)
	mux.HandleFunc("POST /wx/{appid}", h.push)
}

// ServeHTTP serves the webhook's routes, for a server that mounts it under /wx/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// verify answers WeChat's URL check (docs/protocol.md §3): a valid signature over token,
// timestamp and nonce gets the raw echostr back. The GET is never encrypted.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	appID := r.PathValue("appid")
	p := parseParams(r)
	entry, rej := h.lookup(r.Context(), appID)
	if rej == nil {
		rej = h.checkTimestamp(&p)
	}
	if rej == nil {
		rej = checkSignature(entry.app, p)
	}
	if rej == nil && p.echostr == "" {
		rej = errNoEchostr
	}
	if rej != nil {
		h.refuse(w, r, appID, rej)
		return
	}
	h.log.Info("url verified", "app", appID)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, p.echostr)
}

// push authenticates, decodes and stores one push, then answers.
func (h *Handler) push(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	appID := r.PathValue("appid")
	reply, p, rej := h.accept(w, r, appID)
	if rej != nil {
		h.refuse(w, r, appID, rej)
		if rej == errUnknownApp {
			appID = "unknown" // anyone can invent appids: they must not become metric series
		}
		h.observe(appID, p.mode, rej.label, start)
		return
	}
	w.Header().Set("Content-Type", reply.contentType)
	w.Write(reply.body)
	h.observe(appID, p.mode, reply.result, start)
}

func (h *Handler) observe(appID, mode, result string, start time.Time) {
	if h.cfg.Observer != nil {
		h.cfg.Observer.ObservePush(appID, mode, result, time.Since(start))
	}
}

// refuse answers a rejected request with its status and short reason. The body of
// the request is never logged (docs/architecture.md invariant 8), nor a path that
// is not an appid: anyone can send one of any length.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, appID string, rej *rejection) {
	level := slog.LevelWarn
	if rej.status >= 500 {
		level = slog.LevelError
	}
	if !kefu.ValidAppID(appID) {
		appID = "(malformed)"
	}
	h.log.Log(r.Context(), level, "push refused", "app", appID, "reason", rej.reason,
		"method", r.Method, "remote", r.RemoteAddr)
	http.Error(w, rej.reason, rej.status)
}

// lookup finds the app a request is for. An appid of a shape kefu never registers
// is refused before any lookup.
func (h *Handler) lookup(ctx context.Context, appID string) (*appEntry, *rejection) {
	if !kefu.ValidAppID(appID) {
		return nil, errUnknownApp
	}
	entry, err := h.apps.get(ctx, appID)
	if kefu.ErrorCodeOf(err) == kefu.ENotFound {
		return nil, errUnknownApp
	}
	if err != nil {
		h.log.Error("app lookup failed", "app", appID, "err", err)
		return nil, errStore
	}
	return entry, nil
}

// params are the query parameters WeChat signs a request with, parsed once.
type params struct {
	signature, timestamp, nonce, echostr string
	encryptType, msgSignature            string
	ts                                   int64 // timestamp, once checkTimestamp read it
}

func parseParams(r *http.Request) params {
	q := r.URL.Query()
	return params{
		signature: q.Get("signature"), timestamp: q.Get("timestamp"), nonce: q.Get("nonce"),
		echostr: q.Get("echostr"), encryptType: q.Get("encrypt_type"), msgSignature: q.Get("msg_signature"),
	}
}

// checkTimestamp reads the request's timestamp and applies the window to it.
func (h *Handler) checkTimestamp(p *params) *rejection {
	sec, err := strconv.ParseInt(p.timestamp, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	p.ts = sec
	if w := h.cfg.TimestampWindow; w > 0 {
		d := h.cfg.Clock.Now().Sub(time.Unix(sec, 0))
		if d > w || d < -w {
			return errStaleTimestamp
		}
	}
	return nil
}
