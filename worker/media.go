package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"kefu"
)

// MediaTTL is how long WeChat keeps an inbound media_id (docs/protocol.md §10.3).
const MediaTTL = 72 * time.Hour

// MediaFetcherConfig configures a MediaFetcher. Store and API are required.
type MediaFetcherConfig struct {
	Store  kefu.MediaStore
	API    kefu.WeChatAPI
	Clock  kefu.Clock   // nil: the system clock
	Logger *slog.Logger // nil: discard
	// Concurrency is how many fetches run at once. 0: 4.
	Concurrency int
	// Poll is how often pending media are looked for when nothing wakes the
	// fetcher. 0: 5 s.
	Poll time.Duration
	// RetryBase and RetryCeiling shape the backoff between tries. 0: 5 s and 10 min.
	RetryBase, RetryCeiling time.Duration
	// Limits bound the images kept; zero fields take ImageLimits' defaults.
	Limits ImageLimits
	// Events, if set, wakes the fetcher when an image or card is stored
	// (kefu.EventMessageStored) rather than at its next poll.
	Events kefu.EventSource
	// Publisher, if set, is told of each message whose media was stored or failed
	// for good (kefu.EventMediaSettled).
	Publisher kefu.Publisher
}

// MediaFetcher re-hosts inbound media (docs/architecture.md invariant 6): every image, and every
// mini program card's thumbnail, is downloaded right after ingest and stored, and
// tried again while WeChat still has it, so that history never shows a dead image.
type MediaFetcher struct {
	cfg  MediaFetcherConfig
	log  *slog.Logger
	wake chan struct{}
	// decoding lets one image be decoded at a time, whatever the concurrency, so
	// that Limits.Memory bounds what decoding holds in all.
	decoding chan struct{}
}

// NewMediaFetcher returns a MediaFetcher with defaults applied.
func NewMediaFetcher(cfg MediaFetcherConfig) *MediaFetcher {
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
	}
	if cfg.Publisher == nil {
		cfg.Publisher = kefu.NoPublisher{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 5 * time.Second
	}
	if cfg.RetryCeiling <= 0 {
		cfg.RetryCeiling = 10 * time.Minute
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return &MediaFetcher{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1), decoding: make(chan struct{}, 1)}
}

// wakeUp makes the fetcher look for pending media now: an image or card was stored.
func (f *MediaFetcher) wakeUp() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run fetches pending media until ctx ends.
func (f *MediaFetcher) Run(ctx context.Context) error {
	if f.cfg.Events != nil {
		defer f.cfg.Events.Subscribe(func(e kefu.Event) {
			if e.Kind == kefu.EventMessageStored && (e.MessageKind == kefu.KindImage || e.MessageKind == kefu.KindCard) {
				f.wakeUp()
			}
		})()
	}
	ticker := time.NewTicker(f.cfg.Poll)
	defer ticker.Stop()
	for {
		for f.round(ctx) {
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-ticker.C:
		}
	}
}

// round fetches one batch of due media, and reports whether there may be more.
func (f *MediaFetcher) round(ctx context.Context) bool {
	limit := 4 * f.cfg.Concurrency
	due, err := f.cfg.Store.PendingMedia(ctx, f.cfg.Clock.Now(), limit)
	if err != nil {
		if ctx.Err() == nil {
			f.log.Warn("media: read pending", "err", err)
		}
		return false
	}
	slots := make(chan struct{}, f.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, m := range due {
		if ctx.Err() != nil {
			break // shutting down: what is not started waits for the next run
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			f.fetch(context.WithoutCancel(ctx), m)
		}()
	}
	wg.Wait()
	return len(due) == limit && ctx.Err() == nil
}

// fetch tries each source of a message's media and stores the first that answers
// with an image.
func (f *MediaFetcher) fetch(ctx context.Context, m *kefu.Message) {
	now := f.cfg.Clock.Now()
	// WeChat keeps the media_id MediaTTL from when it made it, which the push's
	// receipt follows within seconds. CreateTime is only what the push claims: one
	// far in the future would keep the fetcher trying for ever. The URL, whose
	// lifetime is not documented, is a second way to the same picture and is not
	// tried longer either.
	expires := m.ReceivedAt.Add(MediaTTL)
	mediaID, picURL := mediaRefs(m)
	if mediaID == "" && picURL == "" {
		f.settle(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, kefu.MediaNone, "no media to fetch"))
		return
	}
	if !now.Before(expires) {
		// Stored before this kefu fetched media (an upgrade), or down for days:
		// asking WeChat would only spend API quota.
		f.settle(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, kefu.MediaFailed,
			"WeChat no longer has this image: its media_id expired before it could be fetched"))
		return
	}
	var problems []string
	final := true // every source tried has failed for good
	for _, src := range sources(mediaID, picURL) {
		data, _, err := src.get(ctx, f.cfg.API, m.AppID)
		var contentType string
		if err == nil {
			contentType, err = f.checkImage(data)
		}
		if err == nil {
			media := &kefu.Media{AppID: m.AppID, ContentType: contentType, Data: data}
			f.settle(ctx, m, f.cfg.Store.AttachMedia(ctx, m.ID, media))
			return
		}
		problems = append(problems, src.name+": "+describe(err))
		final = final && src.final(err)
	}
	reason := strings.Join(problems, "; ")
	if final {
		// Another try would download and decode the same answer, or be refused the
		// same way, some 430 times before the media_id's life is over.
		f.log.Warn("media: cannot be fetched", "app", m.AppID, "message", m.ID, "reason", reason)
		f.settle(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, kefu.MediaFailed,
			"kefu cannot get this image, and trying again would not change that: "+reason))
		return
	}
	retry := now.Add(backoff(m.Attempts+1, f.cfg.RetryBase, f.cfg.RetryCeiling))
	if !retry.Before(expires) {
		f.log.Warn("media: gave up", "app", m.AppID, "message", m.ID, "reason", reason)
		f.settle(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, kefu.MediaFailed,
			"WeChat no longer has this image: "+reason))
		return
	}
	f.record(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, retry, "", reason))
}

