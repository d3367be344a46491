package router

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a data downlink; the label of
// hexnet_router_downlinks_total.
const (
	dlTransmitted = "transmitted" // a hotspot accepted it
	dlFailed      = "failed"      // every hotspot refused it, or none was reachable
	dlTooLate     = "too_late"    // the uplink was processed after both windows' deadlines
)

// downlinkMetrics are the downlink path's collectors.
type downlinkMetrics struct {
	result  *prometheus.CounterVec
	txAcks  *prometheus.CounterVec
	rx1Lead prometheus.Histogram
}

func newDownlinkMetrics() *downlinkMetrics {
	return &downlinkMetrics{
		result: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "downlinks_total",
			Help: "Data downlinks by outcome.",
		}, []string{"result"}),
		txAcks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "tx_acks_total",
			Help: "Hotspot TX acks matched to a downlink, by error code (NONE: transmitted).",
		}, []string{"error"}),
		rx1Lead: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "downlink_rx1_lead_seconds",
			Help:    "Time left before RX1 opens when a class A downlink is handed to its hotspot (the budget: at least 0.3 s).",
			Buckets: []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
		}),
	}
}

func (m *downlinkMetrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.result, m.txAcks, m.rx1Lead} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("router: register downlink metrics: %w", err)
		}
	}
	return nil
}
