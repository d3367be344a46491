package poc

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crowd is a random beacon with many witness reports: duplicates, forged
// payloads, near and far hotspots, early and late arrivals, equal times.
func crowd(t testing.TB, seed uint64, n int) (Hotspot, Beacon, []Witness, world) {
	rng := rand.New(rand.NewPCG(seed, 1))
	beaconer := at(t, 1, 0, 0)
	_, b := round(t, beaconer)
	w := world{beaconer.Address: beaconer}
	var hs []Hotspot
	for i := range n * 2 / 3 {
		h := at(t, byte(2+i), rng.Float64()*360, 100+rng.Float64()*20_000)
		if rng.IntN(10) == 0 {
			h.LastBeacon = time.Time{}
		}
		w[h.Address] = h
		hs = append(hs, h)
	}
	ws := make([]Witness, n)
	for i := range ws {
		h := hs[rng.IntN(len(hs))]
		after := time.Duration(rng.IntN(12)-5) * 500 * time.Millisecond // equal times happen
		ws[i] = heard(h, b, -60-rng.Float64()*70, after)
		ws[i].ID = fmt.Sprintf("report-%03d", i)
		if rng.IntN(12) == 0 {
			ws[i].Payload = []byte("forged")
		}
	}
	return beaconer, b, ws, w
}

// byID keys verdicts by report ID.
func byID(ws []Witness, vs []Verdict) map[string]Verdict {
	m := make(map[string]Verdict, len(ws))
	for i, w := range ws {
		m[w.ID] = vs[i]
	}
	return m
}

// TestVerdictsIndependentOfInputOrder shuffles the reports of random
// beacons: every report keeps its verdict.
func TestVerdictsIndependentOfInputOrder(t *testing.T) {
	p := DefaultParams()
	for seed := range uint64(20) {
		beaconer, b, ws, w := crowd(t, seed, 40)
		want := byID(ws, JudgeWitnesses(p, b, beaconer, ws, w.lookup))
		rng := rand.New(rand.NewPCG(seed, 2))
		for range 10 {
			shuffled := append([]Witness(nil), ws...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got := byID(shuffled, JudgeWitnesses(p, b, beaconer, shuffled, w.lookup))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("seed %d: verdicts change with input order (-first +shuffled):\n%s", seed, diff)
			}
		}
	}
}

// TestSelectionByArrival: selected reports arrived no later than any
// not-selected one, at most MaxWitnesses are selected, and a report that is
// selected is valid.
func TestSelectionByArrival(t *testing.T) {
	p := DefaultParams()
	p.MaxWitnesses = 5
	for seed := range uint64(20) {
		beaconer, b, ws, w := crowd(t, seed, 40)
		vs := JudgeWitnesses(p, b, beaconer, ws, w.lookup)
		var lastSelected, firstUnselected time.Time
		selected := 0
		for i, v := range vs {
			if v.Selected != (v.Reason == Valid) || v.Selected && !v.Valid {
				t.Fatalf("inconsistent verdict %+v", v)
			}
			if v.Selected {
				selected++
				if ws[i].ReceivedAt.After(lastSelected) {
					lastSelected = ws[i].ReceivedAt
				}
			}
			if v.Reason == NotSelected && (firstUnselected.IsZero() || ws[i].ReceivedAt.Before(firstUnselected)) {
				firstUnselected = ws[i].ReceivedAt
			}
		}
		if selected > p.MaxWitnesses || !firstUnselected.IsZero() && firstUnselected.Before(lastSelected) {
			t.Errorf("seed %d: %d selected, last at %v, first unselected at %v", seed, selected, lastSelected, firstUnselected)
		}
	}
}

// TestJudgeWitnessesDeterministic: the same inputs give the same verdicts.
func TestJudgeWitnessesDeterministic(t *testing.T) {
	p := DefaultParams()
	beaconer, b, ws, w := crowd(t, 99, 60)
	first := JudgeWitnesses(p, b, beaconer, ws, w.lookup)
	for range 5 {
		if diff := cmp.Diff(first, JudgeWitnesses(p, b, beaconer, ws, w.lookup)); diff != "" {
			t.Fatalf("verdicts differ between runs:\n%s", diff)
		}
	}
	reasons := map[Reason]int{}
	for _, v := range first {
		reasons[v.Reason]++
	}
	// The crowd is meant to exercise several rules at once.
	if len(reasons) < 5 {
		t.Errorf("crowd too uniform: %v", reasons)
	}
}
