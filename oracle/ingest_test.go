package oracle_test

import (
	"context"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// counted gives an ingest of w counters on its own registry, and closed
// as the test of a closed epoch.
func counted(w *world, closed func(uint64) bool) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	w.ingest = oracle.NewIngest(oracle.IngestOptions{Store: w.store, Oracle: w.oracle.Address(), Schedule: w.schedule,
		Clock: w.clk, Logger: slog.New(slog.DiscardHandler), Metrics: oracle.NewMetrics(reg), Closed: closed})
	return reg
}

// metricValues gathers reg: each counter by name, and the rejected counter
// by reason label ("hexnet_oracle_reports_rejected_total/<reason>").
// Counters at zero are left out, so a diff shows only what moved.
func metricValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			if v := m.GetCounter().GetValue(); v != 0 {
				out[name] = v
			}
		}
	}
	return out
}

func rejectedAs(reason string) map[string]float64 {
	return map[string]float64{"hexnet_oracle_reports_rejected_total/" + reason: 1}
}

// challenge is hotspot i's signed challenge of round n, issued at issued
// and expiring at expires, signed by signer (the oracle unless another
// key is given).
func (w *world) challenge(i int, n uint64, issued, expires time.Time, signer *identity.Key) (*hexnetpb.Challenge, *hexnetpb.Signed) {
	w.t.Helper()
	info, err := w.store.GetHotspot(context.Background(), w.hotspots[i].Address())
	if err != nil {
		w.t.Fatal(err)
	}
	ch, err := oracle.NewChallenge(info, oracle.Round{Number: n, Entropy: oracle.Entropy([]byte{byte(n)}, nil)}, issued, expires)
	if err != nil {
		w.t.Fatal(err)
	}
	if signer == nil {
		signer = w.oracle
	}
	signed, err := signer.Seal(identity.KindChallenge, ch)
	if err != nil {
		w.t.Fatal(err)
	}
	return ch, signed
}

// beaconReport answers ch as challenged, sent now.
func (w *world) beaconReport(ch *hexnetpb.Challenge, signed *hexnetpb.Signed) *hexnetpb.BeaconReport {
	return &hexnetpb.BeaconReport{Challenge: signed, Payload: ch.BeaconPayload, FrequencyHz: ch.FrequencyHz,
		DataRate: ch.DataRate, PowerDbm: ch.PowerDbm, TxUnixNs: w.clk.Now().UnixNano(), TxAckError: "NONE"}
}

// witnessReport hears ch now, plausibly.
func (w *world) witnessReport(ch *hexnetpb.Challenge) *hexnetpb.WitnessReport {
	return &hexnetpb.WitnessReport{Payload: ch.BeaconPayload, Rssi: -105, Snr: 4, FrequencyHz: ch.FrequencyHz,
		DataRate: ch.DataRate, ReceivedUnixNs: w.clk.Now().UnixNano()}
}

