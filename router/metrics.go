package router

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a copy or frame is dropped; the label of hexnet_router_dropped_total.
const (
	dropBadTopic       = "bad_topic"
	dropBadEnvelope    = "bad_envelope"
	dropBadSignature   = "bad_signature"
	dropWrongKind      = "wrong_kind"
	dropSignerMismatch = "signer_mismatch"
	dropWrongShard     = "wrong_shard"
	dropBadPHYPayload  = "bad_phypayload"
	dropDuplicateCopy  = "duplicate_copy"
	dropLateCopy       = "late_copy"
	dropShutdown       = "shutdown"
	dropUnsupported    = "unsupported_mtype"
	dropProprietary    = "proprietary"
	dropUnknownDevAddr = "unknown_devaddr"
	dropMICFailed      = "mic_failed"
	dropFCntReplay     = "fcnt_replay"
	dropFCntGap        = "fcnt_gap"
	dropUnknownDevice  = "unknown_device"
	dropDecrypt        = "decrypt_failed"
	dropUnknownDevEUI  = "unknown_deveui"
	dropNotOTAA        = "not_otaa"
	dropJoinEUI        = "joineui_mismatch"
	dropJoinMIC        = "join_mic_failed"
	dropDevNonceReused = "devnonce_reused"
	dropDevAddrSpace   = "devaddr_exhausted"
	dropStoreError     = "store_error"
	dropPublishError   = "publish_error"
	dropLedgerOverflow = "ledger_overflow"
	dropNoCredits      = "no_credits"
)

var dropReasons = []string{
	dropBadTopic, dropBadEnvelope, dropBadSignature, dropWrongKind, dropSignerMismatch, dropWrongShard,
	dropBadPHYPayload, dropDuplicateCopy, dropLateCopy, dropShutdown, dropUnsupported,
	dropProprietary, dropUnknownDevAddr, dropMICFailed, dropFCntReplay, dropFCntGap,
	dropUnknownDevice, dropDecrypt, dropUnknownDevEUI, dropNotOTAA, dropJoinEUI, dropJoinMIC,
	dropDevNonceReused, dropDevNonceNotIncreasing, dropStoreError, dropPublishError, dropLedgerOverflow, dropNoCredits,
}

// Event types; the label of hexnet_router_events_published_total.
const (
	eventUp       = "up"
	eventJoin     = "join"
	eventDownlink = "downlink"
)

// metrics are the router's Prometheus collectors (namespace hexnet_router_).
type metrics struct {
	copiesReceived prometheus.Counter
	framesDeduped  prometheus.Counter
	copiesPerFrame prometheus.Histogram
	published      *prometheus.CounterVec
	dropped        *prometheus.CounterVec
	joinsAccepted  prometheus.Counter
	macCommands    prometheus.Counter
	acksOwed       prometheus.Counter
	ledgerFrames   prometheus.Counter
	storeErrors    *prometheus.CounterVec
	latency        prometheus.Histogram
	queueDepth     prometheus.GaugeFunc
}

func newMetrics(queueDepth func() float64) *metrics {
	m := &metrics{
		copiesReceived: counter("uplink_copies_received_total", "Uplink copies received from hotspots, before any check."),
		framesDeduped:  counter("frames_deduplicated_total", "Frames emitted by deduplication (one per distinct PHYPayload)."),
		copiesPerFrame: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "copies_per_frame",
			Help:    "Hotspot copies attached to each deduplicated frame.",
			Buckets: []float64{1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32},
		}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "events_published_total",
			Help: "Messages published, by type (up, join, downlink).",
		}, []string{"type"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "dropped_total",
			Help: "Copies or frames dropped, by reason.",
		}, []string{"reason"}),
		joinsAccepted: counter("joins_accepted_total", "Join requests answered with a join accept."),
		macCommands:   counter("mac_command_frames_total", "Uplinks carrying MAC commands (FPort 0 or FOpts); not answered yet."),
		acksOwed:      counter("acks_owed_total", "Confirmed uplinks whose ACK is owed to the device (downlink not sent yet)."),
		ledgerFrames:  counter("ledger_frames_recorded_total", "Frames written to the data-transfer ledger."),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "store_errors_total",
			Help: "Failed store calls, by operation.",
		}, []string{"op"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "hexnet", Subsystem: "router", Name: "processing_seconds",
			Help:    "Time from a frame's emission by deduplication to the end of its processing.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	m.queueDepth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "hexnet", Subsystem: "router", Name: "queue_depth",
		Help: "Frames waiting for a worker.",
	}, queueDepth)
	for _, r := range dropReasons {
		m.dropped.WithLabelValues(r)
	}
	for _, e := range []string{eventUp, eventJoin, eventDownlink} {
		m.published.WithLabelValues(e)
	}
	return m
}

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "hexnet", Subsystem: "router", Name: name, Help: help,
	})
}

// register adds every collector to reg; a nil reg registers nothing.
func (m *metrics) register(reg prometheus.Registerer) error {
	return registerAll(reg,
		m.copiesReceived, m.framesDeduped, m.copiesPerFrame, m.published, m.dropped,
		m.joinsAccepted, m.macCommands, m.acksOwed, m.ledgerFrames, m.storeErrors,
		m.latency, m.queueDepth)
}
