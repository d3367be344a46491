package api

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

// epochJSON is an epoch in GET /api/v1/epochs (a stable interface).
type epochJSON struct {
	Epoch      uint64    `json:"epoch"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Status     string    `json:"status"`     // open, closed, paid
	Root       *string   `json:"root"`       // manifest Merkle root, hex; null while open
	Signatures []string  `json:"signatures"` // confirmed reward transactions
}

// epochDetailJSON is GET /api/v1/epochs/{n}.
type epochDetailJSON struct {
	epochJSON
	ClosedAt *time.Time `json:"closed_at"`
	Counts   countsJSON `json:"counts"`
}

// countsJSON counts an epoch's reports and, once it is closed, their verdicts.
type countsJSON struct {
	Beacons   kindCountsJSON `json:"beacons"`
	Witnesses kindCountsJSON `json:"witnesses"`
}

type kindCountsJSON struct {
	Reports  int            `json:"reports"`
	Valid    int            `json:"valid"`
	Selected *int           `json:"selected,omitempty"` // witnesses only
	Invalid  map[string]int `json:"invalid"`            // by reason code
}

// manifestJSON is GET /api/v1/epochs/{n}/manifest (a stable interface).
type manifestJSON struct {
	Epoch   uint64      `json:"epoch"`
	Root    string      `json:"root"`
	Mint    *string     `json:"mint"` // null until the oracle has a mint
	Entries []entryJSON `json:"entries"`
}

// entryJSON is one hotspot's reward in the mint's base units.
type entryJSON struct {
	Hotspot identity.Address `json:"hotspot"`
	Owner   identity.Address `json:"owner"`
	Beacon  uint64           `json:"beacon"`
	Witness uint64           `json:"witness"`
	Data    uint64           `json:"data"`
	Total   uint64           `json:"total"`
}

// currentEpoch is the epoch the oracle's clock is in.
func (s *server) currentEpoch() uint64 { return s.schedule.EpochOf(s.clock.Now()) }

// epoch loads epoch n. The current epoch is open even before the oracle
// records it; a future or unrecorded past epoch is 404.
func (s *server) epoch(ctx context.Context, n uint64) (oracle.Epoch, error) {
	e, err := s.store.GetEpoch(ctx, n)
	if !errors.Is(err, store.ErrNotFound) {
		return e, err
	}
	switch cur := s.currentEpoch(); {
	case n > cur:
		return e, notFound("epoch %d has not started; the current epoch is %d", n, cur)
	case n < cur:
		return e, notFound("epoch %d is not recorded by this oracle", n)
	}
	start, end := s.schedule.Bounds(n)
	return oracle.Epoch{Number: n, Start: start.UTC(), End: end.UTC(), Status: oracle.EpochOpen}, nil
}

func (s *server) epochJSON(ctx context.Context, e oracle.Epoch) (epochJSON, error) {
	j := epochJSON{Epoch: e.Number, Start: e.Start, End: e.End, Status: string(e.Status), Signatures: []string{}}
	if e.Root != nil {
		root := hex.EncodeToString(e.Root)
		j.Root = &root
	}
	if e.Status == oracle.EpochOpen {
		return j, nil
	}
	txs, err := s.store.RewardTxsOfEpoch(ctx, e.Number)
	if err != nil {
		return j, err
	}
	for _, tx := range txs {
		if tx.Status == oracle.TxConfirmed {
			j.Signatures = append(j.Signatures, tx.Signature)
		}
	}
	return j, nil
}

func (s *server) listEpochs(r *http.Request) (*response, error) {
	es, err := s.store.ListEpochs(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]epochJSON, 0, len(es))
	for _, e := range es {
		j, err := s.epochJSON(r.Context(), e)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return ok(out, cacheLive)
}

func (s *server) getEpoch(r *http.Request) (*response, error) {
	n, err := parseEpoch(r.PathValue("n"), "epoch")
	if err != nil {
		return nil, err
	}
	e, err := s.epoch(r.Context(), n)
	if err != nil {
		return nil, err
	}
	j, err := s.epochJSON(r.Context(), e)
	if err != nil {
		return nil, err
	}
	out := epochDetailJSON{epochJSON: j}
	if !e.ClosedAt.IsZero() {
		out.ClosedAt = &e.ClosedAt
	}
	if out.Counts, err = s.counts(r.Context(), e); err != nil {
		return nil, err
	}
	return ok(out, epochCache(j.Status))
}

// counts tallies the epoch's reports by kind and its verdicts by outcome.
func (s *server) counts(ctx context.Context, e oracle.Epoch) (countsJSON, error) {
	selected := 0
	c := countsJSON{Beacons: kindCountsJSON{Invalid: map[string]int{}},
		Witnesses: kindCountsJSON{Invalid: map[string]int{}, Selected: &selected}}
	of := func(k oracle.ReportKind) *kindCountsJSON {
		if k == oracle.KindBeacon {
			return &c.Beacons
		}
		return &c.Witnesses
	}
	err := s.store.EachReportOfEpoch(ctx, e.Number, func(r oracle.Report) error {
		of(r.Kind).Reports++
		return nil
	})
	if err != nil || e.Status == oracle.EpochOpen {
		return c, err
	}
	vs, err := s.store.VerdictsOfEpoch(ctx, e.Number)
	if err != nil {
		return c, err
	}
	for _, v := range vs {
		k := of(v.Kind)
		switch {
		case v.Valid:
			k.Valid++
		default:
			k.Invalid[v.Reason]++
		}
		if v.Selected && v.Kind == oracle.KindWitness {
			selected++
		}
	}
	return c, nil
}

func (s *server) manifest(r *http.Request) (*response, error) {
	n, err := parseEpoch(r.PathValue("n"), "epoch")
	if err != nil {
		return nil, err
	}
	e, err := s.epoch(r.Context(), n)
	if err != nil {
		return nil, err
	}
	if e.Status == oracle.EpochOpen {
		return nil, notFound("epoch %d is open; its manifest is fixed when it closes after %s",
			n, s.schedule.ClosesAt(n).UTC().Format(time.RFC3339))
	}
	entries, err := s.store.Manifest(r.Context(), n)
	if err != nil {
		return nil, err
	}
	out := manifestJSON{Epoch: n, Root: hex.EncodeToString(e.Root), Entries: make([]entryJSON, 0, len(entries))}
	if s.mint != "" {
		out.Mint = &s.mint
	}
	for _, m := range entries {
		out.Entries = append(out.Entries, entryJSON(m))
	}
	return ok(out, cacheFinal)
}
