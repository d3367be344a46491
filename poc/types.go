package poc

import (
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

// Hotspot is what the registry knows about a hotspot when a report is
// judged.
type Hotspot struct {
	Address  identity.Address
	Owner    identity.Address
	Asserted bool     // a location assertion is on record
	Cell     geo.Cell // the asserted H3 cell (resolution 12)
	// Center is Cell's centre (geo.Cell.Center). Computing it costs more
	// than every rule together, so the registry keeps it with the
	// assertion (the API serves it too; see Located); when it is the zero
	// Point the verifier computes it.
	Center  geo.Point
	GainDBi float64 // antenna gain
	// ElevationM is the asserted antenna height; the baseline rules do not
	// use it.
	ElevationM float64
	Region     string // region plan name, e.g. "EU868"
	Denied     bool   // on the deny list
	// LastBeacon is when the hotspot last sent a valid beacon that had at
	// least one valid witness, and LastWitness when it last sent a valid
	// witness report; zero when never. Reciprocity reads them as of the
	// report being judged.
	LastBeacon  time.Time
	LastWitness time.Time
}

// Lookup finds a hotspot in the registry.
type Lookup func(identity.Address) (Hotspot, bool)

// DataRate is a LoRa modulation as reported on the wire.
type DataRate struct {
	SpreadingFactor int
	BandwidthHz     int
}

// Challenge is what the oracle asked a hotspot to transmit: the domain form
// of a signed hexnetpb.Challenge.
type Challenge struct {
	Round       uint64
	Entropy     []byte
	Challengee  identity.Address
	Payload     []byte // beacon.Payload(Entropy, Challengee)
	FrequencyHz uint64
	DataRate    DataRate
	PowerDBm    int // conducted: the region's maximum EIRP minus the antenna gain
	IssuedAt    time.Time
	ExpiresAt   time.Time // zero: no expiry
}

// Beacon is a beacon report: what the challenged hotspot says it sent.
type Beacon struct {
	Beaconer    identity.Address
	Round       uint64
	Entropy     []byte // the entropy of the challenge it answers
	Payload     []byte
	FrequencyHz uint64
	DataRate    DataRate
	PowerDBm    float64 // conducted power the hotspot reports
	// ReceivedAt is when the oracle ingested the report (never the
	// hotspot's own clock).
	ReceivedAt time.Time
	// TxAckError is the packet forwarder's TX_ACK error: "NONE" (or empty)
	// on success.
	TxAckError string
}

// Witness is a witness report: a beacon-shaped frame one hotspot heard.
type Witness struct {
	// ID identifies the report uniquely (e.g. a hash of its signed bytes);
	// it breaks ties between reports ingested at the same instant.
	ID          string
	Witness     identity.Address
	Payload     []byte
	RSSI        float64 // dBm
	SNR         float64 // dB
	FrequencyHz uint64
	DataRate    DataRate
	// ReceivedAt is when the oracle ingested the report.
	ReceivedAt time.Time
}

// Located returns h with Center filled in from Cell.
func (h Hotspot) Located() Hotspot {
	h.Center = h.Cell.Center()
	return h
}
