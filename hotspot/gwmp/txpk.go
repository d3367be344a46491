package gwmp

// TXPK is the packet a PULL_RESP asks the forwarder to transmit.
type TXPK struct {
	// Imme sends immediately, ignoring Tmst and Tmms.
	Imme bool `json:"imme,omitempty"`
	// Tmst is the concentrator counter value at which to transmit.
	Tmst *uint32 `json:"tmst,omitempty"`
	// Tmms is the GPS time in ms at which to transmit.
	Tmms *uint64 `json:"tmms,omitempty"`
	// Freq is the centre frequency in MHz.
	Freq float64 `json:"freq"`
	RFCh uint8   `json:"rfch"`
	// Powe is the TX power in dBm.
	Powe int16    `json:"powe"`
	Modu string   `json:"modu"`
	DatR DataRate `json:"datr"`
	Codr string   `json:"codr,omitempty"`
	FDev uint16   `json:"fdev,omitempty"` // FSK frequency deviation, Hz
	// IPol inverts polarity (true for LoRaWAN downlinks).
	IPol bool   `json:"ipol"`
	Prea uint16 `json:"prea,omitempty"`
	Size uint16 `json:"size"`
	Data string `json:"data"`
	// NCRC disables the physical-layer CRC.
	NCRC bool `json:"ncrc,omitempty"`
}

// Payload decodes Data and checks it against Size and MaxPayload.
func (t *TXPK) Payload() ([]byte, error) {
	return decodePayload(t.Data, t.Size)
}

// SetPayload sets Data and Size from a PHYPayload.
func (t *TXPK) SetPayload(b []byte) {
	t.Data, t.Size = encodePayload(b)
}

// ErrorCode is a TX_ACK error (or warning) code.
type ErrorCode string

// TX_ACK error codes of lora_pkt_fwd.
const (
	TxNone            ErrorCode = "NONE"
	TxTooLate         ErrorCode = "TOO_LATE"         // too late to program the packet
	TxTooEarly        ErrorCode = "TOO_EARLY"        // too far in the future
	TxCollisionPacket ErrorCode = "COLLISION_PACKET" // overlaps another queued packet
	TxCollisionBeacon ErrorCode = "COLLISION_BEACON" // overlaps a class B beacon
	TxFreq            ErrorCode = "TX_FREQ"          // frequency not supported
	TxPower           ErrorCode = "TX_POWER"         // power not supported
	TxGPSUnlocked     ErrorCode = "GPS_UNLOCKED"     // GPS timestamp without GPS lock
)

// Retryable reports whether another timing of the same downlink (e.g. RX2
// after RX1) may succeed where this one failed.
func (e ErrorCode) Retryable() bool {
	switch e {
	case TxTooLate, TxTooEarly, TxCollisionPacket, TxCollisionBeacon:
		return true
	}
	return false
}

// TXPKAck is the JSON object of a TX_ACK. sx1302 forwarders report
// adjustments they made (e.g. TX_POWER) as Warn with Value.
type TXPKAck struct {
	Error ErrorCode `json:"error,omitempty"`
	Warn  ErrorCode `json:"warn,omitempty"`
	Value *int32    `json:"value,omitempty"`
}
