package api

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// coverageJSON is one cell in GET /api/v1/coverage (a stable interface).
type coverageJSON struct {
	Cell           string   `json:"cell"`            // H3 index at the requested resolution, hex
	Hotspots       int      `json:"hotspots"`        // asserted in the cell
	ValidWitnesses int      `json:"valid_witnesses"` // valid witness reports they made in the epoch
	BestRSSI       *float32 `json:"best_rssi"`       // dBm, among those; null when none
}

// epochHeader names the epoch a coverage response is about; absent when no
// epoch has closed yet.
const epochHeader = "Hexnet-Epoch"

// coverage is GET /api/v1/coverage?res=R[&epoch=N][&bbox=...]: every
// res-R cell holding an asserted hotspot, with the valid witnesses its
// hotspots made in the epoch (default: the latest closed one). Hotspots
// count at their current location.
func (s *server) coverage(r *http.Request) (*response, error) {
	res, err := queryRes(r)
	if err != nil {
		return nil, err
	}
	box, err := queryBBox(r)
	if err != nil {
		return nil, err
	}
	e, found, err := s.coverageEpoch(r)
	if err != nil {
		return nil, err
	}
	var agg map[identity.Address]witnessTally
	if found && e.Status != oracle.EpochOpen {
		if agg, err = s.witness.get(r.Context(), e.Number, s.tallyWitnesses); err != nil {
			return nil, err
		}
	}
	hs, err := s.store.ListOnboarded(r.Context())
	if err != nil {
		return nil, err
	}
	cells, err := cover(hs, agg, res, box)
	if err != nil {
		return nil, err
	}
	resp := &response{status: http.StatusOK, body: cells, cache: cacheLive}
	if found {
		resp.header = http.Header{epochHeader: {strconv.FormatUint(e.Number, 10)}}
	}
	return resp, nil
}

// coverageEpoch is ?epoch=N, or else the latest closed epoch (found is
// false when none has closed).
func (s *server) coverageEpoch(r *http.Request) (e oracle.Epoch, found bool, err error) {
	n, given, err := queryEpoch(r)
	if err != nil {
		return e, false, err
	}
	if given {
		e, err = s.epoch(r.Context(), n)
		return e, err == nil, err
	}
	es, err := s.store.ListEpochs(r.Context())
	for i := len(es) - 1; i >= 0 && err == nil; i-- {
		if es[i].Status != oracle.EpochOpen {
			return es[i], true, nil
		}
	}
	return e, false, err
}

// cell gathers one coverage cell while hotspots are added to it.
type cell struct {
	out    coverageJSON
	inside bool // its centre or one of its hotspots lies in the bbox
}

// cover groups asserted hotspots by their res-R parent cell, sorted by
// cell. With a bbox, a cell is kept if its centre or one of its hotspots
// lies inside, so cells cut by the box's edge are not lost.
func cover(hs []oracle.HotspotInfo, agg map[identity.Address]witnessTally, res int, box *bbox) ([]coverageJSON, error) {
	byCell := map[geo.Cell]*cell{}
	for _, h := range hs {
		if h.Location == nil {
			continue
		}
		at := geo.Cell(h.Location.Cell)
		parent, err := at.Parent(res)
		if err != nil {
			return nil, err
		}
		c := byCell[parent]
		if c == nil {
			c = &cell{out: coverageJSON{Cell: parent.String()}, inside: box.contains(parent.Center())}
			byCell[parent] = c
		}
		c.add(agg[h.Address])
		c.inside = c.inside || box.contains(at.Center())
	}
	out := make([]coverageJSON, 0, len(byCell))
	for _, c := range byCell {
		if c.inside {
			out = append(out, c.out)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
	return out, nil
}

func (c *cell) add(t witnessTally) {
	c.out.Hotspots++
	if t.valid == 0 {
		return
	}
	c.out.ValidWitnesses += t.valid
	if c.out.BestRSSI == nil || t.bestRSSI > *c.out.BestRSSI {
		best := t.bestRSSI
		c.out.BestRSSI = &best
	}
}

// tallyWitnesses counts each hotspot's valid witness reports in a closed
// epoch and their best RSSI.
func (s *server) tallyWitnesses(ctx context.Context, epoch uint64) (map[identity.Address]witnessTally, error) {
	vs, err := s.store.VerdictsOfEpoch(ctx, epoch)
	if err != nil {
		return nil, err
	}
	valid := map[[32]byte]bool{}
	for _, v := range vs {
		if v.Valid && v.Kind == oracle.KindWitness {
			valid[v.ReportID] = true
		}
	}
	tally := map[identity.Address]witnessTally{}
	err = s.store.EachReportOfEpoch(ctx, epoch, func(rep oracle.Report) error {
		if rep.Kind != oracle.KindWitness || !valid[rep.ID] {
			return nil
		}
		rssi, err := witnessRSSI(rep.Envelope)
		if err != nil {
			return err
		}
		tally[rep.Hotspot] = tally[rep.Hotspot].add(rssi)
		return nil
	})
	return tally, err
}
