package oracle_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// busyEpochs plays two epochs on w with six onboarded hotspots and a
// stranger: rounds with several witnesses, a second witness report of the
// same beacon, a witness report delivered twice, a wrong payload, a stray
// witness, witnesses in epoch 0's grace period and after it. It returns
// every stored report of both epochs.
func busyEpochs(t *testing.T, w *world) []oracle.Report {
	t.Helper()
	owner := newKey(t)
	for i := 3; i < 6; i++ {
		k := newKey(t)
		onboard(t, w.store, owner, k, geo.Point{Lat: 47.37 + 0.009*float64(i), Lng: 8.54 + 0.004*float64(i%2)})
		w.hotspots = append(w.hotspots, k)
	}
	w.hotspots = append(w.hotspots, newKey(t)) // 6: never onboarded
	w.beacon(0, 1, 5*time.Second, 1, 2, 3, 4, 5, 6)
	w.beacon(1, 2, 12*time.Second, 0, 2, 3)
	w.beacon(2, 3, 19*time.Second, 0, 1, 4, 5)
	w.beacon(3, 4, 26*time.Second, 0, 1, 2, 5)
	w.beacon(4, 5, 33*time.Second, 2, 3, 5, 5) // 5 delivers the same bytes twice: stored once
	w.beacon(5, 6, 40*time.Second, 0, 1, 2, 3, 4)
	ch6, _ := w.challenge(5, 6, t0, t0, nil) // the same payload and channel as round 6's
	w.at(40700 * time.Millisecond)
	again := w.witnessReport(ch6) // 2 reports round 6 a second time, differently
	again.Rssi = -110
	w.publish(2, "witness", identity.KindWitness, again)
	ch, s := w.challenge(2, 7, t0.Add(46*time.Second), t0.Add(66*time.Second), nil)
	w.at(47 * time.Second)
	wrong := w.beaconReport(ch, s)
	wrong.Payload = append([]byte{1}, wrong.Payload[1:]...)
	w.publish(2, "beacon", identity.KindBeacon, wrong)
	w.publish(3, "witness", identity.KindWitness, &hexnetpb.WitnessReport{Payload: make([]byte, 24), Rssi: -100, Snr: 1,
		FrequencyHz: 868_100_000, ReceivedUnixNs: w.clk.Now().UnixNano()})
	w.beacon(1, 8, 59*time.Second, 0, 3, 4) // witnesses at 59.6 s
	ch9, s9 := w.challenge(0, 9, t0.Add(58*time.Second), t0.Add(78*time.Second), nil)
	w.at(59500 * time.Millisecond)
	w.publish(0, "beacon", identity.KindBeacon, w.beaconReport(ch9, s9))
	// Witnesses of round 9: 1 in epoch 0's grace period, 2 late against
	// the beacon report, 5 after epoch 0 closed.
	w.at(60300 * time.Millisecond)
	w.publish(1, "witness", identity.KindWitness, w.witnessReport(ch9))
	w.at(62 * time.Second)
	w.publish(2, "witness", identity.KindWitness, w.witnessReport(ch9))
	w.at(71 * time.Second)
	w.publish(5, "witness", identity.KindWitness, w.witnessReport(ch9))
	w.beacon(3, 10, 80*time.Second, 0, 1, 2, 4, 5, 6)
	var all []oracle.Report
	for n := uint64(0); n < 2; n++ {
		rs, err := w.store.ReportsOfEpoch(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	return all
}

// copyRegistry onboards src's hotspots in dst with their location history.
func copyRegistry(t *testing.T, src, dst oracle.Store) {
	t.Helper()
	ctx := context.Background()
	hs, err := src.ListOnboarded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if err := dst.Onboard(ctx, h); err != nil {
			t.Fatal(err)
		}
		locs, err := src.LocationHistory(ctx, h.Address)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range locs {
			if err := dst.AssertLocation(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// judgeBoth judges epoch 0, closes it, then judges epoch 1.
func judgeBoth(t *testing.T, j *oracle.Judge) [2]oracle.Result {
	t.Helper()
	ctx := context.Background()
	var out [2]oracle.Result
	for n := uint64(0); n < 2; n++ {
		r, err := j.Epoch(ctx, n)
		if err != nil {
			t.Fatalf("judge epoch %d: %v", n, err)
		}
		start, end := j.Schedule.Bounds(n)
		e := oracle.Epoch{Number: n, Start: start, End: end, Status: oracle.EpochOpen}
		if err := j.Store.OpenEpoch(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.Root, e.ClosedAt = r.Root[:], end.Add(j.Schedule.Grace)
		if err := j.Store.CloseEpoch(ctx, e, r.Manifest.Entries, r.Verdicts); err != nil {
			t.Fatalf("close epoch %d: %v", n, err)
		}
		out[n] = r
	}
	return out
}

// TestManifestIndependentOfArrivalOrder: the same stored reports, inserted
// in any order, in batches of any size, some of them twice, give the same
// verdicts, manifests and roots. Witnesses of a beacon share one arrival
// time and only one witness per beacon is rewarded, so the tie-break
// decides who earns. Every manifest pays out its emission exactly.
func TestManifestIndependentOfArrivalOrder(t *testing.T) {
	w := newWorld(t)
	reports := busyEpochs(t, w)
	for i := range reports {
		if reports[i].Kind == oracle.KindWitness {
			reports[i].ReceivedAt = reports[i].ReceivedAt.Truncate(time.Second)
		}
	}
	rules := w.rules
	rules.Emission = 999_999_937 // a prime: every pool leaves a remainder
	rules.Params.MaxWitnesses = 1
	var want [2]oracle.Result
	for seed := uint64(0); seed < 8; seed++ {
		s := openStore(t)
		copyRegistry(t, w.store, s)
		rng := rand.New(rand.NewPCG(seed, 0x6865786e6574))
		order := append([]oracle.Report(nil), reports...)
		rng.Shuffle(len(order), func(i, k int) { order[i], order[k] = order[k], order[i] })
		order = append(order, order[:rng.IntN(len(order))]...) // replays
		for len(order) > 0 {
			n := 1 + rng.IntN(len(order))
			if _, err := s.AddReports(context.Background(), order[:n]); err != nil {
				t.Fatal(err)
			}
			order = order[n:]
		}
		got := judgeBoth(t, &oracle.Judge{Store: s, Schedule: w.schedule, Rules: rules, Verify: true})
		for n, r := range got {
			m := r.Manifest
			if m.Sum()+m.Operations+m.Oracles+m.Unallocated != rules.Emission {
				t.Errorf("seed %d epoch %d: paid %d + operations %d + oracles %d + unallocated %d != emission %d",
					seed, n, m.Sum(), m.Operations, m.Oracles, m.Unallocated, rules.Emission)
			}
			if len(m.Entries) == 0 || m.Unallocated == 0 {
				t.Errorf("seed %d epoch %d: %d entries, %d unallocated: the case exercises nothing", seed, n, len(m.Entries), m.Unallocated)
			}
		}
		if seed == 0 {
			want = got
			checkOneVerdictEach(t, s, 0, 1)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d: results differ from seed 0 (-seed 0 +seed %d):\n%s", seed, seed, diff)
		}
	}
}
