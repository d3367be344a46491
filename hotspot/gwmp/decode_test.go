package gwmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"
)

var testEUI = lorawan.EUI64{0xaa, 0x55, 0x5a, 0x00, 0x00, 0x00, 0x01, 0x01}

// datagram builds raw bytes: header, EUI for the types that have one, body.
func datagram(v byte, token uint16, t Type, body string) []byte {
	b := []byte{v}
	b = binary.BigEndian.AppendUint16(b, token)
	b = append(b, byte(t))
	if t.hasEUI() {
		b = append(b, testEUI[:]...)
	}
	return append(b, body...)
}

func ptr[T any](v T) *T { return &v }

type decodeCase struct {
	name string
	in   []byte
	want *Packet
	err  error
}

func decodeCases() []decodeCase {
	return []decodeCase{
		{
			name: "push data sx1301 with time",
			in: datagram(2, 0x1234, PushData, `{"rxpk":[{"time":"2013-03-31T16:21:17.528002Z","tmst":3512348611,"chan":2,"rfch":0,`+
				`"freq":866.349812,"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/6","rssi":-35,"lsnr":5.1,"size":3,"data":"AQID"}]}`),
			want: &Packet{Version: 2, Token: 0x1234, Type: PushData, GatewayEUI: testEUI, Push: &PushBody{RXPK: []RXPK{{
				Time: &CompactTime{time.Date(2013, 3, 31, 16, 21, 17, 528002000, time.UTC)}, Tmst: 3512348611, Chan: 2,
				Freq: 866.349812, Stat: 1, Modu: "LORA", DatR: LoRa(7, 125), Codr: "4/6", RSSI: -35, LSNR: 5.1, Size: 3, Data: "AQID",
			}}}},
		},
		{
			name: "push data sx1302 fields, no time",
			in: datagram(2, 1, PushData, `{"rxpk":[{"jver":1,"tmst":4294967295,"ftime":123456789,"chan":0,"rfch":1,"freq":868.1,`+
				`"mid":8,"stat":1,"modu":"LORA","datr":"SF12BW125","codr":"4/5","rssis":-110,"rssic":-104,"rssi":-104,"lsnr":-9.5,`+
				`"foff":-250,"brd":1,"ant":0,"size":0,"data":""}]}`),
			want: &Packet{Version: 2, Token: 1, Type: PushData, GatewayEUI: testEUI, Push: &PushBody{RXPK: []RXPK{{
				Tmst: 4294967295, FTime: ptr[uint32](123456789), RFCh: 1, Freq: 868.1, Stat: 1, Modu: "LORA", DatR: LoRa(12, 125),
				Codr: "4/5", RSSIS: ptr(-110.0), RSSIC: ptr(-104.0), RSSI: -104, LSNR: -9.5, FOff: ptr[int32](-250),
				Brd: ptr[uint32](1), Ant: ptr[uint32](0),
			}}}},
		},
		{
			name: "push data v2 HAL rsig, FSK, bad CRC",
			in: datagram(2, 2, PushData, `{"rxpk":[{"tmst":10,"tmms":1234567890123,"chan":9,"freq":868.8,"stat":-1,"modu":"FSK",`+
				`"datr":50000,"size":1,"data":"AA==","rsig":[{"ant":1,"chan":9,"rssic":-80,"lsnr":7.5,"etime":"abc","ftstat":0,"ftime":77}]}]}`),
			want: &Packet{Version: 2, Token: 2, Type: PushData, GatewayEUI: testEUI, Push: &PushBody{RXPK: []RXPK{{
				Tmst: 10, Tmms: ptr[uint64](1234567890123), Chan: 9, Freq: 868.8, Stat: -1, Modu: "FSK", DatR: DataRate{BitRate: 50000},
				Size: 1, Data: "AA==", RSig: []RSig{{Ant: 1, Chan: 9, RSSIC: -80, LSNR: 7.5, ETime: "abc", FTStat: ptr[uint8](0), FTime: ptr[uint32](77)}},
			}}}},
		},
		{
			name: "stat only, NUL terminated",
			in: datagram(1, 3, PushData, `{"stat":{"time":"2014-01-12 08:59:28 GMT","lati":46.24,"long":3.25,"alti":145,`+
				`"rxnb":2,"rxok":2,"rxfw":2,"ackr":100.0,"dwnb":2,"txnb":2}}`+"\x00"),
			want: &Packet{Version: 1, Token: 3, Type: PushData, GatewayEUI: testEUI, Push: &PushBody{Stat: &Stat{
				Time: "2014-01-12 08:59:28 GMT", Lati: 46.24, Long: 3.25, Alti: 145, RxNb: 2, RxOK: 2, RxFw: 2, AckR: 100, DwNb: 2, TxNb: 2,
			}}},
		},
		{
			name: "time without zone",
			in:   datagram(2, 4, PushData, `{"rxpk":[{"time":"2020-01-02T03:04:05.000006","tmst":1,"datr":"SF9BW500","modu":"LORA","stat":1}]}`),
			want: &Packet{Version: 2, Token: 4, Type: PushData, GatewayEUI: testEUI, Push: &PushBody{RXPK: []RXPK{{
				Time: &CompactTime{time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)}, Tmst: 1, DatR: LoRa(9, 500), Modu: "LORA", Stat: 1,
			}}}},
		},
		{name: "push ack", in: datagram(2, 5, PushAck, ""), want: &Packet{Version: 2, Token: 5, Type: PushAck}},
		{name: "pull data v1", in: datagram(1, 6, PullData, ""), want: &Packet{Version: 1, Token: 6, Type: PullData, GatewayEUI: testEUI}},
		{name: "pull ack", in: datagram(2, 7, PullAck, ""), want: &Packet{Version: 2, Token: 7, Type: PullAck}},
		{
			name: "pull resp v1 without token",
			in:   datagram(1, 0, PullResp, `{"txpk":{"imme":true,"freq":869.525,"rfch":0,"powe":27,"modu":"LORA","datr":"SF9BW125","codr":"4/5","ipol":true,"size":2,"data":"AQI="}}`),
			want: &Packet{Version: 1, Type: PullResp, TXPK: &TXPK{Imme: true, Freq: 869.525, Powe: 27, Modu: "LORA", DatR: LoRa(9, 125),
				Codr: "4/5", IPol: true, Size: 2, Data: "AQI="}},
		},
		{
			name: "pull resp v2 tmst",
			in:   datagram(2, 0xbeef, PullResp, `{"txpk":{"tmst":4294967000,"freq":868.1,"rfch":0,"powe":14,"modu":"LORA","datr":"SF7BW125","codr":"4/5","ipol":true,"size":0,"data":""}}`),
			want: &Packet{Version: 2, Token: 0xbeef, Type: PullResp, TXPK: &TXPK{Tmst: ptr[uint32](4294967000), Freq: 868.1, Powe: 14,
				Modu: "LORA", DatR: LoRa(7, 125), Codr: "4/5", IPol: true}},
		},
		{name: "bare tx ack", in: datagram(2, 8, TxAck, ""), want: &Packet{Version: 2, Token: 8, Type: TxAck, GatewayEUI: testEUI}},
		{
			name: "tx ack too late",
			in:   datagram(2, 9, TxAck, `{"txpk_ack":{"error":"TOO_LATE"}}`),
			want: &Packet{Version: 2, Token: 9, Type: TxAck, GatewayEUI: testEUI, TxAck: &TXPKAck{Error: TxTooLate}},
		},
		{
			name: "tx ack warning",
			in:   datagram(2, 10, TxAck, `{"txpk_ack":{"warn":"TX_POWER","value":14}}`),
			want: &Packet{Version: 2, Token: 10, Type: TxAck, GatewayEUI: testEUI, TxAck: &TXPKAck{Warn: TxPower, Value: ptr[int32](14)}},
		},
		{name: "empty", in: nil, err: ErrTooShort},
		{name: "truncated header", in: []byte{2, 0, 1}, err: ErrTooShort},
		{name: "truncated EUI", in: []byte{2, 0, 1, 0, 0xaa, 0x55}, err: ErrTooShort},
		{name: "unknown version", in: datagram(3, 1, PullData, ""), err: ErrUnknownVersion},
		{name: "version zero", in: datagram(0, 1, PushAck, ""), err: ErrUnknownVersion},
		{name: "unknown type", in: []byte{2, 0, 1, 6}, err: ErrUnknownType},
		{name: "push data without JSON", in: datagram(2, 1, PushData, ""), err: ErrBadJSON},
		{name: "push data broken JSON", in: datagram(2, 1, PushData, `{"rxpk":[`), err: ErrBadJSON},
		{name: "push data bad datr", in: datagram(2, 1, PushData, `{"rxpk":[{"datr":"SF99BW125"}]}`), err: ErrBadDataRate},
		{name: "push data bad time", in: datagram(2, 1, PushData, `{"rxpk":[{"time":"yesterday"}]}`), err: ErrBadJSON},
		{name: "pull resp without txpk", in: datagram(2, 1, PullResp, `{}`), err: ErrBadJSON},
		{name: "tx ack bad JSON", in: datagram(2, 1, TxAck, `{"txpk_ack":`), err: ErrBadJSON},
		{name: "oversize", in: append(datagram(2, 1, PushData, `{"rxpk":[]}`), bytes.Repeat([]byte(" "), MaxDatagram)...), err: ErrOversize},
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Decode error = %v, want %v", err, tc.err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrorsAreBadJSONOrDataRate(t *testing.T) {
	_, err := Decode(datagram(2, 1, PushData, `{"rxpk":[{"datr":"SF7"}]}`))
	if !errors.Is(err, ErrBadJSON) || !errors.Is(err, ErrBadDataRate) {
		t.Fatalf("bad datr error = %v, want both ErrBadJSON and ErrBadDataRate", err)
	}
}

func TestTxError(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want ErrorCode
	}{
		{datagram(2, 1, TxAck, ""), TxNone},
		{datagram(2, 1, TxAck, `{"txpk_ack":{"error":"NONE"}}`), TxNone},
		{datagram(2, 1, TxAck, `{"txpk_ack":{"warn":"TX_POWER","value":20}}`), TxNone},
		{datagram(2, 1, TxAck, `{"txpk_ack":{"error":"COLLISION_BEACON"}}`), TxCollisionBeacon},
	} {
		p, err := Decode(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.TxError(); got != tc.want {
			t.Errorf("TxError(%s) = %s, want %s", tc.in[12:], got, tc.want)
		}
	}
}
