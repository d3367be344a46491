package oracle_test

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// sink keeps what an Ingest stores; the other Reports methods are not
// used by Ingest.
type sink struct {
	oracle.Reports
	mu      sync.Mutex
	reports []oracle.Report
}

func (s *sink) AddReports(_ context.Context, rs []oracle.Report) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports = append(s.reports, rs...)
	return len(rs), nil
}

// fuzzKeys are fixed so that seeds stay valid from run to run.
type fuzzKeys struct {
	oracle, hotspot, other *identity.Key
}

func newFuzzKeys(tb testing.TB) fuzzKeys {
	key := func(b byte) *identity.Key {
		seed := make([]byte, 32)
		seed[0] = b
		k, err := identity.FromSeed(seed)
		if err != nil {
			tb.Fatal(err)
		}
		return k
	}
	return fuzzKeys{oracle: key(1), hotspot: key(2), other: key(3)}
}

// fuzzSeeds are valid beacon and witness reports of k.hotspot at t0+5s and
// the ingest table's refusals, as (topic, payload).
func fuzzSeeds(tb testing.TB, k fuzzKeys) [][2]any {
	cell, err := geo.CellOf(geo.Point{Lat: 47.37, Lng: 8.54}, geo.ResAsserted)
	if err != nil {
		tb.Fatal(err)
	}
	challenge := func(signer *identity.Key, to *identity.Key) (*hexnetpb.Challenge, *hexnetpb.Signed) {
		info := oracle.HotspotInfo{Address: to.Address(), Location: &oracle.Location{Cell: uint64(cell), GainDBiX10: 30, Region: "EU868"}}
		ch, err := oracle.NewChallenge(info, oracle.Round{Number: 1, Entropy: oracle.Entropy([]byte{1}, nil)}, t0.Add(4*time.Second), t0.Add(24*time.Second))
		if err != nil {
			tb.Fatal(err)
		}
		s, err := signer.Seal(identity.KindChallenge, ch)
		if err != nil {
			tb.Fatal(err)
		}
		return ch, s
	}
	w := &world{clk: clock.NewFake(t0.Add(5 * time.Second))}
	ch, s := challenge(k.oracle, k.hotspot)
	beaconTopic, witnessTopic := topicOf(k.hotspot, "beacon"), topicOf(k.hotspot, "witness")
	witness := func(edit func(*hexnetpb.WitnessReport)) [2]any {
		r := w.witnessReport(ch)
		edit(r)
		return [2]any{witnessTopic, seal(tb, k.hotspot, identity.KindWitness, r)}
	}
	beaconBy := func(signed *hexnetpb.Signed, c *hexnetpb.Challenge, edit func(*hexnetpb.BeaconReport)) [2]any {
		r := w.beaconReport(c, signed)
		edit(r)
		return [2]any{beaconTopic, seal(tb, k.hotspot, identity.KindBeacon, r)}
	}
	keep := func(*hexnetpb.WitnessReport) {}
	good := witness(keep)
	forgedCh, forged := challenge(k.other, k.hotspot)
	othersCh, others := challenge(k.oracle, k.other)
	seeds := [][2]any{
		good,
		beaconBy(s, ch, func(*hexnetpb.BeaconReport) {}),
		{topicOf(k.hotspot, "state"), good[1]},
		{"hexnet/hotspot/witness", good[1]},
		{"", []byte{}},
		{witnessTopic, []byte{0xff, 0x00, 0x13, 0x37}},
		{witnessTopic, reencoded(good[1].([]byte))},
		{witnessTopic, seal(tb, k.hotspot, identity.KindBeacon, w.witnessReport(ch))},
		{witnessTopic, seal(tb, k.other, identity.KindWitness, w.witnessReport(ch))},
		beaconBy(forged, forgedCh, func(*hexnetpb.BeaconReport) {}),
		beaconBy(others, othersCh, func(*hexnetpb.BeaconReport) {}),
		beaconBy(nil, ch, func(*hexnetpb.BeaconReport) {}),
		beaconBy(s, ch, func(r *hexnetpb.BeaconReport) { r.FrequencyHz = 5_000_000_000 }),
		beaconBy(s, ch, func(r *hexnetpb.BeaconReport) { r.TxUnixNs += int64(time.Hour) }),
		witness(func(r *hexnetpb.WitnessReport) { r.Payload = make([]byte, 4096) }),
		witness(func(r *hexnetpb.WitnessReport) { r.Rssi = float32(math.NaN()) }),
		witness(func(r *hexnetpb.WitnessReport) { r.Rssi = 50 }),
		witness(func(r *hexnetpb.WitnessReport) { r.Snr = -100 }),
		witness(func(r *hexnetpb.WitnessReport) { r.FrequencyHz = 0 }),
		witness(func(r *hexnetpb.WitnessReport) { r.Payload = r.Payload[:10] }),
		witness(func(r *hexnetpb.WitnessReport) { r.ReceivedUnixNs -= int64(48 * time.Hour) }),
	}
	return seeds
}