// checkImage checks data as an image within the limits, one decode at a time.
func (f *MediaFetcher) checkImage(data []byte) (string, error) {
	f.decoding <- struct{}{}
	defer func() { <-f.decoding }()
	return checkImage(data, f.cfg.Limits)
}

// settle is record for an outcome that is final: the media stored, or given up.
func (f *MediaFetcher) settle(ctx context.Context, m *kefu.Message, err error) {
	f.record(ctx, m, err)
	if err == nil {
		f.cfg.Publisher.Publish(kefu.MessageEvent(kefu.EventMediaSettled, m, f.cfg.Clock.Now()))
	}
}

func (f *MediaFetcher) record(ctx context.Context, m *kefu.Message, err error) {
	if err != nil && ctx.Err() == nil {
		f.log.Warn("media: record", "message", m.ID, "err", err)
	}
}

// describe says what went wrong, in WeChat's terms when it was WeChat.
func describe(err error) string {
	if f, ok := kefu.AsAPIFailure(err); ok {
		if f.ErrCode() == 0 { // not WeChat's answer: a transport failure or a refusal
			return f.Reason()
		}
		return fmt.Sprintf("%s (errcode %d)", f.Reason(), f.ErrCode())
	}
	return err.Error()
}

// mediaSource is one way to get a message's media.
type mediaSource struct {
	name string
	get  func(ctx context.Context, api kefu.WeChatAPI, appID string) ([]byte, string, error)
	// final reports whether a failure of get, or of the image it gave, would be
	// the same however often it were tried again.
	final func(error) bool
}

// unkept reports whether err is an answer kefu does not keep: not an image, or
// too large. The same source gives the same answer.
func unkept(err error) bool {
	return errors.Is(err, errNotImage) || errors.Is(err, errTooLarge)
}

// mediaIDFinal: WeChat's word that it does not know the media_id (40007), or an
// answer kefu does not keep. Whatever else WeChat refuses with (the AppSecret, the
// IP whitelist, the daily quota) is about the app, which an operator may put right
// within the media's three days, so it is tried again, as are -1, lost answers and
// gateways.
func mediaIDFinal(err error) bool {
	if unkept(err) {
		return true
	}
	f, ok := kefu.AsAPIFailure(err)
	return ok && f.ErrCode() == kefu.WxInvalidMedia
}

// urlFinal: an answer kefu does not keep, a URL it cannot request, or a failure
// the API client does not call retryable: a refusal by the picture client's
// policy, an HTTP status such as 404, an answer too large to read. A connection
// that failed, an answer lost, or a 5xx, 503 or 429 is tried again.
func urlFinal(err error) bool {
	if unkept(err) {
		return true
	}
	if f, ok := kefu.AsAPIFailure(err); ok {
		return !f.Retryable()
	}
	return kefu.ErrorCodeOf(err) == kefu.EInvalid
}

// mediaRefs are the media_id and URL of a message's picture: an image's, or a
// card's thumbnail.
func mediaRefs(m *kefu.Message) (mediaID, picURL string) {
	if m.Kind == kefu.KindCard {
		return m.Fields["thumb_media_id"], m.Fields["thumb_url"]
	}
	return m.Fields["media_id"], m.Fields["pic_url"]
}

// sources lists where a message's media may be had, best first: by media_id
// through the API, then by URL. The URL is the push's word: which hosts and
// addresses it may lead to is the API's policy (api.PictureClient), which refuses
// anything else before a request is made, not the fetcher's.
func sources(mediaID, picURL string) (out []mediaSource) {
	if mediaID != "" {
		out = append(out, mediaSource{"media_id", func(ctx context.Context, api kefu.WeChatAPI, appID string) ([]byte, string, error) {
			return api.GetMedia(ctx, appID, mediaID)
		}, mediaIDFinal})
	}
	if picURL != "" {
		out = append(out, mediaSource{"url", func(ctx context.Context, api kefu.WeChatAPI, _ string) ([]byte, string, error) {
			return api.FetchURL(ctx, picURL)
		}, urlFinal})
	}
	return out
}
