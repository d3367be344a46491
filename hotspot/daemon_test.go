package hotspot_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

func rxpk(payload []byte, stat int8) gwmp.RXPK {
	r := gwmp.RXPK{
		Time: &gwmp.CompactTime{Time: time.Date(2025, 6, 1, 11, 59, 59, 123456000, time.UTC)},
		Tmst: 4294967000, Chan: 3, RFCh: 1, Freq: 868.3, Stat: stat, Modu: gwmp.ModuLoRa,
		DatR: gwmp.LoRa(9, 125), Codr: "4/5", RSSI: -97, LSNR: 6.25,
	}
	r.SetPayload(payload)
	return r
}

// openUplink verifies a published uplink and checks its signer.
func openUplink(t *testing.T, e *env, raw []byte) *hexnetpb.Uplink {
	t.Helper()
	var up hexnetpb.Uplink
	signer, err := identity.OpenBytes(raw, identity.KindUplink, &up)
	if err != nil {
		t.Fatalf("uplink does not verify: %v", err)
	}
	if signer != e.key.Address() {
		t.Fatalf("uplink signed by %s, want %s", signer, e.key.Address())
	}
	return &up
}

func uplinkFlow(t *testing.T, e *env) {
	payload := []byte{0x40, 1, 2, 3, 4, 0x80, 1, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd}
	e.send(&gwmp.Packet{Version: gwmp.Version2, Token: 0xa1b2, Type: gwmp.PushData, GatewayEUI: e.eui,
		Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{rxpk([]byte{9, 9}, gwmp.StatCRCBad), rxpk(payload, gwmp.StatCRCOK)}}})
	e.expect(gwmp.PushAck, 0xa1b2)
	got := openUplink(t, e, e.next(hotspot.LeafUp))
	want := &hexnetpb.Uplink{
		PhyPayload: payload, FrequencyHz: 868300000,
		DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
		Rssi:     -97, Snr: 6.25, Tmst: 4294967000,
		GatewayTimeUnixNs: time.Date(2025, 6, 1, 11, 59, 59, 123456000, time.UTC).UnixNano(),
		ReceivedUnixNs:    fixedNow.UnixNano(), Channel: 3, RfChain: 1, Seq: 1,
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("uplink mismatch (-want +got):\n%s", diff)
	}
}

func TestUplinkSignedAndVerifiable(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	uplinkFlow(t, e)
	waitCounter(t, e, "hexnet_hotspot_uplinks_forwarded_total", "", 1)
	st := e.daemon.Stats()
	if st.GetRxReceived() != 2 || st.GetRxOk() != 1 || st.GetRxForwarded() != 1 || st.GetDropped()[hotspot.DropCRCBad] != 1 {
		t.Errorf("stats = %v, want 2 received, 1 ok, 1 forwarded, 1 crc_bad", st)
	}
	if got := e.counter("hexnet_hotspot_datagrams_total", "PUSH_DATA"); got != 1 {
		t.Errorf("datagrams_total{PUSH_DATA} = %v, want 1", got)
	}
}

// TestMosquitto runs the uplink flow against the machine's Mosquitto.
func TestMosquitto(t *testing.T) {
	url := testenv.Mosquitto(t)
	e := newEnv(t, url, time.Hour)
	uplinkFlow(t, e)
}

func TestOnlineStateRetained(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	var st hexnetpb.State
	if _, err := identity.OpenBytes(e.next(hotspot.LeafState), identity.KindState, &st); err != nil {
		t.Fatal(err)
	}
	if !st.GetOnline() || st.GetVersion() != "test" {
		t.Errorf("state = %v, want online, version test", &st)
	}
}

func TestStatsPublished(t *testing.T) {
	e := newEnv(t, startBroker(t), 50*time.Millisecond)
	var st hexnetpb.Stats
	signer, err := identity.OpenBytes(e.next(hotspot.LeafStats), identity.KindStats, &st)
	if err != nil || signer != e.key.Address() {
		t.Fatalf("stats: signer %s, err %v", signer, err)
	}
	if st.GetVersion() != "test" || st.GetTimeUnixNs() != fixedNow.UnixNano() {
		t.Errorf("stats = %v", &st)
	}
}

