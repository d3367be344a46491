package poc

import (
	"bytes"
	"time"

	"github.com/hexnet/hexnet/identity"
)

// JudgeWitnesses judges every witness report of one valid beacon and
// returns one verdict per report, in input order.
//
// Reports are taken in arrival order (ReceivedAt, then ID): a hotspot's
// later reports of the same beacon are duplicates. Each remaining report
// meets the rules in this order, the first broken one giving its reason:
// self witness; unknown, denied, no asserted location; payload; frequency;
// data rate; region; implausible RSSI/SNR; too close; too far; RSSI too
// strong for free space; early or late against the beacon report. Then
// reports arriving more than Params.MaxWitnessSpread after the first
// report that passed everything are late. The valid reports of
// non-reciprocal witnesses are NotReciprocal (a witness's own report counts
// as its recent witnessing, so it must have beaconed with witnesses within
// the window); of the rest, the first Params.MaxWitnesses by arrival are
// selected and later ones NotSelected.
//
// Because every interaction between reports goes through arrival order,
// the verdicts do not depend on the order of ws.
func JudgeWitnesses(p Params, b Beacon, beaconer Hotspot, ws []Witness, lookup Lookup) []Verdict {
	out := make([]Verdict, len(ws))
	from, err := siteOf(beaconer)
	if err != nil {
		for i := range out {
			out[i] = reject(BeaconInvalid, "beaconer: %v", err)
		}
		return out
	}
	j := &judge{p: p, b: b, beaconer: beaconer, from: from, closeBound: closeBoundM(p)}
	order := arrivalOrder(ws)
	last := j.judgeEach(ws, order, lookup, out)
	applySpread(p, ws, order, out)
	selectWitnesses(p, ws, order, last, out)
	return out
}

// judge holds what every witness of one beacon is judged against.
type judge struct {
	p          Params
	b          Beacon
	beaconer   Hotspot
	from       site
	closeBound float64 // closeBoundM(p)
}

// judgeEach applies the per-report rules in arrival order and returns each
// witness's LastBeacon for the reciprocity rule.
func (j *judge) judgeEach(ws []Witness, order []int, lookup Lookup, out []Verdict) []time.Time {
	last := make([]time.Time, len(ws))
	seen := make(map[identity.Address]struct{}, len(ws))
	for _, i := range order {
		w := ws[i]
		if _, dup := seen[w.Witness]; dup {
			out[i] = reject(Duplicate, "%s already reported this beacon", w.Witness)
			continue
		}
		seen[w.Witness] = struct{}{}
		h, ok := lookup(w.Witness)
		last[i] = h.LastBeacon
		out[i] = j.judgeWitness(w, h, ok)
	}
	return last
}

// judgeWitness applies every rule that concerns one report alone.
func (j *judge) judgeWitness(w Witness, h Hotspot, known bool) Verdict {
	if w.Witness == j.b.Beaconer {
		return reject(SelfWitness, "witness and beaconer are both %s", w.Witness)
	}
	if v, bad := judgeParticipant(h, known); bad {
		return v
	}
	if v, bad := judgeReception(j.p, j.b, j.beaconer, w, h); bad {
		return v
	}
	to, err := siteOf(h)
	if err != nil {
		return reject(NoLocation, "%v", err)
	}
	v := j.judgeGeometry(w, h, to)
	if !v.Valid {
		return v
	}
	if late, bad := judgeArrival(j.p, j.b, w); bad {
		return late
	}
	return v
}

// judgeReception checks what the witness heard against the beacon.
func judgeReception(p Params, b Beacon, beaconer Hotspot, w Witness, h Hotspot) (Verdict, bool) {
	switch {
	case !bytes.Equal(w.Payload, b.Payload):
		return reject(PayloadMismatch, "heard %x, beacon %x", w.Payload, b.Payload), true
	case absDiff(w.FrequencyHz, b.FrequencyHz) > p.MaxFrequencyDiffHz:
		return reject(FrequencyMismatch, "heard on %s, beacon on %s (tolerance %d kHz)", mhz(w.FrequencyHz), mhz(b.FrequencyHz), p.MaxFrequencyDiffHz/1000), true
	case p.CheckDataRate && w.DataRate != b.DataRate:
		return reject(DataRateMismatch, "heard at %s, beacon at %s", w.DataRate, b.DataRate), true
	case h.Region != beaconer.Region:
		return reject(RegionMismatch, "witness in %q, beaconer in %q", h.Region, beaconer.Region), true
	case !p.plausible(w.RSSI, w.SNR):
		return reject(ImplausibleSignal, "RSSI %.1f dBm, SNR %.1f dB (accepted: RSSI ≥ %.0f dBm, SNR %.0f..%.0f dB)", w.RSSI, w.SNR, p.MinRSSIDBm, p.MinSNRDB, p.MaxSNRDB), true
	}
	return Verdict{}, false
}

// plausible is false for NaN, infinite or out-of-range readings.
func (p Params) plausible(rssi, snr float64) bool {
	// Written so that NaN fails every comparison and so the whole test.
	return rssi >= p.MinRSSIDBm && rssi <= 0 && snr >= p.MinSNRDB && snr <= p.MaxSNRDB
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// judgeArrival checks the report's ingest time against the beacon
// report's.
func judgeArrival(p Params, b Beacon, w Witness) (Verdict, bool) {
	lag := w.ReceivedAt.Sub(b.ReceivedAt)
	switch {
	case lag > p.MaxWitnessLag:
		return reject(Late, "received %v after the beacon report (limit %v)", lag, p.MaxWitnessLag), true
	case -lag > p.MaxWitnessLead:
		return reject(Early, "received %v before the beacon report (limit %v)", -lag, p.MaxWitnessLead), true
	}
	return Verdict{}, false
}
