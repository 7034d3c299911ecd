package bench

import (
	"fmt"
	"os"
	"time"
)

// CPUMeter measures the CPU a process spends between Start and Stop.
type CPUMeter struct {
	pid   int
	start time.Duration
}

// StartCPU starts measuring process pid (0: this process).
func StartCPU(pid int) (*CPUMeter, error) {
	if pid == 0 {
		pid = os.Getpid()
	}
	c, err := processCPU(pid)
	return &CPUMeter{pid: pid, start: c}, err
}

// serverMeter starts measuring the server given by --pid, or returns nil when
// none was given.
func serverMeter(pid int) (*CPUMeter, error) {
	if pid <= 0 {
		return nil, nil
	}
	m, err := StartCPU(pid)
	if err != nil {
		return nil, fmt.Errorf("--pid %d: %w", pid, err)
	}
	return m, nil
}

// Stop returns the CPU time used since Start.
func (m *CPUMeter) Stop() (time.Duration, error) {
	c, err := processCPU(m.pid)
	return c - m.start, err
}

// PeakRSS returns the process's peak resident set size in bytes.
func (m *CPUMeter) PeakRSS() (int64, error) { return peakRSS(m.pid) }
