package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kefu"
	"kefu/auth"
	"kefu/wechat/sim"
)

// demoAgents are who the demo signs in as.
var demoAgents = []struct{ login, name string }{{"admin", "管理员"}, {"agent", "小李"}}

// demoUsers are the simulated users who write as the demo starts.
var demoUsers = []struct{ openID, from, text string }{
	{"oDemoUser01zhang", "商品详情页", "你好，我的订单还没有发货，能帮我查一下吗？"},
	{"oDemoUser02wang", "订单列表", "请问可以开发票吗？"},
}

// runDemo is kefu serve and the WeChat simulator in one process, wired together on
// a temporary database with a demo mini program, an admin and an agent, and two
// simulated users who have just written: a newcomer opens the console and the
// phone and chats both ways within a minute.
func runDemo(ctx context.Context, env *cmdEnv, args []string) error {
	var db, addr, simAddr, logLevel string
	fs := newFlags(env, "demo", "demo [flags]")
	fs.StringVar(&db, "db", "", "database (default: a new SQLite file in a temporary directory, removed on exit)")
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "the console and kefu's webhook")
	fs.StringVar(&simAddr, "sim-addr", "127.0.0.1:9090", "the simulated WeChat and its phone page")
	fs.StringVar(&logLevel, "log-level", "warn", "debug, info, warn or error")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if db == "" {
		dir, err := os.MkdirTemp("", "kefu-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "kefu.db")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("console address %s: %w (give --addr another)", addr, err)
	}
	simLn, err := net.Listen("tcp", simAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("simulator address %s: %w (give --sim-addr another)", simAddr, err)
	}
	consoleURL, simURL := "http://"+ln.Addr().String(), "http://"+simLn.Addr().String()
	passwords, err := seedDemo(ctx, db)
	if err != nil {
		ln.Close()
		simLn.Close()
		return err
	}

	s, ctl := sim.NewControlled(sim.Options{})
	app := kefu.App{AppID: demoAppID, OriginalID: demoOriginalID, Token: demoToken, AESKey: demoAESKey,
		Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	if err := s.AddEndpoint(sim.Endpoint{App: app, URL: consoleURL + "/wx/" + demoAppID}, demoSecret); err != nil {
		return err
	}
	s.SetPublicURL(simURL)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simDone := make(chan error, 1)
	go func() { simDone <- serveSim(ctx, ctl, simLn, env) }()

	log, err := newLogger(env.stderr, logLevel, "text")
	if err != nil {
		return err
	}
	c := defaultServeConfig()
	c.db, c.wechatAPI, c.apiTimeout = db, simURL, 5*time.Second
	serveDone := make(chan error, 1)
	go func() { serveDone <- serve(ctx, c, log, ln) }()

	w := env.stdout
	fmt.Fprintf(w, "kefu demo: kefu and a simulated WeChat, on %s\n\n", db)
	fmt.Fprintf(w, "  console:  %s/        sign in as one of:\n", consoleURL)
	for _, a := range demoAgents {
		fmt.Fprintf(w, "              %-6s  password %s\n", a.login, passwords[a.login])
	}
	fmt.Fprintf(w, "  phone:    %s/        simulated users of mini program %s\n\n", simURL, demoAppID)
	fmt.Fprintln(w, "Two users have written; answer them in the console, write back on the phone. Ctrl-C stops the demo.")

	go func() {
		if err := waitReady(ctx, consoleURL); err != nil {
			return
		}
		for _, u := range demoUsers {
			s.Enter(ctx, demoAppID, u.openID, u.from)
			s.Text(ctx, demoAppID, u.openID, u.text)
		}
	}()
	select {
	case err = <-serveDone:
	case err = <-simDone:
	}
	cancel()
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// seedDemo gives the database the demo mini program and the demo's admin and
// agent (with new random passwords, returned by login). A database that has them
// already keeps them, with new passwords.
func seedDemo(ctx context.Context, db string) (map[string]string, error) {
	s, err := createStore(ctx, db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	app := &kefu.App{AppID: demoAppID, OriginalID: demoOriginalID, Secret: demoSecret, Token: demoToken,
		AESKey: demoAESKey, Mode: kefu.ModeSecure, Format: kefu.FormatJSON}
	if err := s.CreateApp(ctx, app); err != nil && kefu.ErrorCodeOf(err) != kefu.EConflict {
		return nil, err
	}
	passwords := map[string]string{}
	for _, d := range demoAgents {
		pw := demoPassword()
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return nil, err
		}
		a, err := s.AgentByLogin(ctx, d.login)
		switch {
		case err == nil:
			err = s.SetPassword(ctx, a.ID, hash)
		case kefu.ErrorCodeOf(err) == kefu.ENotFound:
			a = &kefu.Agent{Login: d.login, Name: d.name, Role: kefu.RoleAgent, Capacity: kefu.DefaultCapacity,
				AutoAccept: false, Apps: []string{demoAppID}, PasswordHash: hash}
			if d.login == "admin" {
				a.Role, a.Apps = kefu.RoleAdmin, nil
			}
			err = s.CreateAgent(ctx, a)
		}
		if err != nil {
			return nil, err
		}
		passwords[d.login] = pw
	}
	return passwords, nil
}

// demoPassword is short enough to type, long enough not to guess.
func demoPassword() string {
	b := make([]byte, 7)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// waitReady waits until kefu at base answers /readyz.
func waitReady(ctx context.Context, base string) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
