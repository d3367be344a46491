package hotspot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// TestWitness: a beacon-shaped frame becomes a signed WitnessReport and
// not an uplink; a data frame in the same PUSH_DATA is still an uplink.
func TestWitness(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	payload := beacon.Payload([]byte("round entropy"), mustKey(t).Public())
	data := []byte{0x40, 1, 2, 3, 4, 0x80, 1, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd}
	e.send(&gwmp.Packet{Version: gwmp.Version2, Token: 0xbeef, Type: gwmp.PushData, GatewayEUI: e.eui,
		Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{rxpk(beacon.Frame(payload), gwmp.StatCRCOK), rxpk(data, gwmp.StatCRCOK)}}})
	e.expect(gwmp.PushAck, 0xbeef)

	var w hexnetpb.WitnessReport
	signer, err := identity.OpenBytes(e.next(hotspot.LeafWitness), identity.KindWitness, &w)
	if err != nil || signer != e.key.Address() {
		t.Fatalf("witness report: signer %s, err %v", signer, err)
	}
	want := &hexnetpb.WitnessReport{
		Payload: payload, Rssi: -97, Snr: 6.25, FrequencyHz: 868_300_000,
		DataRate:       &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
		ReceivedUnixNs: fixedNow.UnixNano(), Tmst: 4294967000, Seq: 1,
		GatewayTimeUnixNs: time.Date(2025, 6, 1, 11, 59, 59, 123456000, time.UTC).UnixNano(),
	}
	if diff := cmp.Diff(want, &w, protocmp.Transform()); diff != "" {
		t.Errorf("witness report mismatch (-want +got):\n%s", diff)
	}
	up := openUplink(t, e, e.next(hotspot.LeafUp))
	if !cmp.Equal(up.GetPhyPayload(), data) || up.GetSeq() != 2 {
		t.Errorf("uplink payload %x seq %d, want the data frame, seq 2", up.GetPhyPayload(), up.GetSeq())
	}
	e.quiet(hotspot.LeafUp) // the beacon never reaches the router
	waitCounter(t, e, "hexnet_hotspot_witnesses_reported_total", "", 1)
	if st := e.daemon.Stats(); st.GetRxOk() != 2 || st.GetRxForwarded() != 1 {
		t.Errorf("stats = %v, want 2 ok, 1 forwarded", st)
	}
}

// TestOwnBeaconNotWitnessed: should the hotspot's radio hear its own
// beacon, it is neither witnessed nor forwarded.
func TestOwnBeaconNotWitnessed(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	ch := challengeFor(e.key, 4)
	e.publishChallenge(e.sealChallenge(e.oracle, identity.KindChallenge, ch))
	resp := e.recv()
	e.send(&gwmp.Packet{Version: 2, Token: resp.Token, Type: gwmp.TxAck, GatewayEUI: e.eui})
	e.nextBeaconReport()
	e.send(&gwmp.Packet{Version: gwmp.Version2, Token: 0x0b0b, Type: gwmp.PushData, GatewayEUI: e.eui,
		Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{rxpk(beacon.Frame(ch.GetBeaconPayload()), gwmp.StatCRCOK)}}})
	e.expect(gwmp.PushAck, 0x0b0b)
	e.quiet(hotspot.LeafWitness)
	e.quiet(hotspot.LeafUp)
	if got := e.daemon.Stats().GetDropped()[hotspot.DropOwnBeacon]; got != 1 {
		t.Errorf("dropped[own_beacon] = %d, want 1", got)
	}
}
