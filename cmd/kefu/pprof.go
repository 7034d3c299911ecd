package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"kefu/web"
)

// pprofWriteTimeout lets a CPU profile of up to about a minute and a half (pprof's
// handler refuses a duration longer than the server's write timeout) through.
const pprofWriteTimeout = 2 * time.Minute

// servePprof serves Go's profiles on their own listener, never on the public one,
// with the same limits as the public server.
func servePprof(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := web.HTTPServer(mux, pprofWriteTimeout, log)
	srv.Addr = addr
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if !isLoopback(addr) {
		log.Warn("pprof listens beyond this machine: profiles show memory and the command line; give --debug-addr a loopback address such as 127.0.0.1:6060", "addr", addr)
	}
	log.Info("pprof serving", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Warn("pprof stopped", "err", err)
	}
}

// isLoopback reports whether a listen address takes connections from this machine
// only: a loopback IP or localhost. An empty host listens everywhere.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
