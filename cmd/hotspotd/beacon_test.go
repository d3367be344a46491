package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// send writes one GWMP packet to hotspotd.
func (f *forwarder) send(p *gwmp.Packet) {
	f.t.Helper()
	p.Version, p.GatewayEUI = gwmp.Version2, lorawan.EUI64{0xaa, 0x55, 0x5a, 0, 0, 0, 0, 1}
	raw, err := gwmp.Encode(p)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.conn.WriteToUDP(raw, f.to); err != nil {
		f.t.Fatal(err)
	}
}

// recv reads the next datagram from hotspotd.
func (f *forwarder) recv() *gwmp.Packet {
	f.t.Helper()
	buf := make([]byte, gwmp.MaxDatagram)
	f.conn.SetReadDeadline(time.Now().Add(waitFor))
	n, err := f.conn.Read(buf)
	if err != nil {
		f.t.Fatalf("nothing from hotspotd: %v", err)
	}
	p, err := gwmp.Decode(buf[:n])
	if err != nil {
		f.t.Fatalf("hotspotd sent an undecodable datagram: %v", err)
	}
	return p
}

// TestBeaconOnChallenge: with --oracle, a challenge signed by that oracle
// makes hotspotd send the beacon to its packet forwarder (immediately, not
// inverted) and publish a signed beacon report after the TX_ACK.
func TestBeaconOnChallenge(t *testing.T) {
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	keyPath, key := keyFile(t)
	oracle, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	gwmpAddr := proctest.FreeUDPAddr(t)
	p := start(t, "--key", keyPath, "--gwmp-listen", gwmpAddr, "--mqtt", b.URL(), "--metrics-listen", "",
		"--oracle", string(oracle.Address()))
	p.WaitLog("hotspot running")
	obs := observe(t, b.URL(), key.Address())

	fwd := newForwarder(t, gwmpAddr)
	fwd.send(&gwmp.Packet{Token: 1, Type: gwmp.PullData})
	if ack := fwd.recv(); ack.Type != gwmp.PullAck {
		t.Fatalf("got %s, want PULL_ACK", ack.Type)
	}
	entropy := bytes.Repeat([]byte{0x42}, 32)
	ch := &hexnetpb.Challenge{
		Round: 1, Entropy: entropy, Challengee: key.Public(), BeaconPayload: beacon.Payload(entropy, key.Public()),
		FrequencyHz: 867_500_000, DataRate: &hexnetpb.DataRate{SpreadingFactor: 10, BandwidthKhz: 125, CodingRate: "4/5"},
		PowerDbm: 16, IssuedUnixNs: time.Now().UnixNano(), ExpiresUnixNs: time.Now().Add(time.Minute).UnixNano(),
	}
	raw, err := oracle.SealBytes(identity.KindChallenge, ch)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := connect(t, b.URL(), "oracle").Publish(ctx, hotspot.Topic(key.Address(), hotspot.LeafChallenge), 1, false, raw); err != nil {
		t.Fatal(err)
	}
	resp := fwd.recv()
	if resp.Type != gwmp.PullResp || !resp.TXPK.Imme || resp.TXPK.IPol || resp.TXPK.Freq != 867.5 {
		t.Fatalf("got %s %+v, want an immediate, non-inverted PULL_RESP at 867.5 MHz", resp.Type, resp.TXPK)
	}
	if phy, _ := resp.TXPK.Payload(); !bytes.Equal(phy, beacon.Frame(ch.GetBeaconPayload())) {
		t.Errorf("PULL_RESP carries %x, want the beacon frame", phy)
	}
	fwd.send(&gwmp.Packet{Token: resp.Token, Type: gwmp.TxAck})
	var rep hexnetpb.BeaconReport
	if signer, err := identity.OpenBytes(obs.next(hotspot.LeafBeacon), identity.KindBeacon, &rep); err != nil || signer != key.Address() {
		t.Fatalf("beacon report: signer %s, err %v", signer, err)
	}
	if rep.GetTxAckError() != "NONE" || !bytes.Equal(rep.GetPayload(), ch.GetBeaconPayload()) {
		t.Errorf("beacon report = %v", &rep)
	}
}