func downlink(id uint32, freqs ...uint64) *hexnetpb.Downlink {
	dl := &hexnetpb.Downlink{Id: id}
	for i, f := range freqs {
		dl.Items = append(dl.Items, &hexnetpb.DownlinkItem{
			PhyPayload: []byte{0x60, byte(i), 2, 3}, FrequencyHz: f, PowerDbm: 14, Tmst: 1000000 + uint32(i)*1000000,
			DataRate: &hexnetpb.DataRate{SpreadingFactor: 7 + uint32(i)*5, BandwidthKhz: 125, CodingRate: "4/5"}, InvertPolarity: true,
		})
	}
	return dl
}

func (e *env) publishDownlink(dl *hexnetpb.Downlink) {
	e.t.Helper()
	raw, err := proto.Marshal(dl)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.observer.Publish(context.Background(), hotspot.Topic(e.key.Address(), hotspot.LeafDown), 1, false, raw); err != nil {
		e.t.Fatal(err)
	}
}

// nextAck waits for and verifies the next TxAck.
func (e *env) nextAck() *hexnetpb.TxAck {
	e.t.Helper()
	var ack hexnetpb.TxAck
	if _, err := identity.OpenBytes(e.next(hotspot.LeafAck), identity.KindTxAck, &ack); err != nil {
		e.t.Fatalf("tx ack does not verify: %v", err)
	}
	return &ack
}

func checkAck(t *testing.T, got *hexnetpb.TxAck, id uint32, item uint32, code string) {
	t.Helper()
	want := &hexnetpb.TxAck{Id: id, Item: item, Error: code, TimeUnixNs: fixedNow.UnixNano()}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("tx ack mismatch (-want +got):\n%s", diff)
	}
}

func TestDownlinkTxAck(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	e.publishDownlink(downlink(42, 868100000))
	resp := e.recv()
	if resp.Type != gwmp.PullResp {
		t.Fatalf("got %s, want PULL_RESP", resp.Type)
	}
	tmst := uint32(1000000)
	want := &gwmp.TXPK{Tmst: &tmst, Freq: 868.1, Powe: 14, Modu: "LORA", DatR: gwmp.LoRa(7, 125), Codr: "4/5", IPol: true, Size: 4, Data: "YAACAw=="}
	if diff := cmp.Diff(want, resp.TXPK); diff != "" {
		t.Errorf("txpk mismatch (-want +got):\n%s", diff)
	}
	e.send(&gwmp.Packet{Version: gwmp.Version2, Token: resp.Token, Type: gwmp.TxAck, GatewayEUI: e.eui})
	checkAck(t, e.nextAck(), 42, 0, "NONE")
	if got := e.counter("hexnet_hotspot_tx_acks_total", "NONE"); got != 1 {
		t.Errorf("tx_acks_total{NONE} = %v, want 1", got)
	}
}

func TestDownlinkRetriesNextItem(t *testing.T) {
	for _, tc := range []struct {
		name     string
		second   gwmp.ErrorCode
		wantItem uint32
		wantCode string
	}{
		{"second accepted", gwmp.TxNone, 1, "NONE"},
		{"both too late", gwmp.TxTooLate, 1, "TOO_LATE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, startBroker(t), time.Hour)
			e.pull(gwmp.Version2)
			e.publishDownlink(downlink(7, 868100000, 869525000))
			first := e.recv()
			e.send(&gwmp.Packet{Version: 2, Token: first.Token, Type: gwmp.TxAck, GatewayEUI: e.eui, TxAck: &gwmp.TXPKAck{Error: gwmp.TxTooLate}})
			second := e.recv()
			if second.Type != gwmp.PullResp || second.TXPK.Freq != 869.525 || second.TXPK.DatR != gwmp.LoRa(12, 125) {
				t.Fatalf("second PULL_RESP = %+v, want item 1 (869.525 MHz, SF12)", second.TXPK)
			}
			e.send(&gwmp.Packet{Version: 2, Token: second.Token, Type: gwmp.TxAck, GatewayEUI: e.eui, TxAck: &gwmp.TXPKAck{Error: tc.second}})
			checkAck(t, e.nextAck(), 7, tc.wantItem, tc.wantCode)
		})
	}
}

