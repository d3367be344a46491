package gwmp

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Encode builds the datagram for p. The body field matching p.Type is used
// (Push for PUSH_DATA, TXPK for PULL_RESP, TxAck for TX_ACK; a nil TxAck
// gives a bare TX_ACK). In version 1 a PULL_RESP carries a zero token, as
// the protocol leaves it unused.
func Encode(p *Packet) ([]byte, error) {
	if p.Version != Version1 && p.Version != Version2 {
		return nil, fmt.Errorf("%w: %d", ErrUnknownVersion, byte(p.Version))
	}
	if p.Type > TxAck {
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, byte(p.Type))
	}
	out := appendHeader(make([]byte, 0, 256), p)
	body, err := p.body()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.Type, err)
	}
	return append(out, body...), nil
}

func appendHeader(out []byte, p *Packet) []byte {
	token := p.Token
	if p.Type == PullResp && p.Version == Version1 {
		token = 0
	}
	out = append(out, byte(p.Version))
	out = binary.BigEndian.AppendUint16(out, token)
	out = append(out, byte(p.Type))
	if p.Type.hasEUI() {
		out = append(out, p.GatewayEUI[:]...)
	}
	return out
}

// body marshals the JSON object for the packet's type, nil for none.
func (p *Packet) body() ([]byte, error) {
	switch p.Type {
	case PushData:
		if p.Push == nil {
			return json.Marshal(PushBody{})
		}
		return json.Marshal(p.Push)
	case PullResp:
		if p.TXPK == nil {
			return nil, fmt.Errorf("no txpk")
		}
		return json.Marshal(pullRespBody{TXPK: p.TXPK})
	case TxAck:
		if p.TxAck == nil {
			return nil, nil
		}
		return json.Marshal(txAckBody{TXPKAck: p.TxAck})
	}
	return nil, nil
}

// Ack returns the acknowledgement a server sends for a PUSH_DATA (PUSH_ACK)
// or PULL_DATA (PULL_ACK): same version and token. It returns nil for other
// types.
func Ack(p *Packet) []byte {
	var t Type
	switch p.Type {
	case PushData:
		t = PushAck
	case PullData:
		t = PullAck
	default:
		return nil
	}
	out, _ := Encode(&Packet{Version: p.Version, Token: p.Token, Type: t})
	return out
}
