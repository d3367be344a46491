package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/poc"
)

// witnessGoal is the goal for poc_witness_rules.
const witnessGoal = 500_000

// rulesFor is how long each loop of poc_witness_rules runs.
const rulesFor = 2 * time.Second

// judgeFunc has poc.JudgeWitnesses's signature, so the rules and the no-op
// baseline are called the same way.
type judgeFunc func(poc.Params, poc.Beacon, poc.Hotspot, []poc.Witness, poc.Lookup) []poc.Verdict

// witnessRules measures poc.JudgeWitnesses on one beacon with 14 honest
// witnesses 2–19 km away (poc's BenchmarkWitnessRules), hotspots carrying
// their cell centres as the registry keeps them, on one core; the baseline
// is a judge that only walks the witnesses and returns constant verdicts.
func witnessRules(_ context.Context, _ *config, out io.Writer) error {
	c, err := newRulesCase()
	if err != nil {
		return err
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	rules := c.rate(poc.JudgeWitnesses)
	base := c.rate(noopJudge)
	verdict := "met"
	if rules < witnessGoal {
		verdict = "NOT met"
	}
	progress("%s: %.0f witnesses/s on one core; goal ≥ %d/s: %s", figWitnessRules, rules, witnessGoal, verdict)
	fmt.Fprintln(out, line(figWitnessRules, "witnesses/s", "%.0f", rules, base))
	return nil
}

// rulesCase is one beacon and its witnesses, as poc's benchmark builds them.
type rulesCase struct {
	p         poc.Params
	beacon    poc.Beacon
	beaconer  poc.Hotspot
	witnesses []poc.Witness
	registry  map[identity.Address]poc.Hotspot
}

var lisbon = geo.Point{Lat: 38.7223, Lng: -9.1393}

func newRulesCase() (*rulesCase, error) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &rulesCase{p: poc.DefaultParams(), registry: map[identity.Address]poc.Hotspot{}}
	hotspot := func(n int, bearing, distanceM float64) (poc.Hotspot, error) {
		cell, err := geo.CellOf(geo.Destination(lisbon, bearing, distanceM), geo.ResAsserted)
		if err != nil {
			return poc.Hotspot{}, err
		}
		h := poc.Hotspot{Address: seededKey("rules", n).Address(), Owner: seededKey("rules-owner", 0).Address(),
			Asserted: true, Cell: cell, GainDBi: 3, Region: "EU868", LastBeacon: t0.Add(-time.Hour), LastWitness: t0.Add(-time.Hour)}
		c.registry[h.Address] = h.Located()
		return h.Located(), nil
	}
	var err error
	if c.beaconer, err = hotspot(0, 0, 0); err != nil {
		return nil, err
	}
	entropy := []byte("entropy of round 7, 32 bytes lo")
	pub, _ := c.beaconer.Address.PublicKey()
	c.beacon = poc.Beacon{Beaconer: c.beaconer.Address, Round: 7, Entropy: entropy, Payload: beacon.Payload(entropy, pub),
		FrequencyHz: 868_100_000, DataRate: poc.DataRate{SpreadingFactor: 12, BandwidthHz: 125_000}, PowerDBm: 13,
		ReceivedAt: t0, TxAckError: "NONE"}
	for i := range 14 {
		h, err := hotspot(1+i, float64(i)*25, 2000+float64(i)*1300)
		if err != nil {
			return nil, err
		}
		c.witnesses = append(c.witnesses, poc.Witness{ID: strconv.Itoa(i), Witness: h.Address, Payload: c.beacon.Payload,
			RSSI: -120, SNR: -5, FrequencyHz: c.beacon.FrequencyHz, DataRate: c.beacon.DataRate,
			ReceivedAt: t0.Add(time.Duration(i) * 50 * time.Millisecond)})
	}
	return c, c.check()
}

// check makes sure every witness passes every rule, so the loop measures
// the whole rule chain.
func (c *rulesCase) check() error {
	for i, v := range poc.JudgeWitnesses(c.p, c.beacon, c.beaconer, c.witnesses, c.lookup) {
		if !v.Selected {
			return fmt.Errorf("setup: witness %d judged %s (%s), want valid", i, v.Reason, v.Detail)
		}
	}
	return nil
}

func (c *rulesCase) lookup(a identity.Address) (poc.Hotspot, bool) {
	h, ok := c.registry[a]
	return h, ok
}

// rate runs judge for rulesFor, after a short warm-up, and returns
// witnesses judged per second.
func (c *rulesCase) rate(judge judgeFunc) float64 {
	loop := func(d time.Duration) (int, time.Duration) {
		start := time.Now()
		n := 0
		for {
			for range 64 {
				judge(c.p, c.beacon, c.beaconer, c.witnesses, c.lookup)
			}
			n += 64
			if el := time.Since(start); el >= d {
				return n, el
			}
		}
	}
	loop(rulesFor / 10)
	n, el := loop(rulesFor)
	return float64(n*len(c.witnesses)) / el.Seconds()
}

// accepted is the no-op judge's verdict.
var accepted = poc.Verdict{Reason: poc.Valid, Valid: true, Selected: true}

// noopJudge walks the witnesses and returns constant verdicts, allocated
// as JudgeWitnesses allocates its own.
func noopJudge(_ poc.Params, _ poc.Beacon, _ poc.Hotspot, ws []poc.Witness, _ poc.Lookup) []poc.Verdict {
	out := make([]poc.Verdict, len(ws))
	for i := range ws {
		if ws[i].Witness != "" {
			out[i] = accepted
		}
	}
	return out
}
