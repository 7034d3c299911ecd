package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"kefu"
	"kefu/metrics"
	"kefu/store/sqlstore"
	"kefu/wechat/api"
	"kefu/worker"
)

// workers are serve's background tasks, wired to the store and WeChat's API.
type workers struct {
	sender  *worker.Sender
	fetcher *worker.MediaFetcher
	log     *slog.Logger
}

func newWorkers(c serveConfig, store *sqlstore.Store, log *slog.Logger, m *metrics.Metrics) *workers {
	mode, _ := api.ParseTokenMode(c.tokenMode) // checked with the flags
	// So is this: the picture client's policy is the one place a picture URL is
	// judged; the media fetcher only asks for it.
	pictures, _ := pictureFetching(c)
	client := api.New(api.Config{
		BaseURL: c.wechatAPI, Timeout: c.apiTimeout, TokenMode: mode, Logger: log,
		PictureClient: pictures.client(),
		Secret: func(ctx context.Context, appID string) (string, error) {
			a, err := store.App(ctx, appID)
			if err != nil {
				return "", err
			}
			return a.Secret, nil
		},
	})
	return &workers{
		log: log,
		sender: worker.NewSender(worker.SenderConfig{
			Store: store, API: client, Logger: log, Concurrency: c.sendWorkers,
			// An attempt may chain a token fetch, the send, a refresh and a resend,
			// and an upload: the lease must outlast all of them.
			SendingLease: max(2*time.Minute, 12*c.apiTimeout),
			OnDone: func(msg *kefu.Message, r kefu.DeliveryResult) {
				m.ObserveSend(msg.AppID, string(r.Status), r.ErrCode, r.At.Sub(msg.ReceivedAt))
			},
		}),
		fetcher: worker.NewMediaFetcher(worker.MediaFetcherConfig{Store: store, API: client, Logger: log}),
	}
}

// start runs every worker until ctx ends; the channel closes once all have
// stopped, having finished what they had in hand.
func (w *workers) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context) error{"sender": w.sender.Run, "media": w.fetcher.Run} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil {
				w.log.Error("worker stopped", "worker", name, "err", err)
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return done
}
