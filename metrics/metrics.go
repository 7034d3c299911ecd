// Package metrics exposes kefu's Prometheus metrics. It implements the observer
// hooks the webhook and the store call, so neither of them imports Prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds kefu's collectors in a registry of its own (no global state).
type Metrics struct {
	registry   *prometheus.Registry
	pushes     *prometheus.CounterVec
	ackLatency *prometheus.HistogramVec
	duplicates *prometheus.CounterVec
	batchSize  prometheus.Histogram
	sends      *prometheus.CounterVec
	sendTime   *prometheus.HistogramVec
}

// New registers kefu's metrics plus the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_pushes_total",
			Help: "Pushes received from WeChat, by app, mode as received, and result (success, duplicate, transfer, or why it was refused).",
		}, []string{"app", "mode", "result"}),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kefu_push_ack_seconds",
			Help:    "Time from a push's arrival to its answer, including the durable commit.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"app"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_push_duplicates_total",
			Help: "Pushes that were WeChat retries of a message already stored.",
		}, []string{"app"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kefu_ingest_batch_size",
			Help:    "Pushes committed together in one ingest transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_sends_total",
			Help: "Outbound messages that ended, by app, status (sent or failed) and WeChat errcode (0 when none).",
		}, []string{"app", "status", "errcode"}),
		sendTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kefu_send_seconds",
			Help:    "Time from an outbound message being queued to it ending sent or failed, retries included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"app", "status"}),
	}
	m.registry.MustRegister(m.pushes, m.ackLatency, m.duplicates, m.batchSize, m.sends, m.sendTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObservePush records one push's outcome; it satisfies webhook.Observer.
func (m *Metrics) ObservePush(appID, mode, result string, latency time.Duration) {
	m.pushes.WithLabelValues(appID, mode, result).Inc()
	m.ackLatency.WithLabelValues(appID).Observe(latency.Seconds())
	if result == "duplicate" {
		m.duplicates.WithLabelValues(appID).Inc()
	}
}

// ObserveBatch records the size of one ingest commit.
func (m *Metrics) ObserveBatch(size int) { m.batchSize.Observe(float64(size)) }

// ObserveSend records how one outbound message ended and how long it took from
// queued.
func (m *Metrics) ObserveSend(appID, status string, errcode int, sinceQueued time.Duration) {
	m.sends.WithLabelValues(appID, status, strconv.Itoa(errcode)).Inc()
	m.sendTime.WithLabelValues(appID, status).Observe(sinceQueued.Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