func seal(t testing.TB, k *identity.Key, kind identity.Kind, msg proto.Message) []byte {
	t.Helper()
	raw, err := k.SealBytes(kind, msg)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func topicOf(k *identity.Key, leaf string) string {
	return "hexnet/hotspot/" + k.Address().String() + "/" + leaf
}

// TestIngestRefuses: each kind of bad report is refused at ingest, counted
// once under its reason, and stores nothing; a good report (the control)
// is stored and counted as stored.
func TestIngestRefuses(t *testing.T) {
	// Each case builds its topic and payload in a fresh world where hotspot
	// 0 is the publisher, challenged in round 1 at t0+4s, now t0+5s.
	cases := []struct {
		name   string
		build  func(w *world, ch *hexnetpb.Challenge, signed *hexnetpb.Signed) (string, []byte)
		closed bool // epoch 0 has closed
		want   map[string]float64
	}{
		{name: "good witness (control)", want: map[string]float64{"hexnet_oracle_reports_stored_total": 1},
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "witness"), seal(w.t, w.hotspots[0], identity.KindWitness, w.witnessReport(ch))
			}},
		{name: "good beacon (control)", want: map[string]float64{"hexnet_oracle_reports_stored_total": 1},
			build: func(w *world, ch *hexnetpb.Challenge, s *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.beaconReport(ch, s))
			}},
		{name: "topic leaf state", want: rejectedAs("bad_topic"), build: goodWitnessOn(func(w *world) string { return topicOf(w.hotspots[0], "state") })},
		{name: "topic too short", want: rejectedAs("bad_topic"), build: goodWitnessOn(func(w *world) string { return "hexnet/hotspot/witness" })},
		{name: "topic too long", want: rejectedAs("bad_topic"), build: goodWitnessOn(func(w *world) string { return topicOf(w.hotspots[0], "witness/x") })},
		{name: "topic other root", want: rejectedAs("bad_topic"), build: goodWitnessOn(func(w *world) string {
			return "hexnot/hotspot/" + w.hotspots[0].Address().String() + "/witness"
		})},
		{name: "topic empty", want: rejectedAs("bad_topic"), build: goodWitnessOn(func(*world) string { return "" })},
		{name: "topic id not an address", want: rejectedAs("signer_mismatch"), build: goodWitnessOn(func(*world) string { return "hexnet/hotspot/nobody/witness" })},
		{name: "oversize envelope", want: rejectedAs("oversize"),
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				r := w.witnessReport(ch)
				r.Payload = make([]byte, 4096)
				return topicOf(w.hotspots[0], "witness"), seal(w.t, w.hotspots[0], identity.KindWitness, r)
			}},
		{name: "garbage bytes", want: rejectedAs("bad_signature"),
			build: func(w *world, _ *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "witness"), []byte{0xff, 0x00, 0x13, 0x37, 0xff}
			}},
		{name: "empty payload", want: rejectedAs("bad_signature"),
			build: func(w *world, _ *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "beacon"), nil
			}},
		{name: "witness sealed as beacon", want: rejectedAs("bad_signature"),
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "witness"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.witnessReport(ch))
			}},
		{name: "beacon sealed as witness", want: rejectedAs("bad_signature"),
			build: func(w *world, ch *hexnetpb.Challenge, s *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindWitness, w.beaconReport(ch, s))
			}},
		{name: "body altered after signing", want: rejectedAs("bad_signature"),
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				env, err := w.hotspots[0].Seal(identity.KindWitness, w.witnessReport(ch))
				if err != nil {
					w.t.Fatal(err)
				}
				env.Body[len(env.Body)-1] ^= 1
				raw, _ := proto.Marshal(env)
				return topicOf(w.hotspots[0], "witness"), raw
			}},
		{name: "signed by another hotspot", want: rejectedAs("signer_mismatch"),
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "witness"), seal(w.t, w.hotspots[1], identity.KindWitness, w.witnessReport(ch))
			}},
		{name: "challenge not signed by the oracle", want: rejectedAs("challenge_not_from_oracle"),
			build: func(w *world, _ *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				ch, forged := w.challenge(0, 1, w.clk.Now().Add(-time.Second), w.clk.Now().Add(20*time.Second), w.hotspots[0])
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.beaconReport(ch, forged))
			}},
		{name: "challenge signature broken", want: rejectedAs("bad_challenge"),
			build: func(w *world, ch *hexnetpb.Challenge, s *hexnetpb.Signed) (string, []byte) {
				bad := proto.Clone(s).(*hexnetpb.Signed)
				bad.Signature[0] ^= 1
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.beaconReport(ch, bad))
			}},
		{name: "no challenge", want: rejectedAs("bad_challenge"),
			build: func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.beaconReport(ch, nil))
			}},
		{name: "challenge for another hotspot", want: rejectedAs("challengee_mismatch"),
			build: func(w *world, _ *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
				ch, s := w.challenge(1, 1, w.clk.Now().Add(-time.Second), w.clk.Now().Add(20*time.Second), nil)
				return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, w.beaconReport(ch, s))
			}},
		{name: "RSSI +50", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Rssi = 50 })},
		{name: "RSSI -300", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Rssi = -300 })},
		{name: "RSSI NaN", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Rssi = float32(math.NaN()) })},
		{name: "RSSI -Inf", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Rssi = float32(math.Inf(-1)) })},
		{name: "SNR +100", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Snr = 100 })},
		{name: "SNR -100", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Snr = -100 })},
		{name: "SNR NaN", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Snr = float32(math.NaN()) })},
		{name: "witness frequency 0", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.FrequencyHz = 0 })},
		{name: "witness frequency 5 GHz", want: rejectedAs("absurd_values"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.FrequencyHz = 5_000_000_000 })},
		{name: "beacon frequency 0", want: rejectedAs("absurd_values"), build: beaconWith(func(r *hexnetpb.BeaconReport) { r.FrequencyHz = 0 })},
		{name: "beacon frequency 5 GHz", want: rejectedAs("absurd_values"), build: beaconWith(func(r *hexnetpb.BeaconReport) { r.FrequencyHz = 5_000_000_000 })},
		{name: "witness payload too short", want: rejectedAs("payload_shape"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Payload = r.Payload[:10] })},
		{name: "witness payload too long", want: rejectedAs("payload_shape"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Payload = append(r.Payload, 0) })},
		{name: "witness payload empty", want: rejectedAs("payload_shape"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.Payload = nil })},
		{name: "witness dated 1 h ahead", want: rejectedAs("dated_in_future"), build: witnessWith(func(r *hexnetpb.WitnessReport) {
			r.ReceivedUnixNs += int64(time.Hour)
		})},
		{name: "beacon dated 1 h ahead", want: rejectedAs("dated_in_future"), build: beaconWith(func(r *hexnetpb.BeaconReport) {
			r.TxUnixNs += int64(time.Hour)
		})},
		{name: "witness dated 2 days ago", want: rejectedAs("too_old"), build: witnessWith(func(r *hexnetpb.WitnessReport) {
			r.ReceivedUnixNs -= int64(48 * time.Hour)
		})},
		{name: "beacon dated 2 days ago", want: rejectedAs("too_old"), build: beaconWith(func(r *hexnetpb.BeaconReport) {
			r.TxUnixNs -= int64(48 * time.Hour)
		})},
		{name: "witness undated", want: rejectedAs("too_old"), build: witnessWith(func(r *hexnetpb.WitnessReport) { r.ReceivedUnixNs = 0 })},
		{name: "epoch closed", closed: true, want: rejectedAs("epoch_closed"), build: witnessWith(func(*hexnetpb.WitnessReport) {})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			reg := counted(w, func(uint64) bool { return tc.closed })
			ch, signed := w.challenge(0, 1, t0.Add(4*time.Second), t0.Add(24*time.Second), nil)
			w.at(5 * time.Second)
			topic, payload := tc.build(w, ch, signed)
			w.ingest.Handle(topic, payload)
			if err := w.ingest.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, metricValues(t, reg)); diff != "" {
				t.Errorf("counters (-want +got):\n%s", diff)
			}
			stored, err := w.store.ReportsOfEpoch(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(tc.want["hexnet_oracle_reports_stored_total"]); len(stored) != want {
				t.Errorf("%d reports stored, want %d", len(stored), want)
			}
		})
	}
}

