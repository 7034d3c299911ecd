package bench

import (
	"context"
	"os"
	"time"
)

// phase is one measured run of the ingest benchmark: against kefu, or against the
// baseline.
type phase struct {
	result    Result
	pushes    []Push
	serverCPU time.Duration // per acknowledged push; 0 if not measured
	genCPU    time.Duration // the generator's own CPU per push
	peakRSS   int64
}

// runPhase prepares cfg.N pushes, sends them with load and measures the CPU of this
// process and, if pid is set, of the server.
func runPhase(ctx context.Context, cfg IngestConfig, load Load, pid int) (*phase, error) {
	pushes, err := BuildPushes(cfg.App, cfg.Mode, cfg.N, cfg.Users, time.Now())
	if err != nil {
		return nil, err
	}
	p := &phase{pushes: pushes}
	self, err := StartCPU(0)
	if err != nil {
		return nil, err
	}
	server, err := serverMeter(pid)
	if err != nil {
		return nil, err
	}
	p.result = Send(ctx, load, pushes)
	genCPU, _ := self.Stop()
	p.genCPU = perPush(genCPU, p.result.Sent)
	if server != nil {
		cpu, err := server.Stop()
		if err != nil {
			return nil, err
		}
		p.serverCPU = perPush(cpu, p.result.Sent)
		p.peakRSS, _ = server.PeakRSS()
	}
	return p, nil
}

// runBaseline measures the baseline handler, served by a child process of this
// binary so that its CPU and memory are measured apart from the generator's.
func runBaseline(ctx context.Context, cfg IngestConfig, load Load) (*phase, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, err := StartBaseline(self, cfg.BaselineArgs...)
	if err != nil {
		return nil, err
	}
	defer b.Stop()
	load.URL = b.URL
	return runPhase(ctx, cfg, load, b.PID)
}

func perPush(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}
