package main

import (
	"context"
	"log/slog"
	"sync"

	"kefu/store/sqlstore"
	"kefu/wechat/api"
)

// task is one of serve's background tasks: it runs until its context ends, having
// finished what it had in hand.
type task struct {
	name string
	run  func(context.Context) error
}

// runTasks starts every task; the channel closes once all have stopped.
func runTasks(ctx context.Context, log *slog.Logger, tasks []task) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := t.run(ctx); err != nil {
				log.Error("task stopped", "task", t.name, "err", err)
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

// wechatClient is the client of WeChat's API (or the simulator's), reading each
// app's secret from the store.
func wechatClient(c serveConfig, store *sqlstore.Store, log *slog.Logger) *api.Client {
	mode, _ := api.ParseTokenMode(c.tokenMode) // checked with the flags
	// So is this: the picture client's policy is the one place a picture URL is
	// judged; the media fetcher only asks for it.
	pictures, _ := pictureFetching(c)
	return api.New(api.Config{
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
}
