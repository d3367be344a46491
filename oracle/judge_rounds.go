package oracle

import (
	"fmt"

	"github.com/hexnet/hexnet/poc"
)

// judged holds every report's verdict, keyed by report.
type judged struct {
	rounds    []*round
	beacons   []poc.Verdict   // per round
	witnesses [][]poc.Verdict // per round, per witness
	orphans   []orphan        // witnesses of no beacon of this epoch
}

type orphan struct {
	report  Report
	verdict poc.Verdict
}

// judgeRound judges one beacon with its witnesses, reciprocity read as of
// the beacon report's arrival.
func judgeRound(r *round, in *epochInput, act *activity, p poc.Params) (poc.Verdict, []poc.Verdict) {
	ws := make([]poc.Witness, len(r.witnesses))
	for i, w := range r.witnesses {
		ws[i] = w.witness
	}
	if r.duplicate {
		return poc.Verdict{Reason: poc.Duplicate, Detail: "this beacon was already reported"}, rejectAll(len(ws), poc.BeaconInvalid, "witnessed under the beacon's first report")
	}
	lookup := asOf(in, act, r.beacon.report.ReceivedAt)
	return poc.JudgeRound(p, r.beacon.challenge, r.beacon.beacon, ws, lookup)
}

func rejectAll(n int, reason poc.Reason, detail string) []poc.Verdict {
	out := make([]poc.Verdict, n)
	for i := range out {
		out[i] = poc.Verdict{Reason: reason, Detail: detail}
	}
	return out
}

func judgeAll(rounds []*round, in *epochInput, act *activity, p poc.Params) *judged {
	j := &judged{rounds: rounds}
	for _, r := range rounds {
		bv, wvs := judgeRound(r, in, act, p)
		j.beacons = append(j.beacons, bv)
		j.witnesses = append(j.witnesses, wvs)
	}
	j.orphans = orphansOf(in)
	return j
}

// orphansOf judges this epoch's witnesses that match no beacon of it: those
// of the previous epoch's beacons were judged there unless they arrived
// after it closed (late); the rest witnessed nothing the oracle knows.
func orphansOf(in *epochInput) []orphan {
	own := map[string]bool{}
	for _, b := range in.beacons {
		own[string(b.beacon.Payload)] = true
	}
	var out []orphan
	for _, w := range in.witnesses {
		prev := in.prevBeacons[string(w.witness.Payload)]
		switch {
		case own[string(w.witness.Payload)] || w.report.Epoch != in.n:
		case in.judgedBefore(w):
		case prev:
			out = append(out, orphan{w.report, poc.Verdict{Reason: poc.Late, Detail: fmt.Sprintf("arrived after epoch %d closed", in.n-1)}})
		default:
			out = append(out, orphan{w.report, poc.Verdict{Reason: poc.NoBeacon, Detail: "no beacon report carried this payload"}})
		}
	}
	return out
}

// verdicts flattens the judgement into stored verdicts of epoch n.
func (j *judged) verdicts(n uint64) []Verdict {
	var out []Verdict
	for i, r := range j.rounds {
		b := r.beacon.report
		out = append(out, verdictOf(n, b, [32]byte{}, j.beacons[i]))
		for k, w := range r.witnesses {
			out = append(out, verdictOf(n, w.report, b.ID, j.witnesses[i][k]))
		}
	}
	for _, o := range j.orphans {
		out = append(out, verdictOf(n, o.report, [32]byte{}, o.verdict))
	}
	return out
}

func verdictOf(n uint64, r Report, beaconID [32]byte, v poc.Verdict) Verdict {
	return Verdict{ReportID: r.ID, Epoch: n, Kind: r.Kind, Hotspot: r.Hotspot, BeaconID: beaconID,
		Valid: v.Valid, Selected: v.Selected, Reason: string(v.Reason), Detail: v.Detail}
}