// FuzzIngest: whatever arrives on whatever topic, Ingest never panics,
// counts every message exactly once (stored or refused with a reason),
// and stores only reports whose signature verifies, by the hotspot of the
// topic, of the topic's kind; beacons only with a challenge the oracle
// signed for that hotspot.
func FuzzIngest(f *testing.F) {
	k := newFuzzKeys(f)
	for _, s := range fuzzSeeds(f, k) {
		f.Add(s[0].(string), s[1].([]byte))
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		reg := prometheus.NewRegistry()
		out := &sink{}
		in := oracle.NewIngest(oracle.IngestOptions{Store: out, Oracle: k.oracle.Address(),
			Schedule: oracle.Schedule{Genesis: t0, Length: time.Minute, Grace: 10 * time.Second},
			Clock:    clock.NewFake(t0.Add(5 * time.Second)), Logger: slog.New(slog.DiscardHandler), Metrics: oracle.NewMetrics(reg)})
		in.Handle(topic, payload)
		if err := in.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, v := range metricValues(t, reg) {
			total += v
		}
		if total != 1 {
			t.Errorf("counters %v: want exactly one count for one message", metricValues(t, reg))
		}
		for _, r := range out.reports {
			checkStored(t, k, topic, payload, r)
		}
	})
}

func checkStored(t *testing.T, k fuzzKeys, topic string, payload []byte, r oracle.Report) {
	t.Helper()
	if r.ID != oracle.ReportID(r.Envelope) || string(r.Envelope) != string(payload) {
		t.Errorf("stored report %x is not the message received", r.ID)
	}
	if topic != "hexnet/hotspot/"+r.Hotspot.String()+"/"+string(r.Kind) {
		t.Errorf("stored a %s report of %s from topic %q", r.Kind, r.Hotspot, topic)
	}
	var msg proto.Message = &hexnetpb.WitnessReport{}
	kind := identity.KindWitness
	if r.Kind == oracle.KindBeacon {
		msg, kind = &hexnetpb.BeaconReport{}, identity.KindBeacon
	}
	signer, err := identity.OpenBytes(r.Envelope, kind, msg)
	if err != nil || signer != r.Hotspot {
		t.Fatalf("stored a %s report of %s that does not verify: signer %s, %v", r.Kind, r.Hotspot, signer, err)
	}
	if b, ok := msg.(*hexnetpb.BeaconReport); ok {
		var ch hexnetpb.Challenge
		by, err := identity.Open(b.GetChallenge(), identity.KindChallenge, &ch)
		if err != nil || by != k.oracle.Address() || identity.AddressOf(ch.GetChallengee()) != r.Hotspot {
			t.Errorf("stored a beacon report with a challenge by %s for %s: %v", by, identity.AddressOf(ch.GetChallengee()), err)
		}
	}
}
