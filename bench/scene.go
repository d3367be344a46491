package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// What every scene hotspot asserts.
const (
	sceneRegion  = "EU868"
	sceneGainX10 = 30 // 3 dBi
	sceneGainDBi = 3
)

// Witnesses are picked among a beaconer's neighbours this far away: close
// enough to hear SF12 beacons, some close enough for the too-close rule to
// ask H3.
const (
	minNeighbourM = 1_000
	maxNeighbourM = 15_000
)

var zurich = geo.Point{Lat: 47.3769, Lng: 8.5417}

// scene is a city of hotspots for the oracle figures: keys derived from
// labels (the same every run), locations asserted in a disc around Zurich,
// each hotspot's neighbours, and the oracle key that signs challenges. It
// builds signed beacon and witness reports as hotspots publish them.
type scene struct {
	oracle   *identity.Key
	owners   []*identity.Key
	hotspots []spot
}

// spot is one scene hotspot.
type spot struct {
	key        *identity.Key
	owner      int // index into scene.owners
	info       oracle.HotspotInfo
	center     geo.Point
	neighbours []int32
}

// newScene places n hotspots of owners owners uniformly in a disc of
// radiusM; label keeps the keys of different figures apart.
func newScene(label string, n, owners int, radiusM float64) (*scene, error) {
	s := &scene{oracle: seededKey(label+"/oracle", 0)}
	for i := range owners {
		s.owners = append(s.owners, seededKey(label+"/owner", i))
	}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	for i := range n {
		p := geo.Destination(zurich, rng.Float64()*360, radiusM*math.Sqrt(rng.Float64()))
		cell, err := geo.CellOf(p, geo.ResAsserted)
		if err != nil {
			return nil, err
		}
		k := seededKey(label+"/hotspot", i)
		owner := i % owners
		s.hotspots = append(s.hotspots, spot{key: k, owner: owner, center: cell.Center(), info: oracle.HotspotInfo{
			Address: k.Address(), Owner: s.owners[owner].Address(),
			Location: &oracle.Location{Hotspot: k.Address(), Cell: uint64(cell), GainDBiX10: sceneGainX10,
				ElevationM: 10, Region: sceneRegion, Nonce: 1},
		}})
	}
	s.link()
	return s, nil
}

// link finds every hotspot's neighbours.
func (s *scene) link() {
	for i := range s.hotspots {
		for j := i + 1; j < len(s.hotspots); j++ {
			d := geo.DistanceM(s.hotspots[i].center, s.hotspots[j].center)
			if d >= minNeighbourM && d <= maxNeighbourM {
				s.hotspots[i].neighbours = append(s.hotspots[i].neighbours, int32(j))
				s.hotspots[j].neighbours = append(s.hotspots[j].neighbours, int32(i))
			}
		}
	}
}

// seededKey is the i-th key of a label, the same in every run.
func seededKey(label string, i int) *identity.Key {
	seed := sha256.Sum256([]byte("hexnet bench/" + label + "/" + strconv.Itoa(i)))
	k, err := identity.FromSeed(seed[:])
	if err != nil {
		panic(err) // a 32-byte seed always makes a key
	}
	return k
}

// roundEntropy is the revealed entropy of a challenge round.
func roundEntropy(round uint64) []byte {
	secret := sha256.Sum256([]byte("hexnet bench round " + strconv.FormatUint(round, 10)))
	return oracle.Entropy(secret[:], nil)
}

// event is one challenge answered: the beacon report arrives at at, and
// witnesses neighbours of the beaconer report hearing it within a second.
type event struct {
	beaconer  int
	round     uint64
	at        time.Time
	witnesses int
}

// signedReport is one report as a hotspot publishes it, and when the
// oracle receives it.
type signedReport struct {
	hotspot identity.Address
	kind    oracle.ReportKind
	round   uint64 // beacons: the challenge's round
	payload []byte
	at      time.Time
	raw     []byte
}

// topic is where the hotspot publishes the report.
func (r signedReport) topic() string {
	return "hexnet/hotspot/" + string(r.hotspot) + "/" + string(r.kind)
}

// report is the report as oracle.Ingest stores it.
func (r signedReport) report(s oracle.Schedule) oracle.Report {
	return oracle.Report{ID: sha256.Sum256(r.raw), Kind: r.kind, Hotspot: r.hotspot, Epoch: s.EpochOf(r.at),
		Round: r.round, Payload: r.payload, ReceivedAt: r.at, Envelope: r.raw}
}

