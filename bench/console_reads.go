package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"kefu"
	"kefu/store/sqlstore"
	"kefu/web"
)

// readerLogin is the agent whose desk the seeded history fills.
const readerLogin = "bench-reader"

// SeedConfig is kefu bench seed: a mini program's history written straight into
// the database.
type SeedConfig struct {
	Store     *sqlstore.Store
	App       *kefu.App
	Messages  int
	Customers int
}

// RunSeed writes cfg's history: every customer's conversation, 20 waiting, 20
// with the reader agent (bench-reader), the rest closed.
func RunSeed(ctx context.Context, cfg SeedConfig, w io.Writer) error {
	a, err := benchAgent(ctx, cfg.Store, readerLogin, []string{cfg.App.AppID})
	if err != nil {
		return err
	}
	start := time.Now()
	err = cfg.Store.SeedHistory(ctx, sqlstore.SeedSpec{AppID: cfg.App.AppID, Customers: cfg.Customers, Messages: cfg.Messages,
		Waiting: 20, Active: 20, Agent: a.ID, Until: start})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "seed: %d messages of %d customers for %s in %.1fs\n", cfg.Messages, cfg.Customers, cfg.App.AppID, time.Since(start).Seconds())
	return nil
}

// ReadsConfig is the console's read benchmark: the conversation list and history
// endpoints, as the reader agent, Requests times each.
type ReadsConfig struct {
	URL      string
	Store    *sqlstore.Store
	App      *kefu.App
	Requests int
}

// RunReads times the console's list (the desk) and history (a conversation's
// latest page, and a page further back) endpoints.
func RunReads(ctx context.Context, cfg ReadsConfig, w io.Writer) error {
	a, token, err := benchSession(ctx, cfg.Store, readerLogin, []string{cfg.App.AppID})
	if err != nil {
		return err
	}
	active, err := cfg.Store.ActiveRoutings(ctx, a.ID)
	if err != nil {
		return err
	}
	if len(active) == 0 {
		return fmt.Errorf("the reader agent has no conversations: run kefu bench seed first (kefu serve closes them after --idle-close without a message)")
	}
	client := &http.Client{}
	get := func(path string) (time.Duration, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cfg.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		return time.Since(start), err
	}
	measure := func(name string, path func() string) error {
		var lat []time.Duration
		for range cfg.Requests {
			d, err := get(path())
			if err != nil {
				return err
			}
			lat = append(lat, d)
		}
		l := Summarise(lat)
		fmt.Fprintf(w, "%-8s %d requests: p50 %s p90 %s p99 %s max %s\n", name, len(lat), ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
		return nil
	}
	pick := func() int64 { return active[rand.IntN(len(active))].ConversationID }
	history := func(conv int64) string {
		return "/console/api/conversations/" + strconv.FormatInt(conv, 10) + "/messages"
	}
	// The page before each conversation's latest: where the agent lands on
	// scrolling up.
	oldest := make(map[int64]int64, len(active))
	for _, rt := range active {
		id, err := oldestOnPage(ctx, client, cfg.URL+history(rt.ConversationID), token)
		if err != nil {
			return err
		}
		oldest[rt.ConversationID] = id
	}
	fmt.Fprintf(w, "reads: as %s (%d conversations of theirs), %s\n", readerLogin, len(active), cfg.URL)
	if err := measure("list", func() string { return "/console/api/desk" }); err != nil {
		return err
	}
	if err := measure("history", func() string { return history(pick()) }); err != nil {
		return err
	}
	return measure("older", func() string {
		c := pick()
		return history(c) + "?before=" + strconv.FormatInt(oldest[c], 10)
	})
}

// oldestOnPage is the id of the oldest message on a page of history.
func oldestOnPage(ctx context.Context, client *http.Client, url, token string) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var page struct {
		Messages []struct {
			ID int64 `json:"id"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(page.Messages) == 0 {
		return 0, fmt.Errorf("GET %s: no messages: run kefu bench seed first", url)
	}
	id := page.Messages[0].ID
	for _, m := range page.Messages {
		id = min(id, m.ID)
	}
	return id, nil
}
