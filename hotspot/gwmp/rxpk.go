package gwmp

import (
	"encoding/json"
	"fmt"
	"time"
)

// RXPK is one received packet in a PUSH_DATA. Optional fields are pointers
// so that "absent" differs from zero.
type RXPK struct {
	// Time is the UTC time of reception; absent when the forwarder has no
	// time source (no GPS and no NTP-disciplined clock in fake_gps mode).
	Time *CompactTime `json:"time,omitempty"`
	// Tmms is GPS time of reception in milliseconds since 1980-01-06.
	Tmms *uint64 `json:"tmms,omitempty"`
	// Tmst is the concentrator's µs counter at the end of the packet
	// (it wraps every 2^32 µs, about 71.6 minutes).
	Tmst uint32 `json:"tmst"`
	// FTime is the sx1302 fine timestamp: ns since the last PPS pulse.
	FTime *uint32 `json:"ftime,omitempty"`
	Chan  uint8   `json:"chan"`
	RFCh  uint8   `json:"rfch"`
	// Freq is the centre frequency in MHz.
	Freq float64 `json:"freq"`
	// Stat is the CRC status: 1 OK, -1 bad CRC, 0 no CRC.
	Stat int8     `json:"stat"`
	Modu string   `json:"modu"`
	DatR DataRate `json:"datr"`
	Codr string   `json:"codr,omitempty"`
	// RSSI is the channel RSSI in dBm (sx1302 forwarders copy rssic here).
	RSSI float64 `json:"rssi"`
	// LSNR is the LoRa SNR in dB.
	LSNR float64 `json:"lsnr"`
	// RSSIS is the sx1302 signal RSSI; RSSIC the sx1302 channel RSSI.
	RSSIS *float64 `json:"rssis,omitempty"`
	RSSIC *float64 `json:"rssic,omitempty"`
	// FOff is the sx1302 frequency offset in Hz.
	FOff *int32 `json:"foff,omitempty"`
	// Brd and Ant are the board and antenna the packet came from.
	Brd  *uint32 `json:"brd,omitempty"`
	Ant  *uint32 `json:"ant,omitempty"`
	Size uint16  `json:"size"`
	// Data is the base64 PHYPayload; decode it with Payload.
	Data string `json:"data"`
	// RSig holds per-antenna signal details from the v2 HAL (SX1301AR
	// boards); present instead of rssi/lsnr on those gateways.
	RSig []RSig `json:"rsig,omitempty"`
}

// CRC states of an RXPK.
const (
	StatCRCOK  int8 = 1
	StatNoCRC  int8 = 0
	StatCRCBad int8 = -1
)

// RSig is the signal of one packet on one antenna (v2 HAL).
type RSig struct {
	Ant    uint32   `json:"ant"`
	Chan   uint32   `json:"chan"`
	RSSIC  float64  `json:"rssic"`
	RSSIS  *float64 `json:"rssis,omitempty"`
	LSNR   float64  `json:"lsnr"`
	ETime  string   `json:"etime,omitempty"` // encrypted fine timestamp
	FOff   *int32   `json:"foff,omitempty"`
	FTStat *uint8   `json:"ftstat,omitempty"`
	FTime  *uint32  `json:"ftime,omitempty"`
}

// Payload decodes Data and checks it against Size and MaxPayload.
func (r *RXPK) Payload() ([]byte, error) {
	return decodePayload(r.Data, r.Size)
}

// SetPayload sets Data and Size from a PHYPayload.
func (r *RXPK) SetPayload(b []byte) {
	r.Data, r.Size = encodePayload(b)
}

// Stat is the gateway status object of a PUSH_DATA.
type Stat struct {
	// Time is local time, "2014-01-12 08:59:28 GMT" (not RFC 3339).
	Time string   `json:"time"`
	Lati float64  `json:"lati,omitempty"`
	Long float64  `json:"long,omitempty"`
	Alti int32    `json:"alti,omitempty"`
	RxNb uint32   `json:"rxnb"` // packets received
	RxOK uint32   `json:"rxok"` // packets received with a valid CRC
	RxFw uint32   `json:"rxfw"` // packets forwarded
	AckR float64  `json:"ackr"` // % of upstream datagrams acknowledged
	DwNb uint32   `json:"dwnb"` // downlink datagrams received
	TxNb uint32   `json:"txnb"` // packets emitted
	Temp *float64 `json:"temp,omitempty"`
}

// StatTimeLayout is the layout of Stat.Time.
const StatTimeLayout = "2006-01-02 15:04:05 MST"

// CompactTime is an rxpk "time": ISO 8601 in UTC with µs or ns precision.
// It also accepts the form without a zone, which some forwarders emit, as
// UTC.
type CompactTime struct{ time.Time }

const noZoneLayout = "2006-01-02T15:04:05.999999999"

// MarshalJSON writes RFC 3339 with nanoseconds, in UTC.
func (t CompactTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// UnmarshalJSON parses RFC 3339, or the same without a zone as UTC.
func (t *CompactTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v, err = time.Parse(noZoneLayout, s)
	}
	if err != nil {
		return fmt.Errorf("time %q is not RFC 3339", s)
	}
	t.Time = v
	return nil
}