// reports signs the beacon report of e (with the oracle's signed
// challenge in it) and its witness reports, with physical RSSI below the
// free-space bound. Every signature is genuine.
func (s *scene) reports(e event, rng *rand.Rand) ([]signedReport, error) {
	h := &s.hotspots[e.beaconer]
	ch, err := oracle.NewChallenge(h.info, oracle.Round{Number: e.round, Entropy: roundEntropy(e.round)}, e.at.Add(-2*time.Second), e.at.Add(20*time.Second))
	if err != nil {
		return nil, err
	}
	signed, err := s.oracle.Seal(identity.KindChallenge, ch)
	if err != nil {
		return nil, err
	}
	raw, err := h.key.SealBytes(identity.KindBeacon, &hexnetpb.BeaconReport{Challenge: signed, Payload: ch.BeaconPayload,
		FrequencyHz: ch.FrequencyHz, DataRate: ch.DataRate, PowerDbm: ch.PowerDbm,
		TxUnixNs: e.at.Add(-100 * time.Millisecond).UnixNano(), TxAckError: "NONE"})
	if err != nil {
		return nil, err
	}
	out := make([]signedReport, 0, 1+e.witnesses)
	out = append(out, signedReport{hotspot: h.key.Address(), kind: oracle.KindBeacon, round: e.round, payload: ch.BeaconPayload, at: e.at, raw: raw})
	picked, err := pick(rng, h.neighbours, e.witnesses)
	if err != nil {
		return nil, fmt.Errorf("hotspot %d: %w", e.beaconer, err)
	}
	for _, w := range picked {
		r, err := s.witness(h, &s.hotspots[w], ch, e.at, rng)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *scene) witness(b, w *spot, ch *hexnetpb.Challenge, at time.Time, rng *rand.Rand) (signedReport, error) {
	d := geo.DistanceM(b.center, w.center)
	limit := geo.MaxRSSIDBm(float64(ch.PowerDbm), sceneGainDBi, sceneGainDBi, d, float64(ch.FrequencyHz))
	rssi := math.Max(limit-15-25*rng.Float64(), -139)
	lag := 150*time.Millisecond + time.Duration(rng.Int64N(int64(900*time.Millisecond)))
	raw, err := w.key.SealBytes(identity.KindWitness, &hexnetpb.WitnessReport{Payload: ch.BeaconPayload,
		Rssi: float32(rssi), Snr: float32(-15 + 20*rng.Float64()), FrequencyHz: ch.FrequencyHz, DataRate: ch.DataRate,
		ReceivedUnixNs: at.Add(lag - 50*time.Millisecond).UnixNano()})
	return signedReport{hotspot: w.key.Address(), kind: oracle.KindWitness, payload: ch.BeaconPayload, at: at.Add(lag), raw: raw}, err
}

// pick chooses n distinct neighbours.
func pick(rng *rand.Rand, from []int32, n int) ([]int32, error) {
	if len(from) < n {
		return nil, fmt.Errorf("%d neighbours between %d and %d km, want %d: the scene is too sparse", len(from), minNeighbourM/1000, maxNeighbourM/1000, n)
	}
	out := make([]int32, 0, n)
	for len(out) < n {
		c := from[rng.IntN(len(from))]
		dup := false
		for _, o := range out {
			dup = dup || o == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out, nil
}

// sign builds the reports of events [0, n) on every core, chunk events at a
// time, and hands each chunk to emit (from one goroutine, in no particular
// order) with its index. Each chunk has its own random source, so the
// reports are the same in every run.
func (s *scene) sign(ctx context.Context, n, chunk int, eventOf func(k int) event, emit func(i int, rs []signedReport) error) error {
	chunks := (n + chunk - 1) / chunk
	g, ctx := errgroup.WithContext(ctx)
	jobs := make(chan int)
	done := make(chan chunkOf, 2)
	g.Go(func() error {
		defer close(jobs)
		for i := range chunks {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	workers := runtime.GOMAXPROCS(0)
	var signers errgroup.Group
	for range workers {
		signers.Go(func() error { return s.signChunks(ctx, n, chunk, eventOf, jobs, done) })
	}
	g.Go(func() error {
		defer close(done)
		return signers.Wait()
	})
	g.Go(func() error {
		for c := range done {
			if err := emit(c.index, c.reports); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

type chunkOf struct {
	index   int
	reports []signedReport
}

func (s *scene) signChunks(ctx context.Context, n, chunk int, eventOf func(k int) event, jobs <-chan int, done chan<- chunkOf) error {
	for i := range jobs {
		rng := rand.New(rand.NewPCG(uint64(n), uint64(i)+2))
		var rs []signedReport
		for k := i * chunk; k < min(n, (i+1)*chunk); k++ {
			more, err := s.reports(eventOf(k), rng)
			if err != nil {
				return err
			}
			rs = append(rs, more...)
		}
		select {
		case done <- chunkOf{i, rs}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
