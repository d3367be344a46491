package hotspot

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons, the "reason" label of hexnet_hotspot_drops_total and the
// keys of Stats.dropped.
const (
	DropTooShort       = "too_short"
	DropUnknownVersion = "unknown_version"
	DropUnknownType    = "unknown_type"
	DropOversize       = "oversize"
	DropBadJSON        = "bad_json"
	DropBadDataRate    = "bad_data_rate"
	DropBadPayload     = "bad_payload"
	DropSizeMismatch   = "size_mismatch"
	DropCRCBad         = "crc_bad"
	DropNoCRC          = "no_crc"
	DropNotLoRa        = "not_lora"
	DropUnexpectedType = "unexpected_type"      // a server-to-forwarder type sent to us
	DropUnknownTxToken = "unknown_tx_ack_token" // TX_ACK for no pending downlink
	DropBadDownlink    = "bad_downlink"         // undecodable Downlink message
	DropQueueFull      = "queue_full"           // publish queue full
	DropPublishFailed  = "publish_failed"       // broker did not accept in time
	DropSealFailed     = "seal_failed"
	DropOwnBeacon      = "own_beacon" // our own beacon, heard by our own radio
	DropOther          = "other"
)

// metrics holds the daemon's Prometheus collectors and the counters its
// Stats messages report.
type metrics struct {
	datagrams *prometheus.CounterVec // by GWMP type
	forwarded prometheus.Counter
	drops     *prometheus.CounterVec // by reason
	downlinks prometheus.Counter
	txAcks    *prometheus.CounterVec // by error code

	challenges prometheus.Counter     // received
	accepted   prometheus.Counter     // challenges accepted
	refused    *prometheus.CounterVec // challenges refused, by reason
	beacons    *prometheus.CounterVec // beacons, by final TX result
	witnesses  prometheus.Counter     // witness reports the broker accepted

	rxReceived, rxOK, rxForwarded, txReceived, txEmitted atomic.Uint64

	mu      sync.Mutex
	dropped map[string]uint64
}

func newMetrics(reg prometheus.Registerer, queueLen func() float64) (*metrics, error) {
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "hotspot", Name: name, Help: help}
	}
	m := &metrics{
		datagrams: prometheus.NewCounterVec(opts("datagrams_total", "GWMP datagrams received, by type."), []string{"type"}),
		forwarded: prometheus.NewCounter(opts("uplinks_forwarded_total", "Uplinks the broker accepted.")),
		drops:     prometheus.NewCounterVec(opts("drops_total", "Datagrams, packets and messages dropped, by reason."), []string{"reason"}),
		downlinks: prometheus.NewCounter(opts("downlinks_total", "Downlinks received from the router.")),
		txAcks:    prometheus.NewCounterVec(opts("tx_acks_total", "TX acks published, by final error code."), []string{"error"}),
		dropped:   map[string]uint64{},

		challenges: prometheus.NewCounter(opts("challenges_received_total", "Challenges received on the challenge topic.")),
		accepted:   prometheus.NewCounter(opts("challenges_accepted_total", "Challenges accepted: a beacon was handed to the packet forwarder.")),
		refused:    prometheus.NewCounterVec(opts("challenges_refused_total", "Challenges refused, by reason."), []string{"reason"}),
		beacons:    prometheus.NewCounterVec(opts("beacons_total", "Beacons sent, by the final TX result (NONE on success)."), []string{"result"}),
		witnesses:  prometheus.NewCounter(opts("witnesses_reported_total", "Witness reports the broker accepted.")),
	}
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "hexnet", Subsystem: "hotspot", Name: "publish_queue_length", Help: "Messages waiting to be published.",
	}, queueLen)
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.datagrams, m.forwarded, m.drops, m.downlinks, m.txAcks, queue,
		m.challenges, m.accepted, m.refused, m.beacons, m.witnesses} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register hotspot metrics: %w", err)
		}
	}
	return m, nil
}

// drop counts one dropped item.
func (m *metrics) drop(reason string) {
	m.drops.WithLabelValues(reason).Inc()
	m.mu.Lock()
	m.dropped[reason]++
	m.mu.Unlock()
}

// refuse counts one refused challenge, also as the drop
// "challenge_" + reason so that Stats carries it to the network.
func (m *metrics) refuse(reason string) {
	m.refused.WithLabelValues(reason).Inc()
	m.drop("challenge_" + reason)
}

// droppedCopy returns the drop counts by reason.
func (m *metrics) droppedCopy() map[string]uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]uint64, len(m.dropped))
	for k, v := range m.dropped {
		out[k] = v
	}
	return out
}
