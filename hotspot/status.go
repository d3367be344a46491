package hotspot

import (
	"sync/atomic"
	"time"

	"github.com/hexnet/hexnet/identity"
)

// Broker connection states in Status.Broker.
const (
	BrokerOnline  = "online"
	BrokerOffline = "offline"
	BrokerUnknown = "unknown" // the Bus cannot tell
)

// Status is what the loopback status endpoint serves and `hotspotd status`
// prints for the hotspot's owner.
type Status struct {
	Address          identity.Address  `json:"address"`
	Version          string            `json:"version"`
	Region           string            `json:"region,omitempty"`
	Oracle           identity.Address  `json:"oracle,omitempty"` // empty: challenges are refused
	Broker           string            `json:"broker"`           // BrokerOnline, BrokerOffline or BrokerUnknown
	Forwarder        string            `json:"forwarder,omitempty"`
	Time             time.Time         `json:"time"`
	Started          time.Time         `json:"started"`
	UptimeS          int64             `json:"uptime_s"`
	LastUplink       *time.Time        `json:"last_uplink,omitempty"` // last CRC-OK frame from the forwarder
	RxReceived       uint64            `json:"rx_received"`
	RxOK             uint64            `json:"rx_ok"`
	RxForwarded      uint64            `json:"rx_forwarded"`
	TxReceived       uint64            `json:"tx_received"`
	TxEmitted        uint64            `json:"tx_emitted"`
	Dropped          map[string]uint64 `json:"dropped"`
	QueueDepth       uint64            `json:"queue_depth"`
	QueueOldestAgeMs int64             `json:"queue_oldest_age_ms"`
	AckRatio         float64           `json:"ack_ratio"`
}

// health is what Status adds to the counters: when the daemon started and
// when it last received an uplink.
type health struct {
	started    time.Time
	lastUplink atomic.Int64 // unix ns; 0: none yet
}

// uplink records a CRC-OK frame received at t.
func (h *health) uplink(t time.Time) { h.lastUplink.Store(t.UnixNano()) }

// connected is implemented by buses that know their link
// (*mqttclient.Client).
type connected interface{ Connected() bool }

// Status reports the daemon's state for its owner.
func (d *Daemon) Status() Status {
	s := d.Stats()
	st := Status{
		Address: d.addr, Version: s.Version, Region: s.Region, Oracle: d.o.Oracle,
		Broker: BrokerUnknown, Time: time.Unix(0, s.TimeUnixNs), Started: d.health.started, UptimeS: s.UptimeS,
		RxReceived: s.RxReceived, RxOK: s.RxOk, RxForwarded: s.RxForwarded, TxReceived: s.TxReceived, TxEmitted: s.TxEmitted,
		Dropped: s.Dropped, QueueDepth: s.QueueDepth, QueueOldestAgeMs: s.QueueOldestAgeMs, AckRatio: s.AckRatio,
	}
	if c, ok := d.o.Bus.(connected); ok {
		st.Broker = BrokerOffline
		if c.Connected() {
			st.Broker = BrokerOnline
		}
	}
	if f, ok := d.fwd.get(); ok {
		st.Forwarder = f.addr.String()
	}
	if ns := d.health.lastUplink.Load(); ns != 0 {
		t := time.Unix(0, ns)
		st.LastUplink = &t
	}
	return st
}
