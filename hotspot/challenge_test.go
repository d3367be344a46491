package hotspot_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// challengeFor is a valid challenge for the hotspot with public key pub.
func challengeFor(key *identity.Key, round uint64) *hexnetpb.Challenge {
	entropy := bytes.Repeat([]byte{byte(round)}, 32)
	return &hexnetpb.Challenge{
		Round: round, Entropy: entropy, Challengee: key.Public(), BeaconPayload: beacon.Payload(entropy, key.Public()),
		FrequencyHz: 868_300_000, DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
		PowerDbm: 14, IssuedUnixNs: fixedNow.Add(-time.Second).UnixNano(), ExpiresUnixNs: fixedNow.Add(30 * time.Second).UnixNano(),
	}
}

// sealChallenge signs ch as signer would.
func (e *env) sealChallenge(signer *identity.Key, kind identity.Kind, ch *hexnetpb.Challenge) []byte {
	e.t.Helper()
	raw, err := signer.SealBytes(kind, ch)
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

func (e *env) publishChallenge(raw []byte) {
	e.t.Helper()
	if err := e.observer.Publish(context.Background(), hotspot.Topic(e.key.Address(), hotspot.LeafChallenge), 1, false, raw); err != nil {
		e.t.Fatal(err)
	}
}

// nextBeaconReport waits for the next BeaconReport, checks that the
// hotspot signed it, and that the challenge inside is the oracle's.
func (e *env) nextBeaconReport() *hexnetpb.BeaconReport {
	e.t.Helper()
	var rep hexnetpb.BeaconReport
	signer, err := identity.OpenBytes(e.next(hotspot.LeafBeacon), identity.KindBeacon, &rep)
	if err != nil || signer != e.key.Address() {
		e.t.Fatalf("beacon report: signer %s, err %v", signer, err)
	}
	var ch hexnetpb.Challenge
	if signer, err := identity.Open(rep.GetChallenge(), identity.KindChallenge, &ch); err != nil || signer != e.oracle.Address() {
		e.t.Fatalf("challenge in the beacon report: signer %s, err %v", signer, err)
	}
	return &rep
}

// TestBeacon: a challenge signed by the oracle becomes a PULL_RESP that
// sends the beacon frame at once with uplink polarity; the TX_ACK becomes
// a signed BeaconReport carrying the challenge verbatim.
func TestBeacon(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	ch := challengeFor(e.key, 3)
	raw := e.sealChallenge(e.oracle, identity.KindChallenge, ch)
	e.publishChallenge(raw)
	resp := e.recv()
	if resp.Type != gwmp.PullResp {
		t.Fatalf("got %s, want PULL_RESP", resp.Type)
	}
	want := &gwmp.TXPK{Imme: true, Freq: 868.3, Powe: 14, Modu: "LORA", DatR: gwmp.LoRa(9, 125), Codr: "4/5", IPol: false}
	want.SetPayload(beacon.Frame(ch.GetBeaconPayload()))
	if diff := cmp.Diff(want, resp.TXPK); diff != "" {
		t.Errorf("txpk mismatch (-want +got):\n%s", diff)
	}
	e.send(&gwmp.Packet{Version: gwmp.Version2, Token: resp.Token, Type: gwmp.TxAck, GatewayEUI: e.eui})

	rep := e.nextBeaconReport()
	var env hexnetpb.Signed
	if err := proto.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	wantRep := &hexnetpb.BeaconReport{
		Challenge: &env, Payload: ch.GetBeaconPayload(), FrequencyHz: 868_300_000, DataRate: ch.GetDataRate(),
		PowerDbm: 14, Tmst: 0, TxUnixNs: fixedNow.UnixNano(), TxAckError: "NONE",
	}
	if diff := cmp.Diff(wantRep, rep, protocmp.Transform()); diff != "" {
		t.Errorf("beacon report mismatch (-want +got):\n%s", diff)
	}
	e.quiet(hotspot.LeafAck) // a beacon is not the router's downlink
	for name, want := range map[string]float64{
		"hexnet_hotspot_challenges_received_total": 1, "hexnet_hotspot_challenges_accepted_total": 1,
	} {
		if got := e.counter(name, ""); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := e.counter("hexnet_hotspot_beacons_total", "NONE"); got != 1 {
		t.Errorf("beacons_total{NONE} = %v, want 1", got)
	}

	// The same envelope again: one beacon per challenge.
	e.publishChallenge(raw)
	waitCounter(t, e, "hexnet_hotspot_challenges_refused_total", hotspot.RefuseReplayed, 1)
	e.noDatagram()
	e.quiet(hotspot.LeafBeacon)
}

// TestBeaconFailureReported: whatever the forwarder answers, or when there
// is no forwarder at all, the oracle gets a report saying so.
func TestBeaconFailureReported(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.publishChallenge(e.sealChallenge(e.oracle, identity.KindChallenge, challengeFor(e.key, 1)))
	if rep := e.nextBeaconReport(); rep.GetTxAckError() != hotspot.ErrNoForwarder {
		t.Errorf("without a forwarder: tx_ack_error %q, want %s", rep.GetTxAckError(), hotspot.ErrNoForwarder)
	}
	e.pull(gwmp.Version2)
	e.publishChallenge(e.sealChallenge(e.oracle, identity.KindChallenge, challengeFor(e.key, 2)))
	resp := e.recv()
	e.send(&gwmp.Packet{Version: 2, Token: resp.Token, Type: gwmp.TxAck, GatewayEUI: e.eui,
		TxAck: &gwmp.TXPKAck{Error: gwmp.TxCollisionPacket}})
	if rep := e.nextBeaconReport(); rep.GetTxAckError() != string(gwmp.TxCollisionPacket) {
		t.Errorf("tx_ack_error %q, want COLLISION_PACKET", rep.GetTxAckError())
	}
	if got := e.counter("hexnet_hotspot_beacons_total", string(gwmp.TxCollisionPacket)); got != 1 {
		t.Errorf("beacons_total{COLLISION_PACKET} = %v, want 1", got)
	}
}

// TestChallengeRefused: a challenge the hotspot must not obey transmits
// nothing, reports nothing and is counted by reason.
func TestChallengeRefused(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	stranger, other := mustKey(t), mustKey(t)
	edit := func(f func(*hexnetpb.Challenge)) *hexnetpb.Challenge {
		ch := challengeFor(e.key, 9)
		f(ch)
		return ch
	}
	valid := challengeFor(e.key, 9)
	for _, tc := range []struct {
		reason string
		raw    []byte
	}{
		{hotspot.RefuseBadEnvelope, []byte("not a signed envelope at all")},
		{hotspot.RefuseBadEnvelope, e.sealChallenge(e.oracle, identity.KindBeacon, valid)}, // a signature for another kind
		{hotspot.RefuseBadEnvelope, tamper(t, e.sealChallenge(e.oracle, identity.KindChallenge, valid))},
		{hotspot.RefuseWrongSigner, e.sealChallenge(stranger, identity.KindChallenge, valid)},
		{hotspot.RefuseNotMine, e.sealChallenge(e.oracle, identity.KindChallenge, challengeFor(other, 9))},
		{hotspot.RefuseExpired, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.ExpiresUnixNs = fixedNow.Add(-time.Millisecond).UnixNano()
		}))},
		{hotspot.RefuseTooLong, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.ExpiresUnixNs = fixedNow.Add(hotspot.MaxChallengeLifetime + time.Second).UnixNano()
		}))},
		{hotspot.RefuseWrongPayload, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.BeaconPayload = bytes.Repeat([]byte{0x55}, beacon.PayloadSize) // "send this for me"
		}))},
		{hotspot.RefuseBadRadio, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.FrequencyHz = 2_400_000_000
		}))},
		{hotspot.RefuseBadRadio, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.PowerDbm = 60
		}))},
		{hotspot.RefuseBadRadio, e.sealChallenge(e.oracle, identity.KindChallenge, edit(func(c *hexnetpb.Challenge) {
			c.DataRate = nil
		}))},
	} {
		before := e.counter("hexnet_hotspot_challenges_refused_total", tc.reason)
		e.publishChallenge(tc.raw)
		waitCounter(t, e, "hexnet_hotspot_challenges_refused_total", tc.reason, before+1)
	}
	e.noDatagram()
	e.quiet(hotspot.LeafBeacon)
	want := map[string]uint64{
		"challenge_" + hotspot.RefuseBadEnvelope: 3, "challenge_" + hotspot.RefuseWrongSigner: 1,
		"challenge_" + hotspot.RefuseNotMine: 1, "challenge_" + hotspot.RefuseExpired: 1,
		"challenge_" + hotspot.RefuseTooLong: 1, "challenge_" + hotspot.RefuseWrongPayload: 1,
		"challenge_" + hotspot.RefuseBadRadio: 3,
	}
	if diff := cmp.Diff(want, e.daemon.Stats().GetDropped()); diff != "" {
		t.Errorf("drops mismatch (-want +got):\n%s", diff)
	}
	if got := e.counter("hexnet_hotspot_challenges_accepted_total", ""); got != 0 {
		t.Errorf("challenges_accepted_total = %v, want 0", got)
	}
}

