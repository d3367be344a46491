package oracle_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

// deliver hands raw to the ingest on topic and stores it.
func (w *world) deliver(topic string, raw []byte) {
	w.t.Helper()
	w.ingest.Handle(topic, raw)
	if err := w.ingest.Flush(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) closer() *oracle.Closer {
	return &oracle.Closer{Judge: w.judge(false), Clock: w.clk, Log: slog.New(slog.DiscardHandler)}
}

// tick runs the closer at t0+d.
func (w *world) tick(c *oracle.Closer, d time.Duration) {
	w.t.Helper()
	w.at(d)
	if err := c.Tick(context.Background()); err != nil {
		w.t.Fatalf("tick at %v: %v", d, err)
	}
}

// reencoded is raw with an unknown field (15, varint 1) appended to the
// envelope: the same signature over the same body, another report ID.
// Anyone who sees a report on the bus can make one.
func reencoded(raw []byte) []byte {
	return append(append([]byte(nil), raw...), 0x78, 0x01)
}

// closedEpoch is what a closed epoch fixed.
type closedEpoch struct {
	Epoch    oracle.Epoch
	Manifest []oracle.ManifestEntry
	Verdicts []oracle.Verdict
}

func snapshot(t *testing.T, s oracle.Store, n uint64) closedEpoch {
	t.Helper()
	ctx := context.Background()
	e, err := s.GetEpoch(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := s.VerdictsOfEpoch(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return closedEpoch{e, m, vs}
}

// checkOneVerdictEach: every report stored for epoch n that the epoch
// judges (its own, and the next epoch's witnesses that arrived before it
// closed and matched one of its beacons) has exactly one verdict, in
// exactly one epoch.
func checkOneVerdictEach(t *testing.T, s oracle.Store, epochs ...uint64) {
	t.Helper()
	ctx := context.Background()
	judgedIn := map[[32]byte]uint64{}
	for _, n := range epochs {
		vs, err := s.VerdictsOfEpoch(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if e, dup := judgedIn[v.ReportID]; dup {
				t.Errorf("report %x judged in epochs %d and %d", v.ReportID[:4], e, n)
			}
			judgedIn[v.ReportID] = n
		}
	}
	for _, n := range epochs {
		rs, err := s.ReportsOfEpoch(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if _, ok := judgedIn[r.ID]; !ok {
				t.Errorf("%s report %x of epoch %d by %s has no verdict", r.Kind, r.ID[:4], n, r.Hotspot)
			}
		}
	}
}

// TestAcceptedButJudged: reports that verify are stored and then judged
// invalid with a reason: a witness from a hotspot that is not onboarded,
// the same witness report delivered twice (stored and judged once), a
// second report by the same witness of the same beacon, a beacon report
// answering an old round's challenge after it expired, and a beacon that
// does not carry its challenge's payload.
func TestAcceptedButJudged(t *testing.T) {
	w := newWorld(t)
	w.rules.Params.ReciprocityWindow = 0 // valid reads valid here
	reg := counted(w, nil)
	stranger := newKey(t) // signs correctly, never onboarded
	closer := w.closer()
	w.tick(closer, 0)
	const a, b, c = 0, 1, 2

	// Round 1: B beacons at 5 s; A's witness arrives twice, C witnesses
	// twice, the stranger once.
	ch1, s1 := w.challenge(b, 1, t0.Add(4*time.Second), t0.Add(24*time.Second), nil)
	w.at(5 * time.Second)
	w.publish(b, "beacon", identity.KindBeacon, w.beaconReport(ch1, s1))
	w.at(5600 * time.Millisecond)
	witnessA := seal(t, w.hotspots[a], identity.KindWitness, w.witnessReport(ch1))
	w.deliver(topicOf(w.hotspots[a], "witness"), witnessA)
	w.publish(c, "witness", identity.KindWitness, w.witnessReport(ch1))
	w.deliver(topicOf(stranger, "witness"), seal(t, stranger, identity.KindWitness, w.witnessReport(ch1)))
	w.at(5900 * time.Millisecond)
	again := w.witnessReport(ch1)
	again.Rssi = -107
	w.publish(c, "witness", identity.KindWitness, again)
	w.deliver(topicOf(w.hotspots[a], "witness"), witnessA)

	// Round 2: C's beacon carries another payload than challenged.
	ch2, s2 := w.challenge(c, 2, t0.Add(14*time.Second), t0.Add(34*time.Second), nil)
	w.at(15 * time.Second)
	wrong := w.beaconReport(ch2, s2)
	wrong.Payload = append([]byte(nil), wrong.Payload...)
	wrong.Payload[0] ^= 0xff
	w.publish(c, "beacon", identity.KindBeacon, wrong)

	// Round 3: A was challenged at 16 s until 26 s and answers at 45 s.
	ch3, s3 := w.challenge(a, 3, t0.Add(16*time.Second), t0.Add(26*time.Second), nil)
	w.at(45 * time.Second)
	w.publish(a, "beacon", identity.KindBeacon, w.beaconReport(ch3, s3))

	w.tick(closer, 70*time.Second)
	ctx := context.Background()
	stored, err := w.store.ReportsOfHotspot(ctx, w.hotspots[a].Address(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 { // A's witness once, A's beacon
		t.Errorf("A has %d reports stored, want 2", len(stored))
	}
	wantCounts := map[string]float64{"hexnet_oracle_reports_stored_total": 7, "hexnet_oracle_reports_replayed_total": 1}
	if diff := cmp.Diff(wantCounts, metricValues(t, reg)); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
	vs, err := w.store.VerdictsOfEpoch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) string { return w.hotspots[i].Address().String() }
	want := map[string][]string{
		addr(b) + "/beacon":                      {"valid"},
		addr(a) + "/witness":                     {"valid"},
		addr(c) + "/witness":                     {"valid", "duplicate"},
		stranger.Address().String() + "/witness": {"unknown_hotspot"},
		addr(c) + "/beacon":                      {"wrong_payload"},
		addr(a) + "/beacon":                      {"challenge_expired"},
	}
	got := verdicts(vs)
	if diff := cmp.Diff(want, got, sortedReasons); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	checkOneVerdictEach(t, w.store, 0)
}

var sortedReasons = cmp.Transformer("sorted", func(in []string) map[string]int {
	out := map[string]int{}
	for _, s := range in {
		out[s]++
	}
	return out
})

// TestClosedEpochNeverChanges closes epoch 0, then lets more arrive: late
// witnesses of its beacons, a replay of one of its witness reports, more
// closer ticks, a second close, the next epoch's close. Epoch 0's root,
// manifest and verdicts stay as they were, judging it again gives the same
// root, and the next epoch judges the late witnesses late.
func TestClosedEpochNeverChanges(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const a, b, c = 0, 1, 2
	closer := w.closer()
	w.tick(closer, 0)
	w.beacon(b, 1, 5*time.Second, a, c)
	w.beacon(c, 2, 15*time.Second, a, b)
	w.beacon(a, 3, 25*time.Second, b, c)
	// B beacons near the end; A's witness lands in the grace period.
	ch4, s4 := w.challenge(b, 4, t0.Add(58*time.Second), t0.Add(78*time.Second), nil)
	w.at(59 * time.Second)
	w.publish(b, "beacon", identity.KindBeacon, w.beaconReport(ch4, s4))
	w.at(60500 * time.Millisecond)
	graceWitness := seal(t, w.hotspots[a], identity.KindWitness, w.witnessReport(ch4))
	w.deliver(topicOf(w.hotspots[a], "witness"), graceWitness)
	w.tick(closer, 70*time.Second)
	before := snapshot(t, w.store, 0)
	if before.Epoch.Status != oracle.EpochClosed || len(before.Manifest) == 0 {
		t.Fatalf("epoch 0 after close: %+v", before)
	}

	// After the close: C's witness of round 4 arrives late, A's grace
	// witness is delivered again, and the closer keeps ticking.
	w.at(71 * time.Second)
	late := w.witnessReport(ch4)
	late.ReceivedUnixNs = t0.Add(59600 * time.Millisecond).UnixNano()
	w.publish(c, "witness", identity.KindWitness, late)
	w.deliver(topicOf(w.hotspots[a], "witness"), graceWitness)
	w.tick(closer, 75*time.Second)

	if err := w.store.CloseEpoch(ctx, before.Epoch, nil, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("closing epoch 0 again: %v, want store.ErrConflict", err)
	}
	again, err := w.judge(true).Epoch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(again.Root[:]) != string(before.Epoch.Root) {
		t.Errorf("epoch 0 judged again after later reports: root %x, closed with %x", again.Root, before.Epoch.Root)
	}
	w.tick(closer, 130*time.Second)
	if diff := cmp.Diff(before, snapshot(t, w.store, 0)); diff != "" {
		t.Errorf("closed epoch 0 changed (-before +after):\n%s", diff)
	}
	vs1, err := w.store.VerdictsOfEpoch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want1 := map[string][]string{w.hotspots[c].Address().String() + "/witness": {"late"}}
	if diff := cmp.Diff(want1, verdicts(vs1), sortedReasons); diff != "" {
		t.Errorf("epoch 1 verdicts (-want +got):\n%s", diff)
	}
	checkOneVerdictEach(t, w.store, 0, 1)
}

// TestBeaconReplayedInNextEpoch: a beacon report of epoch 0 replayed in
// epoch 1 (re-encoded by anyone on the bus, or re-signed by its beaconer),
// after a witness of it arrived in epoch 0's grace period. Epoch 0 judged
// that witness; epoch 1 must not judge it again (the store refuses a
// second verdict for a report, and epoch 1 and every later epoch would
// never close), and the replay is a duplicate, not a second valid beacon
// of the same challenge.
func TestBeaconReplayedInNextEpoch(t *testing.T) {
	// A re-encoded envelope carries the same signed report, so ingest
	// stores it once (it never reaches epoch 1); a re-signed report is a
	// new report of the same challenge: a duplicate.
	replays := map[string]struct {
		replay    func(w *world, raw []byte, report func() []byte)
		duplicate bool
	}{
		"re-encoded by a third party": {func(w *world, raw []byte, _ func() []byte) {
			w.deliver(topicOf(w.hotspots[1], "beacon"), reencoded(raw))
		}, false},
		"re-signed by the beaconer": {func(w *world, _ []byte, report func() []byte) {
			w.deliver(topicOf(w.hotspots[1], "beacon"), report())
		}, true},
	}
	for name, tc := range replays {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.rules.Params.ReciprocityWindow = 0
			const a, b, c = 0, 1, 2
			closer := w.closer()
			w.tick(closer, 0)
			ch, s := w.challenge(b, 1, t0.Add(58*time.Second), t0.Add(78*time.Second), nil)
			report := func() []byte { return seal(t, w.hotspots[b], identity.KindBeacon, w.beaconReport(ch, s)) }
			w.at(59 * time.Second)
			raw := report()
			w.deliver(topicOf(w.hotspots[b], "beacon"), raw)
			w.at(59600 * time.Millisecond)
			w.publish(a, "witness", identity.KindWitness, w.witnessReport(ch))
			w.at(60500 * time.Millisecond) // epoch 1, before epoch 0 closes
			w.publish(c, "witness", identity.KindWitness, w.witnessReport(ch))
			w.at(61 * time.Second) // the challenge is still open
			tc.replay(w, raw, report)
			w.tick(closer, 70*time.Second)
			w.tick(closer, 130*time.Second)

			ctx := context.Background()
			vs0, _ := w.store.VerdictsOfEpoch(ctx, 0)
			vs1, _ := w.store.VerdictsOfEpoch(ctx, 1)
			addr := func(i int) string { return w.hotspots[i].Address().String() }
			want0 := map[string][]string{addr(b) + "/beacon": {"valid"}, addr(a) + "/witness": {"valid"}, addr(c) + "/witness": {"valid"}}
			if diff := cmp.Diff(want0, verdicts(vs0), sortedReasons); diff != "" {
				t.Errorf("epoch 0 verdicts (-want +got):\n%s", diff)
			}
			want1 := map[string][]string{}
			if tc.duplicate {
				want1[addr(b)+"/beacon"] = []string{"duplicate"}
			}
			if diff := cmp.Diff(want1, verdicts(vs1), sortedReasons, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("epoch 1 verdicts (-want +got):\n%s", diff)
			}
			checkOneVerdictEach(t, w.store, 0, 1)
		})
	}
}
