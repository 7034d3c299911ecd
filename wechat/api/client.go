package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"kefu"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// Defaults for Config fields left zero.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultTokenMargin = 5 * time.Minute
)

// TokenMode selects the token endpoint (docs/protocol.md §10.5, §10.6).
type TokenMode int

const (
	// TokenStable uses getStableAccessToken in normal mode: every instance may fetch
	// it without invalidating the others' tokens.
	TokenStable TokenMode = iota
	// TokenClassic uses getAccessToken, whose every call invalidates the previous
	// token after 5 minutes: only for deployments where this client is the app's one
	// token fetcher.
	TokenClassic
)

// String is the name ParseTokenMode reads.
func (m TokenMode) String() string {
	if m == TokenClassic {
		return "classic"
	}
	return "stable"
}

// ParseTokenMode reads "stable" or "classic" (the empty string is stable, the
// default), as a configuration value.
func ParseTokenMode(s string) (TokenMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "stable":
		return TokenStable, nil
	case "classic":
		return TokenClassic, nil
	}
	return TokenStable, kefu.Errorf(kefu.EInvalid, "token mode %q: want stable or classic", s)
}

// Config configures a Client. Only Secret is required.
type Config struct {
	BaseURL    string       // DefaultBaseURL when empty; the simulator's URL in tests
	HTTPClient *http.Client // nil: a client with bounded dial and handshake times
	// PictureClient fetches pictures by URL (FetchURL). Those URLs arrive in pushes,
	// so it must be guarded; nil: PictureClient(DefaultPictureHosts(), nil, nil).
	// HTTPClient is for BaseURL, which is configuration and trusted, and is never
	// used for them.
	PictureClient *http.Client
	Clock         kefu.Clock // nil: the system clock
	// Timeout bounds each HTTP attempt, answer body included; 0: DefaultTimeout.
	Timeout time.Duration
	// Secret returns an app's AppSecret; the caller looks it up in its store.
	Secret    func(ctx context.Context, appID string) (string, error)
	TokenMode TokenMode
	// TokenMargin is how long before its expiry a token is refreshed; 0:
	// DefaultTokenMargin. A token is always kept for at least half its lifetime.
	TokenMargin time.Duration
	// Logger receives token refreshes and refusals; nil discards. Secrets and tokens
	// are never logged.
	Logger *slog.Logger
}

// Client calls WeChat's API for any number of mini programs. It is safe for
// concurrent use; one per process shares the token cache.
type Client struct {
	base     string
	http     *http.Client
	pictures *http.Client
	clock    kefu.Clock
	timeout  time.Duration
	secret   func(ctx context.Context, appID string) (string, error)
	mode     TokenMode
	margin   time.Duration
	log      *slog.Logger
	tokens   tokenCache

	// classicTypingMissing is set once the classic typing path answered 404, so that
	// later calls go straight to the business path.
	classicTypingMissing atomic.Bool
}

var _ kefu.WeChatAPI = (*Client)(nil)

// New returns a Client for cfg, with defaults for fields left zero.
func New(cfg Config) *Client {
	c := &Client{
		base:     strings.TrimRight(cfg.BaseURL, "/"),
		http:     cfg.HTTPClient,
		pictures: cfg.PictureClient,
		clock:    cfg.Clock,
		timeout:  cfg.Timeout,
		secret:   cfg.Secret,
		mode:     cfg.TokenMode,
		margin:   cfg.TokenMargin,
		log:      cfg.Logger,
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	if c.pictures == nil {
		c.pictures = PictureClient(DefaultPictureHosts(), nil, nil)
	}
	if c.clock == nil {
		c.clock = kefu.SystemClock{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.margin <= 0 {
		c.margin = DefaultTokenMargin
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.secret == nil {
		c.secret = func(context.Context, string) (string, error) {
			return "", kefu.Errorf(kefu.EInternal, "wechat api: no AppSecret lookup configured")
		}
	}
	c.tokens.client = c
	return c
}

// defaultHTTPClient bounds the steps the per-attempt timeout would otherwise leave
// to one deadline, so a dead host fails fast (and retryably) at the dial.
func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}