func goodWitnessOn(topic func(w *world) string) func(*world, *hexnetpb.Challenge, *hexnetpb.Signed) (string, []byte) {
	return func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
		return topic(w), seal(w.t, w.hotspots[0], identity.KindWitness, w.witnessReport(ch))
	}
}

func witnessWith(edit func(*hexnetpb.WitnessReport)) func(*world, *hexnetpb.Challenge, *hexnetpb.Signed) (string, []byte) {
	return func(w *world, ch *hexnetpb.Challenge, _ *hexnetpb.Signed) (string, []byte) {
		r := w.witnessReport(ch)
		edit(r)
		return topicOf(w.hotspots[0], "witness"), seal(w.t, w.hotspots[0], identity.KindWitness, r)
	}
}

func beaconWith(edit func(*hexnetpb.BeaconReport)) func(*world, *hexnetpb.Challenge, *hexnetpb.Signed) (string, []byte) {
	return func(w *world, ch *hexnetpb.Challenge, s *hexnetpb.Signed) (string, []byte) {
		r := w.beaconReport(ch, s)
		edit(r)
		return topicOf(w.hotspots[0], "beacon"), seal(w.t, w.hotspots[0], identity.KindBeacon, r)
	}
}

// TestReencodedReportCountsOnce: the same signed witness report in an
// envelope with an unknown field appended (still a valid envelope with a
// valid signature) is the same report: stored once.
func TestReencodedReportCountsOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.at(5 * time.Second)
	ch, _ := w.challenge(0, 1, w.clk.Now().Add(-time.Second), w.clk.Now().Add(10*time.Second), nil)
	raw := seal(t, w.hotspots[2], identity.KindWitness, w.witnessReport(ch))
	reencoded := append(append([]byte{}, raw...), 0x78, 0x01) // field 15, varint 1
	for _, p := range [][]byte{raw, reencoded, raw} {
		w.ingest.Handle(topicOf(w.hotspots[2], "witness"), p)
	}
	if err := w.ingest.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := w.store.ReportsOfEpoch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d reports stored, want the one signed report once", len(got))
	}
}
