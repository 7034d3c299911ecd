package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"kefu"
	"kefu/auth"
	"kefu/store/sqlstore"
	"kefu/web"
)

// ConsoleConfig is one run of the console's fan-out benchmark (kefu bench
// console): Agents agents follow the event stream while pushes arrive through the
// webhook at Rate for Duration.
type ConsoleConfig struct {
	URL   string // kefu's base URL (loopback)
	Store *sqlstore.Store
	App   *kefu.App

	Agents   int
	Rate     float64
	Duration time.Duration
	PID      int // the server, whose CPU and peak RSS are measured; 0: not measured
}

// benchPassword is never checked: the benchmark signs its agents in by writing
// their sessions, so that 200 sign-ins do not spend the server's CPU on argon2.
const benchPassword = "not used: sessions are written directly"

// benchAgent adds (or finds) an agent of the app.
func benchAgent(ctx context.Context, s *sqlstore.Store, login string, apps []string) (*kefu.Agent, error) {
	a, err := s.AgentByLogin(ctx, login)
	if kefu.ErrorCodeOf(err) == kefu.ENotFound {
		hash, _ := auth.HashPassword(benchPassword)
		a = &kefu.Agent{Login: login, Name: login, Role: kefu.RoleAgent, Capacity: kefu.MaxCapacity, Apps: apps, PasswordHash: hash}
		err = s.CreateAgent(ctx, a)
	}
	return a, err
}

// benchSession is benchAgent with a session written for the agent, returning the
// cookie's token.
func benchSession(ctx context.Context, s *sqlstore.Store, login string, apps []string) (*kefu.Agent, string, error) {
	a, err := benchAgent(ctx, s, login, apps)
	if err != nil {
		return nil, "", err
	}
	token, hash := auth.NewToken()
	now := time.Now()
	err = s.CreateSession(ctx, &kefu.Session{TokenHash: hash, AgentID: a.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(2 * time.Hour)})
	return a, token, err
}

// arrival is one message's event seen on one stream.
type arrival struct {
	openID string
	at     time.Time
}

// RunConsole measures, from a push's due time, when its message's event reaches
// each agent's stream, and what the server spends doing it.
func RunConsole(ctx context.Context, cfg ConsoleConfig, w io.Writer) error {
	n := int(cfg.Rate * cfg.Duration.Seconds())
	fmt.Fprintf(w, "console: %d agents on the event stream, %d pushes at %.0f/s to %s\n", cfg.Agents, n, cfg.Rate, cfg.URL)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Agents + 16, DisableCompression: true}}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	arrivals := make([][]arrival, cfg.Agents)
	ready := make(chan error, cfg.Agents)
	var streams sync.WaitGroup
	for i := range cfg.Agents {
		_, token, err := benchSession(ctx, cfg.Store, fmt.Sprintf("bench-agent-%03d", i), []string{cfg.App.AppID})
		if err != nil {
			return err
		}
		streams.Add(1)
		go func() {
			defer streams.Done()
			follow(sctx, client, cfg.URL, token, ready, func(a arrival) {
				mu.Lock()
				arrivals[i] = append(arrivals[i], a)
				mu.Unlock()
			})
		}()
	}
	for range cfg.Agents {
		if err := <-ready; err != nil {
			return fmt.Errorf("opening the event streams: %w", err)
		}
	}
	pushes, err := BuildPushes(cfg.App, cfg.App.Mode, n, n, time.Now())
	if err != nil {
		return err
	}
	self, err := StartCPU(0)
	if err != nil {
		return err
	}
	cpu, err := serverMeter(cfg.PID)
	if err != nil {
		return err
	}
	res := Send(ctx, Load{URL: cfg.URL + "/wx/" + cfg.App.AppID, Concurrency: 64, Rate: cfg.Rate, Timeout: 5 * time.Second}, pushes)
	// Events still on their way: wait for them, within reason.
	want := res.Acked() * cfg.Agents
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		got := 0
		for _, a := range arrivals {
			got += len(a)
		}
		mu.Unlock()
		if got >= want {
			break
		}
	}
	var used time.Duration
	var peak int64
	mine, _ := self.Stop()
	if cpu != nil {
		used, _ = cpu.Stop()
		peak, _ = cpu.PeakRSS()
	}
	stop()
	streams.Wait()

	index := make(map[string]int, n) // each push is from a user of its own
	for i, p := range pushes {
		index[p.OpenID] = i
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	var lat []time.Duration
	for _, as := range arrivals {
		for _, a := range as {
			if i, ok := index[a.openID]; ok {
				lat = append(lat, a.at.Sub(res.Start.Add(time.Duration(i)*interval)))
			}
		}
	}
	l := Summarise(lat)
	fmt.Fprintf(w, "pushes    %d sent, %d success, %d non-success in %.2fs; answered p50 %s p99 %s\n", res.Sent, res.Acked(),
		res.NonSuccess(), res.Elapsed.Seconds(), ms(res.Latency.P50), ms(res.Latency.P99))
	fmt.Fprintf(w, "events    %d of %d (pushes × agents) reached the streams; push to agent p50 %s p90 %s p99 %s max %s\n",
		len(lat), want, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
	if cpu != nil {
		fmt.Fprintf(w, "server    CPU %.1f%% of one core (%s per push); peak RSS %.1f MiB\n",
			100*used.Seconds()/res.Elapsed.Seconds(), us(perPush(used, res.Sent)), float64(peak)/(1<<20))
	}
	// The client shares the machine: what it spends, the server could not.
	fmt.Fprintf(w, "client    CPU %.1f%% of one core (pushing and reading %d streams)\n", 100*mine.Seconds()/res.Elapsed.Seconds(), cfg.Agents)
	return nil
}

// follow reads one agent's event stream until ctx ends, reporting each stored
// message's arrival. It signals ready once the stream is open.
func follow(ctx context.Context, client *http.Client, base, token string, ready chan<- error, seen func(arrival)) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/console/events", nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	resp, err := client.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	ready <- err
	if err != nil {
		return
	}
	defer resp.Body.Close()
	// Only the openid matters here, found without decoding the JSON: the client
	// shares the machine with the server and must stay cheap.
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	stored := []byte("event: " + string(kefu.EventMessageStored))
	openid := []byte(`"openid":"`)
	var isStored bool
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			isStored = bytes.Equal(line, stored)
		case isStored && bytes.HasPrefix(line, []byte("data: ")):
			if i := bytes.Index(line, openid); i >= 0 {
				rest := line[i+len(openid):]
				if j := bytes.IndexByte(rest, '"'); j >= 0 {
					seen(arrival{openID: string(rest[:j]), at: time.Now()})
				}
			}
		}
	}
}
