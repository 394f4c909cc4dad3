package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, on a registry of its own so that two
// servers in one process (tests) do not collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // route, code
	duration  *prometheus.HistogramVec // route
	inflight  prometheus.Gauge
	batches   *prometheus.CounterVec // result: stored, replay, refused
	revisions prometheus.Counter     // revisions added
	bytesIn   prometheus.Counter     // batch bytes received
	enrolled  prometheus.Counter
	slowCut   prometheus.Counter // uploads cut for arriving under the minimum rate
	gone      prometheus.Counter // requests cancelled before they were answered (the client went away)
}

func newMetrics(reg *prometheus.Registry) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fieldsurvey_http_requests_total", Help: "HTTP requests by route and error code (\"ok\" for success).",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fieldsurvey_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fieldsurvey_http_requests_in_flight", Help: "HTTP requests being answered now.",
		}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fieldsurvey_batches_total", Help: "Uploaded batches by result: stored, replay (already held) or refused.",
		}, []string{"result"}),
		revisions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fieldsurvey_revisions_added_total", Help: "Revisions new to the server, from uploaded batches.",
		}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fieldsurvey_batch_bytes_received_total", Help: "Bytes of batch files received.",
		}),
		enrolled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fieldsurvey_enrolments_total", Help: "Devices enrolled.",
		}),
		slowCut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fieldsurvey_uploads_cut_slow_total", Help: "Uploads cut because their body arrived slower than the minimum upload rate.",
		}),
		gone: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fieldsurvey_requests_cancelled_total", Help: "Requests cancelled before they were answered, mostly because the client went away.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inflight, m.batches, m.revisions, m.bytesIn, m.enrolled, m.slowCut, m.gone)
	return m
}
