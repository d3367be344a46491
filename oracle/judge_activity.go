package oracle

import (
	"context"
	"sort"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/poc"
)

// maxLookback caps how many earlier epochs reciprocity reads.
const maxLookback = 8

// activity records when each hotspot sent a valid beacon that had a valid
// witness, and when it sent a valid witness report: what reciprocity reads.
type activity struct {
	beacons   map[identity.Address][]time.Time
	witnesses map[identity.Address][]time.Time
}

func newActivity() *activity {
	return &activity{beacons: map[identity.Address][]time.Time{}, witnesses: map[identity.Address][]time.Time{}}
}

// priorActivity reads the verdicts of the closed epochs within the
// reciprocity window before epoch n (at most maxLookback of them).
func (j *Judge) priorActivity(ctx context.Context, n uint64) (*activity, error) {
	act := newActivity()
	window := j.Rules.Params.ReciprocityWindow
	back := min(uint64((window+j.Schedule.Length-1)/j.Schedule.Length), maxLookback, n)
	for e := n - back; e < n; e++ {
		if err := j.epochActivity(ctx, e, act); err != nil {
			return nil, err
		}
	}
	return act, nil
}

func (j *Judge) epochActivity(ctx context.Context, e uint64, act *activity) error {
	verdicts, err := j.Store.VerdictsOfEpoch(ctx, e)
	if err != nil || len(verdicts) == 0 {
		return err
	}
	byID := make(map[[32]byte]Verdict, len(verdicts))
	witnessed := map[[32]byte]bool{}
	for _, v := range verdicts {
		byID[v.ReportID] = v
		if v.Kind == KindWitness && v.Valid {
			witnessed[v.BeaconID] = true
		}
	}
	record := func(r Report) error {
		v, ok := byID[r.ID]
		switch {
		case !ok || !v.Valid:
		case r.Kind == KindWitness:
			act.witnesses[r.Hotspot] = append(act.witnesses[r.Hotspot], r.ReceivedAt)
		case witnessed[r.ID]:
			act.beacons[r.Hotspot] = append(act.beacons[r.Hotspot], r.ReceivedAt)
		}
		return nil
	}
	for _, ep := range []uint64{e, e + 1} { // witnesses judged in e may sit in e+1
		if err := j.Store.EachReportOfEpoch(ctx, ep, record); err != nil {
			return err
		}
	}
	return nil
}

// learn adds this epoch's activity from a first pass that judges every
// round without reciprocity.
func (act *activity) learn(rounds []*round, in *epochInput, p poc.Params) {
	p.ReciprocityWindow = 0
	plain := newActivity()
	for _, r := range rounds {
		bv, wvs := judgeRound(r, in, plain, p)
		any := false
		for i, wv := range wvs {
			if wv.Valid {
				any = true
				w := r.witnesses[i].report
				act.witnesses[w.Hotspot] = append(act.witnesses[w.Hotspot], w.ReceivedAt)
			}
		}
		if bv.Valid && any {
			b := r.beacon.report
			act.beacons[b.Hotspot] = append(act.beacons[b.Hotspot], b.ReceivedAt)
		}
	}
	for _, m := range []map[identity.Address][]time.Time{act.beacons, act.witnesses} {
		for a, ts := range m {
			sort.Slice(ts, func(i, k int) bool { return ts[i].Before(ts[k]) })
			m[a] = ts
		}
	}
}

// before returns a hotspot's latest beacon-with-witnesses and valid witness
// at or before t (zero when none).
func (act *activity) before(a identity.Address, t time.Time) (time.Time, time.Time) {
	return latest(act.beacons[a], t), latest(act.witnesses[a], t)
}

func latest(ts []time.Time, t time.Time) time.Time {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].After(t) })
	if i == 0 {
		return time.Time{}
	}
	return ts[i-1]
}
