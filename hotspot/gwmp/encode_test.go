package gwmp

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncodeRoundTrip(t *testing.T) {
	for _, tc := range decodeCases() {
		if tc.err != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			raw, err := Encode(tc.want)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(raw)
			if err != nil {
				t.Fatalf("Decode(Encode): %v\n%s", err, raw)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeHeaders(t *testing.T) {
	tmst := uint32(7)
	for _, tc := range []struct {
		name string
		p    *Packet
		want []byte
	}{
		{"push ack", &Packet{Version: 2, Token: 0x0102, Type: PushAck}, []byte{2, 1, 2, 1}},
		{"pull ack v1", &Packet{Version: 1, Token: 0xffff, Type: PullAck}, []byte{1, 0xff, 0xff, 4}},
		{"pull data", &Packet{Version: 2, Token: 9, Type: PullData, GatewayEUI: testEUI}, datagram(2, 9, PullData, "")},
		{"bare tx ack", &Packet{Version: 2, Token: 9, Type: TxAck, GatewayEUI: testEUI}, datagram(2, 9, TxAck, "")},
		{
			"tx ack error", &Packet{Version: 2, Token: 9, Type: TxAck, GatewayEUI: testEUI, TxAck: &TXPKAck{Error: TxTooEarly}},
			datagram(2, 9, TxAck, `{"txpk_ack":{"error":"TOO_EARLY"}}`),
		},
		{
			"pull resp v1 zero token", &Packet{Version: 1, Token: 0x4242, Type: PullResp, TXPK: &TXPK{Tmst: &tmst, Freq: 868.1, Modu: ModuLoRa, DatR: LoRa(7, 125)}},
			datagram(1, 0, PullResp, `{"txpk":{"tmst":7,"freq":868.1,"rfch":0,"powe":0,"modu":"LORA","datr":"SF7BW125","ipol":false,"size":0,"data":""}}`),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Encode mismatch (-want +got):\n%s\n%s", diff, got)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *Packet
		err  error
	}{
		{"version", &Packet{Version: 3, Type: PushAck}, ErrUnknownVersion},
		{"type", &Packet{Version: 2, Type: 9}, ErrUnknownType},
		{"datr", &Packet{Version: 2, Type: PullResp, TXPK: &TXPK{DatR: LoRa(13, 125)}}, ErrBadDataRate},
	} {
		if _, err := Encode(tc.p); !errors.Is(err, tc.err) {
			t.Errorf("%s: Encode error = %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestAck(t *testing.T) {
	push := &Packet{Version: 1, Token: 0xabcd, Type: PushData}
	if got, want := Ack(push), []byte{1, 0xab, 0xcd, byte(PushAck)}; !cmp.Equal(got, want) {
		t.Errorf("Ack(PUSH_DATA) = %v, want %v", got, want)
	}
	pull := &Packet{Version: 2, Token: 0x0001, Type: PullData}
	if got, want := Ack(pull), []byte{2, 0, 1, byte(PullAck)}; !cmp.Equal(got, want) {
		t.Errorf("Ack(PULL_DATA) = %v, want %v", got, want)
	}
	if got := Ack(&Packet{Version: 2, Type: TxAck}); got != nil {
		t.Errorf("Ack(TX_ACK) = %v, want nil", got)
	}
}
