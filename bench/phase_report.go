package bench

import (
	"fmt"
	"io"
	"time"
)

func (p *phase) print(w io.Writer, name string) {
	r := p.result
	fmt.Fprintf(w, "%-9s %d sent, %d success, %d non-success in %.2fs: %.0f pushes/s; ack p50 %s p90 %s p99 %s max %s\n",
		name, r.Sent, r.Acked(), r.NonSuccess(), r.Elapsed.Seconds(), r.Throughput(),
		ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
	if r.FirstError != "" {
		fmt.Fprintf(w, "%-9s first failure: %s\n", "", r.FirstError)
	}
	if p.serverCPU > 0 {
		fmt.Fprintf(w, "%-9s server CPU %s per push; generator CPU %s per push", "", us(p.serverCPU), us(p.genCPU))
		if p.peakRSS > 0 {
			fmt.Fprintf(w, "; server peak RSS %.1f MiB", float64(p.peakRSS)/(1<<20))
		}
		fmt.Fprintln(w)
	}
}

// printRatio sets p against the baseline phase base, which ran on the same machine
// in the same run: the ratios, not the absolute figures, are what compare across
// noisy machines.
func (p *phase) printRatio(w io.Writer, base *phase) {
	fmt.Fprintf(w, "%-9s throughput %.2f× baseline", "ratio", p.result.Throughput()/base.result.Throughput())
	if p.serverCPU > 0 && base.serverCPU > 0 {
		fmt.Fprintf(w, ", server CPU per push %.2f× baseline", float64(p.serverCPU)/float64(base.serverCPU))
	}
	fmt.Fprintln(w)
}

func rateText(rate float64) string {
	if rate <= 0 {
		return "closed loop"
	}
	return fmt.Sprintf("offered %.0f/s", rate)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond)) }
