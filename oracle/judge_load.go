package oracle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/poc"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store"
)

// beaconReport is a decoded beacon report.
type beaconReport struct {
	report    Report
	beacon    poc.Beacon
	challenge poc.Challenge
}

// witnessReport is a decoded witness report.
type witnessReport struct {
	report  Report
	witness poc.Witness
}

// epochInput is everything an epoch is judged from.
type epochInput struct {
	n         uint64
	end       time.Time
	beacons   []beaconReport  // the epoch's, by arrival
	witnesses []witnessReport // the epoch's and the next epoch's until close, by arrival
	// prevBeacons maps the payloads of the previous epoch's beacons, whose
	// witnesses were judged there if they arrived before it closed.
	prevBeacons map[string]bool
	prevCloses  time.Time
	hotspots    map[identity.Address]poc.Hotspot // the registry as of the epoch's end
}

func (j *Judge) load(ctx context.Context, n uint64) (*epochInput, error) {
	_, end := j.Schedule.Bounds(n)
	in := &epochInput{n: n, end: end, prevBeacons: map[string]bool{}}
	closes := j.Schedule.ClosesAt(n)
	if err := j.Store.EachReportOfEpoch(ctx, n, func(r Report) error { return j.add(in, r, true) }); err != nil {
		return nil, err
	}
	err := j.Store.EachReportOfEpoch(ctx, n+1, func(r Report) error {
		if r.Kind != KindWitness || !r.ReceivedAt.Before(closes) {
			return nil
		}
		return j.add(in, r, false)
	})
	if err != nil {
		return nil, err
	}
	if err := j.loadPrevious(ctx, in); err != nil {
		return nil, err
	}
	in.hotspots, err = j.registryAt(ctx, end)
	return in, err
}

func (j *Judge) add(in *epochInput, r Report, own bool) error {
	switch r.Kind {
	case KindBeacon:
		if !own {
			return nil
		}
		b, err := j.decodeBeacon(r)
		if err != nil {
			return fmt.Errorf("beacon report %x: %w", r.ID, err)
		}
		in.beacons = append(in.beacons, b)
	case KindWitness:
		w, err := j.decodeWitness(r)
		if err != nil {
			return fmt.Errorf("witness report %x: %w", r.ID, err)
		}
		in.witnesses = append(in.witnesses, w)
	}
	return nil
}

func (j *Judge) loadPrevious(ctx context.Context, in *epochInput) error {
	if in.n == 0 {
		return nil
	}
	in.prevCloses = j.Schedule.ClosesAt(in.n - 1)
	return j.Store.EachReportOfEpoch(ctx, in.n-1, func(r Report) error {
		if r.Kind == KindBeacon {
			in.prevBeacons[string(r.Payload)] = true
		}
		return nil
	})
}

// open decodes an envelope; with Verify it checks the signature too.
func (j *Judge) open(raw []byte, kind identity.Kind, msg proto.Message) (identity.Address, error) {
	if j.Verify {
		return identity.OpenBytes(raw, kind, msg)
	}
	var env hexnetpb.Signed
	if err := proto.Unmarshal(raw, &env); err != nil {
		return "", err
	}
	return identity.AddressOf(env.GetSigner()), proto.Unmarshal(env.GetBody(), msg)
}

var errForeignChallenge = errors.New("challenge not signed by this oracle")

func (j *Judge) decodeBeacon(r Report) (beaconReport, error) {
	var b hexnetpb.BeaconReport
	if _, err := j.open(r.Envelope, identity.KindBeacon, &b); err != nil {
		return beaconReport{}, err
	}
	var ch hexnetpb.Challenge
	raw, err := proto.Marshal(b.GetChallenge())
	if err != nil {
		return beaconReport{}, err
	}
	signer, err := j.open(raw, identity.KindChallenge, &ch)
	if err != nil {
		return beaconReport{}, err
	}
	if signer != j.Rules.Oracle {
		return beaconReport{}, fmt.Errorf("%w: %s", errForeignChallenge, signer)
	}
	return beaconReport{report: r, challenge: challengeOf(&ch), beacon: poc.Beacon{
		Beaconer: r.Hotspot, Round: ch.GetRound(), Entropy: ch.GetEntropy(), Payload: b.GetPayload(),
		FrequencyHz: b.GetFrequencyHz(), DataRate: dataRateOf(b.GetDataRate()), PowerDBm: float64(b.GetPowerDbm()),
		ReceivedAt: r.ReceivedAt, TxAckError: b.GetTxAckError(),
	}}, nil
}

