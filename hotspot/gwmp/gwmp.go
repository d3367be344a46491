// Package gwmp encodes and decodes Semtech's Gateway Messaging Protocol, the
// UDP protocol between a LoRa packet forwarder (lora_pkt_fwd and its
// descendants) and a server. It is pure: no sockets, no clocks.
//
// A datagram starts with a 4-byte header — protocol version, a 2-byte random
// token, packet type — followed, for PUSH_DATA, PULL_DATA and TX_ACK, by the
// 8-byte gateway EUI, and for PUSH_DATA, PULL_RESP and TX_ACK by a JSON
// object. Versions 1 and 2 are understood; version 2 adds TX_ACK, and in
// version 1 the PULL_RESP token is unused (forwarders ignore it).
package gwmp

import (
	"errors"
	"fmt"

	"github.com/brocaar/lorawan"
)

// Version is the protocol version byte.
type Version byte

// The protocol versions this package speaks.
const (
	Version1 Version = 1
	Version2 Version = 2
)

// Type is the packet type byte.
type Type byte

// Packet types.
const (
	PushData Type = 0 // forwarder → server: received packets and/or status
	PushAck  Type = 1 // server → forwarder: PUSH_DATA received
	PullData Type = 2 // forwarder → server: keep-alive, opens the downlink path
	PullResp Type = 3 // server → forwarder: transmit this packet
	PullAck  Type = 4 // server → forwarder: PULL_DATA received
	TxAck    Type = 5 // forwarder → server: result of a PULL_RESP (v2)
)

var typeNames = [...]string{"PUSH_DATA", "PUSH_ACK", "PULL_DATA", "PULL_RESP", "PULL_ACK", "TX_ACK"}

// String returns the protocol's name for the type, e.g. "PUSH_DATA".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("TYPE_%d", byte(t))
}

// hasEUI reports whether the header of this type carries a gateway EUI.
func (t Type) hasEUI() bool {
	return t == PushData || t == PullData || t == TxAck
}

// Sizes of the protocol.
const (
	// HeaderSize is version, token and type.
	HeaderSize = 4
	// EUIHeaderSize is the header plus the 8-byte gateway EUI.
	EUIHeaderSize = 12
	// MaxDatagram is the largest datagram Decode accepts: the largest UDP
	// payload over IPv4. The sx1302 lora_pkt_fwd batches up to 255 rxpk of
	// up to ~540 bytes of JSON each into one PUSH_DATA, so no tighter bound
	// is safe; a single packet's payload is bounded by MaxPayload instead.
	MaxDatagram = 65507
	// MaxPayload is the largest LoRa PHYPayload in bytes.
	MaxPayload = 255
)

// Errors returned by Decode and the payload helpers; compare with errors.Is.
var (
	ErrTooShort       = errors.New("gwmp: datagram too short")
	ErrUnknownVersion = errors.New("gwmp: unknown protocol version")
	ErrUnknownType    = errors.New("gwmp: unknown packet type")
	ErrOversize       = errors.New("gwmp: too large")
	ErrBadJSON        = errors.New("gwmp: bad JSON")
	ErrBadPayload     = errors.New("gwmp: payload is not valid base64")
	ErrSizeMismatch   = errors.New("gwmp: size field differs from the payload length")
	ErrBadDataRate    = errors.New("gwmp: bad data rate")
)

// Packet is one decoded datagram. Which body field is set depends on Type.
type Packet struct {
	Version Version
	Token   uint16
	Type    Type
	// GatewayEUI is set for PUSH_DATA, PULL_DATA and TX_ACK.
	GatewayEUI lorawan.EUI64
	// Push is the body of a PUSH_DATA.
	Push *PushBody
	// TXPK is the body of a PULL_RESP.
	TXPK *TXPK
	// TxAck is the body of a TX_ACK; nil for a bare 12-byte TX_ACK, which
	// means success.
	TxAck *TXPKAck
}

// TxError returns the TX_ACK's error code, NONE for a bare TX_ACK or one
// that carries only a warning.
func (p *Packet) TxError() ErrorCode {
	if p.TxAck == nil || p.TxAck.Error == "" {
		return TxNone
	}
	return p.TxAck.Error
}

// PushBody is the JSON object of a PUSH_DATA.
type PushBody struct {
	RXPK []RXPK `json:"rxpk,omitempty"`
	Stat *Stat  `json:"stat,omitempty"`
}

// pullRespBody is the JSON object of a PULL_RESP.
type pullRespBody struct {
	TXPK *TXPK `json:"txpk"`
}

// txAckBody is the JSON object of a TX_ACK.
type txAckBody struct {
	TXPKAck *TXPKAck `json:"txpk_ack"`
}