// TestChallengeWithoutOracle: a hotspot configured with no oracle obeys
// nobody.
func TestChallengeWithoutOracle(t *testing.T) {
	e := newEnvWith(t, startBroker(t), time.Hour, false)
	e.pull(gwmp.Version2)
	e.publishChallenge(e.sealChallenge(mustKey(t), identity.KindChallenge, challengeFor(e.key, 1)))
	waitCounter(t, e, "hexnet_hotspot_challenges_refused_total", hotspot.RefuseNoOracle, 1)
	e.noDatagram()
}

// TestOracleAddressChecked: New refuses an oracle address that is no key.
func TestOracleAddressChecked(t *testing.T) {
	_, err := hotspot.New(hotspot.Options{Key: mustKey(t), Bus: nopBus{}, Oracle: "not-base58-0OIl"})
	if err == nil {
		t.Error("New accepted an invalid oracle address")
	}
}

func mustKey(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tamper flips a bit of an envelope's body, keeping its signature.
func tamper(t *testing.T, raw []byte) []byte {
	t.Helper()
	var env hexnetpb.Signed
	if err := proto.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	env.Body[len(env.Body)-1] ^= 1
	out, err := proto.Marshal(&env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// nopBus is a Bus that goes nowhere.
type nopBus struct{}

func (nopBus) Publish(context.Context, string, byte, bool, []byte) error         { return nil }
func (nopBus) Subscribe(context.Context, string, byte, mqttclient.Handler) error { return nil }