func TestDownlinkFinalErrorNotRetried(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	e.publishDownlink(downlink(8, 868100000, 869525000))
	first := e.recv()
	e.send(&gwmp.Packet{Version: 2, Token: first.Token, Type: gwmp.TxAck, GatewayEUI: e.eui, TxAck: &gwmp.TXPKAck{Error: gwmp.TxFreq}})
	checkAck(t, e.nextAck(), 8, 0, "TX_FREQ")
}

func TestDownlinkWithoutForwarder(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.publishDownlink(downlink(9, 868100000))
	checkAck(t, e.nextAck(), 9, 0, hotspot.ErrNoForwarder)
}

func TestDownlinkProtocolV1(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version1)
	dl := downlink(10, 869525000)
	dl.Items[0].Immediately = true
	e.publishDownlink(dl)
	resp := e.expect(gwmp.PullResp, 0)
	if resp.Version != gwmp.Version1 || !resp.TXPK.Imme || resp.TXPK.Tmst != nil {
		t.Errorf("PULL_RESP = v%d %+v, want v1 immediate without tmst", resp.Version, resp.TXPK)
	}
	checkAck(t, e.nextAck(), 10, 0, "NONE")
}

func TestInvalidDownlink(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	e.publishDownlink(&hexnetpb.Downlink{Id: 11})
	checkAck(t, e.nextAck(), 11, 0, hotspot.ErrInvalidDownlink)
	dl := downlink(12, 868100000)
	dl.Items[0].DataRate = nil
	e.publishDownlink(dl)
	checkAck(t, e.nextAck(), 12, 0, hotspot.ErrInvalidDownlink)
}

func TestBadDatagramsCounted(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	bad := map[string][]byte{
		hotspot.DropTooShort:       {2, 0},
		hotspot.DropUnknownVersion: {9, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8},
		hotspot.DropUnknownType:    {2, 0, 0, 77},
		hotspot.DropBadJSON:        append([]byte{2, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8}, `{"rxpk":[{`...),
		hotspot.DropUnexpectedType: {2, 0, 1, byte(gwmp.PushAck)},
		hotspot.DropUnknownTxToken: {2, 0x12, 0x34, byte(gwmp.TxAck), 1, 2, 3, 4, 5, 6, 7, 8},
	}
	for _, raw := range bad {
		e.sendRaw(raw)
	}
	badPayload := rxpk([]byte{1, 2, 3}, gwmp.StatCRCOK)
	badPayload.Data = "!!!!"
	sizeMismatch := rxpk([]byte{1, 2, 3}, gwmp.StatCRCOK)
	sizeMismatch.Size = 9
	e.send(&gwmp.Packet{Version: 2, Token: 1, Type: gwmp.PushData, GatewayEUI: e.eui,
		Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{badPayload, sizeMismatch}}})
	e.expect(gwmp.PushAck, 1)
	e.pull(gwmp.Version2) // still serving
	want := map[string]uint64{hotspot.DropBadPayload: 1, hotspot.DropSizeMismatch: 1}
	for reason := range bad {
		want[reason] = 1
	}
	if diff := cmp.Diff(want, e.daemon.Stats().GetDropped()); diff != "" {
		t.Errorf("drops mismatch (-want +got):\n%s", diff)
	}
	if got := e.counter("hexnet_hotspot_drops_total", hotspot.DropBadJSON); got != 1 {
		t.Errorf("drops_total{bad_json} = %v, want 1", got)
	}
}

// waitCounter polls a metric until it reaches want.
func waitCounter(t *testing.T, e *env, name, label string, want float64) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for e.counter(name, label) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s{%s} = %v, want %v", name, label, e.counter(name, label), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
