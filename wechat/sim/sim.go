package sim

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// Defaults for Options fields left zero.
const (
	// DefaultAttempts is how many times a push is delivered in all. docs/protocol.md §8
	// reads "总共重试三次" as three deliveries; 1 + 3 is the other reading
	// (UNCONFIRMED), hence the option.
	DefaultAttempts = 3
	// DefaultAttemptTimeout is how long WeChat waits for each answer (docs/protocol.md §8).
	DefaultAttemptTimeout = 5 * time.Second
	// DefaultWebToolRelease is how long an accepted web-tool session lasts without
	// activity before WeChat resumes pushing to the developer URL (docs/protocol.md §9).
	DefaultWebToolRelease = 30 * time.Minute
)

// Options configure a Simulator. The zero value is WeChat's documented behaviour on
// the system clock.
type Options struct {
	Clock kefu.Clock // nil: the system clock; also the API's clock
	API   APIOptions // the API server's options; its Clock is set to Clock

	Attempts       int           // deliveries of one push in all; 0: 3
	AttemptTimeout time.Duration // real time allowed for each answer; 0: 5 s
	// HTTPClient delivers pushes. nil: a client that does not follow redirects
	// (a redirect is an abnormal answer: WeChat posts to the configured URL only).
	HTTPClient     *http.Client
	WebToolRelease time.Duration // idle time that ends an accepted web-tool session; 0: 30 min
	// OnChat, when set, is called (outside the simulator's lock) whenever a user's
	// chat changes through the push side: their own message appears, a push ends
	// (its outcome, or the unavailability notice). Deliveries are reported by
	// API.OnDelivery.
	OnChat func(appID, openID string)

	// PublicURL is where the Simulator's handler is reachable (scheme and host, no
	// trailing slash). PicUrl and ThumbUrl in pushes point under it; simtest.Start
	// sets it. Empty: those URLs are root-relative ("/media/{id}").
	PublicURL string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = kefu.SystemClock{}
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if o.WebToolRelease <= 0 {
		o.WebToolRelease = DefaultWebToolRelease
	}
	o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	return o
}

// Simulator is WeChat's side of customer service: the API server (API) and the push
// side, where simulated users of configured mini programs enter the chat and write,
// their pushes are delivered to each mini program's URL with WeChat's retry rules,
// and the outcome — delivered, handed to the web customer-service tool, or the
// failure notice — is recorded as the user would see it. It is an http.Handler
// serving the API paths and the media users sent (/media/{id}). Safe for
// concurrent use.
type Simulator struct {
	opts Options
	api  *API

	lastMsgID atomic.Int64    // the MsgId given most recently
	nonces    *pushreq.Nonces // push nonces, never repeated

	mu        sync.Mutex
	publicURL string
	endpoints map[string]*endpoint // by appid
	users     map[userKey]*simUser
	queues    map[string][]string // appid → openids waiting for the web tool, FIFO
}

// userKey names one simulated user.
type userKey struct{ appID, openID string }

// New returns a Simulator with no endpoints; add them with AddEndpoint.
func New(opts Options) *Simulator {
	opts = opts.withDefaults()
	s := &Simulator{
		opts:      opts,
		publicURL: opts.PublicURL,
		endpoints: make(map[string]*endpoint),
		users:     make(map[userKey]*simUser),
		queues:    make(map[string][]string),
	}
	s.nonces = pushreq.NewNonces()
	apiOpts := opts.API
	apiOpts.Clock = opts.Clock
	next := apiOpts.OnDelivery
	apiOpts.OnDelivery = func(appID, openID string, d Delivery) {
		s.recordDelivery(appID, openID, d)
		if next != nil {
			next(appID, openID, d)
		}
	}
	s.api = NewAPI(apiOpts)
	s.lastMsgID.Store(msgIDFloor(opts.Clock.Now()))
	return s
}

// API returns the simulated api.weixin.qq.com, for observing what users received
// and for setting faults.
func (s *Simulator) API() *API { return s.api }

// SetPublicURL changes where PicUrl and ThumbUrl of later pushes point, for a server
// whose address is known only once it listens.
func (s *Simulator) SetPublicURL(u string) {
	s.mu.Lock()
	s.publicURL = strings.TrimSuffix(u, "/")
	s.mu.Unlock()
}

func (s *Simulator) now() time.Time { return s.opts.Clock.Now() }

// ServeHTTP serves the media users sent under /media/ and everything else as the API.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, mediaPrefix) {
		s.serveUserMedia(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}