func (j *Judge) decodeWitness(r Report) (witnessReport, error) {
	var w hexnetpb.WitnessReport
	if _, err := j.open(r.Envelope, identity.KindWitness, &w); err != nil {
		return witnessReport{}, err
	}
	return witnessReport{report: r, witness: poc.Witness{
		ID: string(r.ID[:]), Witness: r.Hotspot, Payload: w.GetPayload(), RSSI: float64(w.GetRssi()), SNR: float64(w.GetSnr()),
		FrequencyHz: w.GetFrequencyHz(), DataRate: dataRateOf(w.GetDataRate()), ReceivedAt: r.ReceivedAt,
	}}, nil
}

// registryAt is the registry as it stood at t: hotspots onboarded before
// t, each at the last location asserted before t.
func (j *Judge) registryAt(ctx context.Context, t time.Time) (map[identity.Address]poc.Hotspot, error) {
	all, err := j.Store.ListOnboarded(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[identity.Address]poc.Hotspot, len(all))
	for _, h := range all {
		if !h.OnboardedAt.Before(t) {
			continue
		}
		if h.Location != nil && !h.Location.AssertedAt.Before(t) {
			if h.Location, err = j.locationAt(ctx, h.Address, t); err != nil {
				return nil, err
			}
		}
		out[h.Address] = pocHotspot(h)
	}
	return out, nil
}

func (j *Judge) locationAt(ctx context.Context, a identity.Address, t time.Time) (*Location, error) {
	hist, err := j.Store.LocationHistory(ctx, a)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var at *Location
	for i := range hist {
		if hist[i].AssertedAt.Before(t) {
			at = &hist[i]
		}
	}
	return at, nil
}

// round is one beacon with the witness reports of its payload.
type round struct {
	beacon    beaconReport
	duplicate bool // the beaconer already reported this challenge
	witnesses []witnessReport
}

// rounds groups witnesses under the first beacon report of their payload;
// later reports of the same payload are duplicates, and so is the first
// when the previous epoch already had that payload (a replay across the
// boundary). Witnesses the previous epoch judged are not judged again.
func (in *epochInput) rounds() []*round {
	sortBeacons(in.beacons)
	byPayload := map[string]*round{}
	out := make([]*round, 0, len(in.beacons))
	for _, b := range in.beacons {
		r := &round{beacon: b}
		if _, seen := byPayload[string(b.beacon.Payload)]; seen {
			r.duplicate = true
		} else {
			r.duplicate = in.prevBeacons[string(b.beacon.Payload)]
			byPayload[string(b.beacon.Payload)] = r
		}
		out = append(out, r)
	}
	for _, w := range in.witnesses {
		if r, ok := byPayload[string(w.witness.Payload)]; ok && !in.judgedBefore(w) {
			r.witnesses = append(r.witnesses, w)
		}
	}
	return out
}

// judgedBefore tells whether the previous epoch judged w: this epoch's
// witness of one of its beacons, arrived before it closed.
func (in *epochInput) judgedBefore(w witnessReport) bool {
	return w.report.Epoch == in.n && in.prevBeacons[string(w.witness.Payload)] && w.report.ReceivedAt.Before(in.prevCloses)
}

func sortBeacons(bs []beaconReport) {
	sort.Slice(bs, func(i, k int) bool {
		a, b := bs[i].report, bs[k].report
		if !a.ReceivedAt.Equal(b.ReceivedAt) {
			return a.ReceivedAt.Before(b.ReceivedAt)
		}
		return bytes.Compare(a.ID[:], b.ID[:]) < 0
	})
}
