package sim

import (
	"time"

	"kefu"
)

// Defaults for APIOptions fields left zero.
const (
	DefaultTokenTTL   = 7200 * time.Second
	DefaultTextLimit  = 2048             // bytes; UNCONFIRMED for mini programs (docs/protocol.md §14)
	DefaultMediaLimit = 10 << 20         // bytes; UNCONFIRMED (docs/protocol.md §10.3)
	DefaultMediaTTL   = 72 * time.Hour   // media_id lifetime (docs/protocol.md §10.3)
	tokenOverlap      = 5 * time.Minute  // classic: the superseded token keeps working this long
	stableRotateEarly = 5 * time.Minute  // stable: a new token is issued this long before expiry
	forceRefreshGap   = 30 * time.Second // stable: force_refresh at most this often
	forceRefreshDaily = 20               // stable: force_refresh at most this many times a day
	typingExchange    = 30 * time.Second // typing needs an exchange this recent
	typingLasts       = 15 * time.Second // how long the typing indicator shows
)

// APIOptions configure an API. The zero value is WeChat's current behaviour on the
// system clock.
type APIOptions struct {
	Clock kefu.Clock // nil: the system clock

	TokenTTL   time.Duration   // access token lifetime and expires_in; 0: 7200 s
	Rules      kefu.QuotaRules // reply allowances; zero: kefu.DefaultQuotaRules()
	TextLimit  int             // max text.content bytes (else 45002); 0: 2048
	MediaLimit int64           // max upload bytes; 0: 10 MiB
	MediaTTL   time.Duration   // media_id lifetime; 0: 3 days

	// BadSecretCode is the errcode for a wrong secret on the token endpoints. WeChat's
	// token doc says 40001 (the default); wechatpy and many field reports say 40125.
	BadSecretCode int

	// DayZone is where a "day" starts for the daily limits (force_refresh, Faults.
	// DailySendLimit). nil: China Standard Time (UTC+8), WeChat's.
	DayZone *time.Location

	Faults Faults // initial fault injection; change with SetFaults

	// OnDelivery, if set, is called after a send is delivered to a user, outside the
	// API's lock, on the request's goroutine. It must not block for long.
	OnDelivery func(appID, openID string, d Delivery)
	// OnTyping, if set, is called when a user's typing indicator is switched on
	// (until is when it lapses) or off by CancelTyping or a send (until is zero).
	// The indicator lapsing on its own is not reported: compare until with the clock.
	OnTyping func(appID, openID string, until time.Time)
}

// Faults make the API misbehave on purpose, so clients can be tested against WeChat's
// bad days. The zero value injects nothing.
type Faults struct {
	// SystemErrorShare of requests (0..1) are answered -1 "system error" before
	// anything else is done: nothing is delivered and no quota is used.
	SystemErrorShare float64
	// Latency is added before every answer (real time: keep it small in tests).
	Latency time.Duration
	// DailySendLimit, if positive, is how many send calls a day are served; later
	// calls that day get 45009. The count is of calls with a valid token, whatever
	// their outcome, and starts afresh at midnight in DayZone.
	DailySendLimit int
	// DropSendReplyShare of send calls (0..1) are read and processed — a valid message
	// IS delivered and its quota used — and then the connection is closed without an
	// answer, as when a reply is lost on the way back. Clients that retry on such an
	// error send twice; Received shows it.
	DropSendReplyShare float64
}

func (o APIOptions) withDefaults() APIOptions {
	if o.Clock == nil {
		o.Clock = kefu.SystemClock{}
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Rules == (kefu.QuotaRules{}) {
		o.Rules = kefu.DefaultQuotaRules()
	}
	if o.TextLimit <= 0 {
		o.TextLimit = DefaultTextLimit
	}
	if o.MediaLimit <= 0 {
		o.MediaLimit = DefaultMediaLimit
	}
	if o.MediaTTL <= 0 {
		o.MediaTTL = DefaultMediaTTL
	}
	if o.BadSecretCode == 0 {
		o.BadSecretCode = codeInvalidToken
	}
	if o.DayZone == nil {
		o.DayZone = time.FixedZone("CST", 8*60*60)
	}
	o.Faults = o.Faults.clamped()
	return o
}

func (f Faults) clamped() Faults {
	f.SystemErrorShare = min(max(f.SystemErrorShare, 0), 1)
	f.DropSendReplyShare = min(max(f.DropSendReplyShare, 0), 1)
	f.Latency = max(f.Latency, 0)
	return f
}
