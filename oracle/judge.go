package oracle

import (
	"context"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/poc"
)

// Rules are what every oracle and every verifier must agree on to reproduce
// an epoch's manifest and root.
type Rules struct {
	Params   poc.Params
	Emission uint64 // mint base units per epoch
	Split    manifest.Split
	Oracle   identity.Address // only challenges signed by this key count
}

// Judge computes an epoch's verdicts and manifest from the stored signed
// reports alone, so the oracle and anyone re-verifying get the same result.
type Judge struct {
	Store    Store
	Schedule Schedule
	Rules    Rules
	// Verify re-checks every signature on the stored envelopes (`hexnet
	// epoch verify`); the oracle itself relies on the checks made at ingest.
	Verify bool
}

// Result is a judged epoch.
type Result struct {
	Epoch    uint64
	Verdicts []Verdict
	Manifest manifest.Manifest
	Root     [32]byte
}

// Epoch judges epoch n: every beacon report of the epoch with the witness
// reports that arrived for it until the epoch closed, then reward units,
// hex density, data transfer, the manifest and its root.
func (j *Judge) Epoch(ctx context.Context, n uint64) (Result, error) {
	in, err := j.load(ctx, n)
	if err != nil {
		return Result{}, fmt.Errorf("load epoch %d: %w", n, err)
	}
	act, err := j.priorActivity(ctx, n)
	if err != nil {
		return Result{}, fmt.Errorf("activity before epoch %d: %w", n, err)
	}
	rounds := in.rounds()
	act.learn(rounds, in, j.Rules.Params)
	judged := judgeAll(rounds, in, act, j.Rules.Params)
	units, err := j.units(ctx, n, in, judged)
	if err != nil {
		return Result{}, err
	}
	m, err := manifest.Build(n, j.Rules.Emission, j.Rules.Split, units)
	if err != nil {
		return Result{}, fmt.Errorf("manifest of epoch %d: %w", n, err)
	}
	root, err := manifest.Root(n, m.Entries)
	if err != nil {
		return Result{}, err
	}
	return Result{Epoch: n, Verdicts: judged.verdicts(n), Manifest: m, Root: root}, nil
}

// asOf returns the registry lookup for a report judged at t: each hotspot
// with its reciprocity activity up to t.
func asOf(in *epochInput, act *activity, t time.Time) poc.Lookup {
	return func(a identity.Address) (poc.Hotspot, bool) {
		h, ok := in.hotspots[a]
		if !ok {
			return poc.Hotspot{}, false
		}
		h.LastBeacon, h.LastWitness = act.before(a, t)
		return h, true
	}
}

// DefaultEmission is the reward per epoch in the mint's base units: one
// million tokens at six decimals.
const DefaultEmission = 1_000_000_000_000

// DefaultRules are the rules the oracle and verifiers use unless told
// otherwise: the baseline PoC parameters, DefaultEmission and Helium IoT's
// split.
func DefaultRules(oracleKey identity.Address) Rules {
	return Rules{Params: poc.DefaultParams(), Emission: DefaultEmission, Split: manifest.HeliumIoTSplit, Oracle: oracleKey}
}
