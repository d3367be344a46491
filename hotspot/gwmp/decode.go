package gwmp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Decode parses one datagram. It checks the header and the JSON shape; the
// payload of each rxpk is decoded separately with RXPK.Payload, so that one
// bad packet does not hide the others.
func Decode(b []byte) (*Packet, error) {
	if len(b) > MaxDatagram {
		return nil, fmt.Errorf("%w: datagram of %d bytes, limit %d", ErrOversize, len(b), MaxDatagram)
	}
	p, body, err := decodeHeader(b)
	if err != nil {
		return nil, err
	}
	if err := p.decodeBody(body); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Type, err)
	}
	return p, nil
}

// decodeHeader reads version, token, type and the gateway EUI where the type
// has one, and returns the rest of the datagram.
func decodeHeader(b []byte) (*Packet, []byte, error) {
	if len(b) < HeaderSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, header needs %d", ErrTooShort, len(b), HeaderSize)
	}
	p := &Packet{Version: Version(b[0]), Token: binary.BigEndian.Uint16(b[1:3]), Type: Type(b[3])}
	if p.Version != Version1 && p.Version != Version2 {
		return nil, nil, fmt.Errorf("%w: %d (want 1 or 2)", ErrUnknownVersion, b[0])
	}
	if p.Type > TxAck {
		return nil, nil, fmt.Errorf("%w: %d", ErrUnknownType, b[3])
	}
	if p.Type == PullResp && p.Version == Version1 {
		p.Token = 0 // unused in version 1
	}
	if !p.Type.hasEUI() {
		return p, b[HeaderSize:], nil
	}
	if len(b) < EUIHeaderSize {
		return nil, nil, fmt.Errorf("%w: %s of %d bytes, header needs %d", ErrTooShort, p.Type, len(b), EUIHeaderSize)
	}
	copy(p.GatewayEUI[:], b[HeaderSize:EUIHeaderSize])
	return p, b[EUIHeaderSize:], nil
}

// decodeBody parses the JSON object that follows the header.
func (p *Packet) decodeBody(body []byte) error {
	// Some forwarders NUL-terminate the JSON; tolerate it and whitespace.
	body = bytes.TrimRight(body, "\x00 \t\r\n")
	switch p.Type {
	case PushData:
		p.Push = new(PushBody)
		return unmarshal(body, p.Push)
	case PullResp:
		var v pullRespBody
		if err := unmarshal(body, &v); err != nil {
			return err
		}
		if v.TXPK == nil {
			return fmt.Errorf("%w: no txpk object", ErrBadJSON)
		}
		p.TXPK = v.TXPK
	case TxAck:
		return p.decodeTxAck(body)
	}
	return nil
}

// decodeTxAck parses the optional JSON of a TX_ACK.
func (p *Packet) decodeTxAck(body []byte) error {
	if len(body) == 0 {
		return nil
	}
	var v txAckBody
	if err := unmarshal(body, &v); err != nil {
		return err
	}
	p.TxAck = v.TXPKAck
	return nil
}

func unmarshal(body []byte, v any) error {
	if len(body) == 0 {
		return fmt.Errorf("%w: missing JSON object", ErrBadJSON)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrBadJSON, err)
	}
	return nil
}
