package worker

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"kefu"
)

// MediaTTL is how long WeChat keeps an inbound media_id (docs/protocol.md §10.3).
const MediaTTL = 72 * time.Hour

// maxInboundMedia bounds what the fetcher keeps of one image; WeChat's are far
// smaller.
const maxInboundMedia = 10 << 20

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
}

// MediaFetcher re-hosts inbound media (docs/architecture.md invariant 6): every image, and every
// mini program card's thumbnail, is downloaded right after ingest and stored, and
// tried again while WeChat still has it, so that history never shows a dead image.
type MediaFetcher struct {
	cfg  MediaFetcherConfig
	log  *slog.Logger
	wake chan struct{}
}

// NewMediaFetcher returns a MediaFetcher with defaults applied.
func NewMediaFetcher(cfg MediaFetcherConfig) *MediaFetcher {
	if cfg.Clock == nil {
		cfg.Clock = kefu.SystemClock{}
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
	return &MediaFetcher{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}
}

// Wake makes the fetcher look for pending media now (after an ingest stored some).
func (f *MediaFetcher) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run fetches pending media until ctx ends.
func (f *MediaFetcher) Run(ctx context.Context) error {
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

// fetch tries each source of a message's media and stores the first that answers.
func (f *MediaFetcher) fetch(ctx context.Context, m *kefu.Message) {
	now := f.cfg.Clock.Now()
	expires := m.CreateTime.Add(MediaTTL)
	sources := mediaSources(m, now.Before(expires))
	if len(sources) == 0 {
		state, reason := kefu.MediaNone, "no media to fetch"
		if len(mediaSources(m, true)) > 0 {
			// Stored before this kefu fetched media (an upgrade), or down for days:
			// asking WeChat would only spend API quota.
			state, reason = kefu.MediaFailed, "WeChat no longer has this image: its media_id expired before it could be fetched"
		}
		f.record(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, state, reason))
		return
	}
	var problems []string
	for _, src := range sources {
		data, ct, err := src.get(ctx, f.cfg.API, m.AppID)
		if err == nil {
			err = checkImage(data, &ct)
		}
		if err == nil {
			media := &kefu.Media{AppID: m.AppID, ContentType: ct, Data: data}
			f.record(ctx, m, f.cfg.Store.AttachMedia(ctx, m.ID, media))
			return
		}
		problems = append(problems, src.name+": "+describe(err))
	}
	reason := strings.Join(problems, "; ")
	retry := now.Add(backoff(m.Attempts+1, f.cfg.RetryBase, f.cfg.RetryCeiling))
	if !retry.Before(expires) {
		f.log.Warn("media: gave up", "app", m.AppID, "message", m.ID, "reason", reason)
		f.record(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, time.Time{}, kefu.MediaFailed,
			"WeChat no longer has this image: "+reason))
		return
	}
	f.record(ctx, m, f.cfg.Store.MediaFetchFailed(ctx, m.ID, retry, "", reason))
}

func (f *MediaFetcher) record(ctx context.Context, m *kefu.Message, err error) {
	if err != nil && ctx.Err() == nil {
		f.log.Warn("media: record", "message", m.ID, "err", err)
	}
}

// describe says what went wrong, in WeChat's terms when it was WeChat.
func describe(err error) string {
	if f, ok := kefu.AsAPIFailure(err); ok {
		return fmt.Sprintf("%s (errcode %d)", f.Reason(), f.ErrCode())
	}
	return err.Error()
}

// mediaSource is one way to get a message's media.
type mediaSource struct {
	name string
	get  func(ctx context.Context, api kefu.WeChatAPI, appID string) ([]byte, string, error)
}

// mediaSources lists where a message's media can be had, best first: by media_id
// through the API while it lives, then by URL.
func mediaSources(m *kefu.Message, mediaIDLives bool) []mediaSource {
	mediaID, url := m.Fields["media_id"], m.Fields["pic_url"]
	if m.Kind == kefu.KindCard {
		mediaID, url = m.Fields["thumb_media_id"], m.Fields["thumb_url"]
	}
	var out []mediaSource
	if mediaID != "" && mediaIDLives {
		out = append(out, mediaSource{"media_id", func(ctx context.Context, api kefu.WeChatAPI, appID string) ([]byte, string, error) {
			return api.GetMedia(ctx, appID, mediaID)
		}})
	}
	if url != "" {
		out = append(out, mediaSource{"url", func(ctx context.Context, api kefu.WeChatAPI, _ string) ([]byte, string, error) {
			return api.FetchURL(ctx, url)
		}})
	}
	return out
}

// checkImage accepts an image within the size bound, settling its content type by
// sniffing when the source's was missing or generic.
func checkImage(data []byte, contentType *string) error {
	if len(data) == 0 {
		return fmt.Errorf("empty answer")
	}
	if len(data) > maxInboundMedia {
		return fmt.Errorf("%d bytes, more than the %d kept", len(data), maxInboundMedia)
	}
	sniffed := http.DetectContentType(data)
	if !strings.HasPrefix(sniffed, "image/") {
		return fmt.Errorf("not an image (%s)", sniffed)
	}
	*contentType = sniffed
	return nil
}
