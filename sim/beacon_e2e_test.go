package sim

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

const e2eWait = 10 * time.Second

// neighbourWorld is a two-hotspot world, from the first seed at which
// the two hear each other at SF9 and 14 dBm with margin to spare for any
// fading.
func neighbourWorld(t *testing.T) *World {
	t.Helper()
	floor, _ := geo.DemodFloorDB(9)
	for seed := int64(1); seed < 1000; seed++ {
		cfg := testConfig(seed)
		cfg.Hotspots, cfg.Devices = 2, 0
		w := newTestWorld(t, cfg)
		a, b := w.hotspots[0], w.hotspots[1]
		l := w.cfg.Radio.budget(linkInput{txPowerDBm: 14, txGainDBi: a.AntennaGainDBi, rxGainDBi: b.AntennaGainDBi,
			distanceM: hotspotDistanceM(a, b), frequencyHz: 868.1e6, shadowDB: w.hotspotShadowDB(0, 1)})
		if l.SNR > floor+5*w.cfg.Radio.FadingSigmaDB {
			return w
		}
	}
	t.Fatal("no seed gives two neighbouring hotspots")
	return nil
}

// startHotspotd runs a hotspot daemon for h that obeys oracle and returns
// its GWMP address.
func startHotspotd(t *testing.T, ctx context.Context, url string, h Hotspot, oracle identity.Address) string {
	t.Helper()
	bus, err := hotspot.Dial(ctx, h.Key, url, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	d, err := hotspot.New(hotspot.Options{Key: h.Key, GWMPListen: "127.0.0.1:0", Bus: bus, Oracle: oracle})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("hotspot %d: %v", h.Index, err)
		}
	})
	<-d.Ready()
	return d.Addr().String()
}

// TestBeaconWitnessedEndToEnd: two hotspotd daemons behind simulated
// packet forwarders over real UDP and an MQTT broker. The oracle
// challenges A; A's beacon goes on the simulated air; B's forwarder hears
// it and B publishes a signed witness report of the same payload.
func TestBeaconWitnessedEndToEnd(t *testing.T) {
	w := neighbourWorld(t)
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	oracle, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // before the cleanups that wait for the daemons and the sim
	hs := w.Hotspots()
	obs, reports := observeReports(t, ctx, b.URL(), hs)
	servers := []string{startHotspotd(t, ctx, b.URL(), hs[0], oracle.Address()), startHotspotd(t, ctx, b.URL(), hs[1], oracle.Address())}
	simDone := make(chan error, 1)
	go func() { simDone <- w.Run(ctx, servers) }()
	t.Cleanup(func() {
		if err := <-simDone; err != nil {
			t.Errorf("sim: %v", err)
		}
	})

	payload := challengeUntilSent(t, ctx, obs, reports, oracle, hs[0])
	var wr hexnetpb.WitnessReport
	select {
	case raw := <-reports.witnesses[hs[1].Address]:
		signer, err := identity.OpenBytes(raw, identity.KindWitness, &wr)
		if err != nil || signer != hs[1].Address {
			t.Fatalf("witness report: signer %s, err %v", signer, err)
		}
	case <-time.After(e2eWait):
		t.Fatal("hotspot B published no witness report")
	}
	if !bytes.Equal(wr.GetPayload(), payload) || wr.GetFrequencyHz() != 868_100_000 || wr.GetDataRate().GetSpreadingFactor() != 9 {
		t.Errorf("witness report %v, want payload %x at 868.1 MHz SF9", &wr, payload)
	}
	heard := w.BeaconsHeard()[0]
	if len(heard) != 1 || len(heard[0].Receptions) != 1 || heard[0].Receptions[0].Hotspot != 1 {
		t.Fatalf("the world says hotspot 0's beacons were heard by %+v, want hotspot 1 once", heard)
	}
	if d := math.Abs(float64(wr.GetRssi()) - heard[0].Receptions[0].RSSI); d > 1 {
		t.Errorf("witness RSSI %.1f, the world's %.1f", wr.GetRssi(), heard[0].Receptions[0].RSSI)
	}
	select {
	case <-reports.witnesses[hs[0].Address]:
		t.Error("hotspot A witnessed its own beacon")
	case <-time.After(200 * time.Millisecond):
	}
}

// reportChannels holds what the oracle side receives: beacon reports, and
// witness reports by witness.
type reportChannels struct {
	beacons   chan []byte
	witnesses map[identity.Address]chan []byte
}

// observeReports subscribes, as the oracle would, to every hotspot's
// beacon and witness reports; hs are the hotspots whose witness reports
// are kept.
func observeReports(t *testing.T, ctx context.Context, url string, hs []Hotspot) (*mqttclient.Client, reportChannels) {
	t.Helper()
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: url, ClientID: "oracle-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	rc := reportChannels{beacons: make(chan []byte, 8), witnesses: map[identity.Address]chan []byte{}}
	for _, h := range hs {
		rc.witnesses[h.Address] = make(chan []byte, 8)
	}
	err = cl.Subscribe(ctx, hotspot.TopicAll(hotspot.LeafWitness), 1, func(topic string, p []byte) {
		if addr, _, ok := hotspot.ParseTopic(topic); ok && rc.witnesses[addr] != nil {
			rc.witnesses[addr] <- append([]byte(nil), p...)
		}
	})
	if err == nil {
		err = cl.Subscribe(ctx, hotspot.TopicAll(hotspot.LeafBeacon), 1, func(_ string, p []byte) {
			rc.beacons <- append([]byte(nil), p...)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return cl, rc
}

// challengeUntilSent challenges h, a new round each time, until its
// beacon report says the forwarder sent the beacon (the first challenges
// may arrive before the forwarder's first PULL_DATA). It returns the
// payload of the beacon sent.
func challengeUntilSent(t *testing.T, ctx context.Context, cl *mqttclient.Client, rc reportChannels, oracle *identity.Key, h Hotspot) []byte {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for round := uint64(1); time.Now().Before(deadline); round++ {
		entropy := bytes.Repeat([]byte{byte(round)}, 32)
		ch := &hexnetpb.Challenge{
			Round: round, Entropy: entropy, Challengee: h.Key.Public(), BeaconPayload: beacon.Payload(entropy, h.Key.Public()),
			FrequencyHz: 868_100_000, DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
			PowerDbm: 14, IssuedUnixNs: time.Now().UnixNano(), ExpiresUnixNs: time.Now().Add(time.Minute).UnixNano(),
		}
		raw, err := oracle.SealBytes(identity.KindChallenge, ch)
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.Publish(ctx, hotspot.Topic(h.Address, hotspot.LeafChallenge), 1, false, raw); err != nil {
			t.Fatal(err)
		}
		var rep hexnetpb.BeaconReport
		select {
		case raw := <-rc.beacons:
			if signer, err := identity.OpenBytes(raw, identity.KindBeacon, &rep); err != nil || signer != h.Address {
				t.Fatalf("beacon report: signer %s, err %v", signer, err)
			}
		case <-time.After(e2eWait):
			t.Fatal("no beacon report")
		}
		if rep.GetTxAckError() == "NONE" {
			return rep.GetPayload()
		}
		if rep.GetTxAckError() != hotspot.ErrNoForwarder {
			t.Fatalf("beacon not sent: %s", rep.GetTxAckError())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the beacon was never sent")
	return nil
}
