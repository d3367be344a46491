package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

// spot is one located hotspot of an index: where it stood, and what it
// proved in the index's epoch.
type spot struct {
	info  oracle.HotspotInfo // Location is where it stood; never nil
	at    geo.Point          // the centre of its res-12 cell
	tally witnessTally
}

// index is the map's view of the registry at one moment: every located
// hotspot with its valid witnesses in a closed epoch (none otherwise) and,
// per resolution, built on first use, the cells holding them. A closed
// epoch's index never changes once built; it is read concurrently.
type index struct {
	epoch     oracle.Epoch // the closed epoch; zero for the registry as it is now
	spots     []spot       // by address
	byAddr    map[identity.Address]int32
	beaconers map[[32]byte]identity.Address // beacons that valid witnesses heard
	levels    [geo.ResAsserted + 1]struct {
		once sync.Once
		l    *level
		err  error
	}
}

// newIndex indexes the located hotspots of hs, which are sorted by address.
func newIndex(hs []oracle.HotspotInfo) *index {
	ix := &index{byAddr: map[identity.Address]int32{}, beaconers: map[[32]byte]identity.Address{}}
	for _, h := range hs {
		if h.Location == nil {
			continue
		}
		ix.byAddr[h.Address] = int32(len(ix.spots))
		ix.spots = append(ix.spots, spot{info: h, at: geo.Cell(h.Location.Cell).Center()})
	}
	return ix
}

// level is the resolution-res cells holding an index's hotspots.
type level struct {
	cells  []aggCell // by centre latitude
	byCell map[geo.Cell]int32
	// reach is how far north or south (reachLng: east or west) of its
	// cell's centre a hotspot lies at most, in degrees: a box query looks
	// that far beyond its edges.
	reach, reachLng float64
}

// aggCell is one cell with what its hotspots proved.
type aggCell struct {
	cell    geo.Cell
	centre  geo.Point
	out     coverageJSON
	json    []byte  // out, encoded once for coverage responses
	members []int32 // spots, by address
}

func (c *aggCell) add(t witnessTally) {
	c.out.Hotspots++
	if t.valid == 0 {
		return
	}
	c.out.ValidWitnesses += t.valid
	c.out.Proven = true
	if c.out.BestRSSI == nil || t.bestRSSI > *c.out.BestRSSI {
		best := t.bestRSSI
		c.out.BestRSSI = &best
	}
}

// level returns the index's cells at res, building them on first use.
func (ix *index) level(res int) (*level, error) {
	lv := &ix.levels[res]
	lv.once.Do(func() { lv.l, lv.err = ix.build(res) })
	return lv.l, lv.err
}

func (ix *index) build(res int) (_ *level, err error) {
	l := &level{}
	at := map[geo.Cell]int{}
	for i := range ix.spots {
		sp := &ix.spots[i]
		parent, err := geo.Cell(sp.info.Location.Cell).Parent(res)
		if err != nil {
			return nil, err
		}
		k, ok := at[parent]
		if !ok {
			k = len(l.cells)
			at[parent] = k
			l.cells = append(l.cells, aggCell{cell: parent, centre: parent.Center(), out: coverageJSON{Cell: parent.String()}})
		}
		c := &l.cells[k]
		c.add(sp.tally)
		c.members = append(c.members, int32(i))
		l.reach = max(l.reach, math.Abs(sp.at.Lat-c.centre.Lat))
		dLng := math.Abs(sp.at.Lng - c.centre.Lng)
		l.reachLng = max(l.reachLng, min(dLng, 360-dLng))
	}
	for i := range l.cells {
		c := &l.cells[i]
		if c.json, err = json.Marshal(c.out); err != nil {
			return nil, err
		}
	}
	l.reach += 1e-9 // rounding
	l.reachLng += 1e-9
	sort.Slice(l.cells, func(i, j int) bool { return l.cells[i].centre.Lat < l.cells[j].centre.Lat })
	l.byCell = make(map[geo.Cell]int32, len(l.cells))
	for i, c := range l.cells {
		l.byCell[c.cell] = int32(i)
	}
	return l, nil
}

// cells lists the res cells holding hotspots, sorted by cell. With a box,
// a cell is kept if its centre or one of its hotspots lies inside, so
// cells cut by the box's edge are not lost; only the cells whose centre
// lies within the level's reach of the box's latitudes are looked at.
func (ix *index) cells(res int, box *bbox) ([]*aggCell, error) {
	l, err := ix.level(res)
	if err != nil {
		return nil, err
	}
	lo, near := 0, l.around(box)
	if box != nil {
		lo = sort.Search(len(l.cells), func(i int) bool { return l.cells[i].centre.Lat >= near.MinLat })
	}
	out := []*aggCell{}
	for i := lo; i < len(l.cells); i++ {
		c := &l.cells[i]
		if box != nil && c.centre.Lat > near.MaxLat {
			break
		}
		if near.contains(c.centre) && ix.inside(c, box) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *aggCell) int { return cmp.Compare(a.cell, b.cell) })
	return out, nil
}

// around is box grown by the level's reach: where the centres of the
// cells that may hold a hotspot inside box lie (nil for nil).
func (l *level) around(box *bbox) *bbox {
	if box == nil {
		return nil
	}
	near := &bbox{MinLng: box.MinLng - l.reachLng, MinLat: box.MinLat - l.reach, MaxLng: box.MaxLng + l.reachLng,
		MaxLat: box.MaxLat + l.reach}
	width := box.MaxLng - box.MinLng
	if width < 0 {
		width += 360
	}
	switch {
	case width+2*l.reachLng >= 360:
		near.MinLng, near.MaxLng = -180, 180
	case near.MinLng < -180:
		near.MinLng += 360
	case near.MaxLng > 180:
		near.MaxLng -= 360
	}
	return near
}

func (ix *index) inside(c *aggCell, box *bbox) bool {
	if box.contains(c.centre) {
		return true
	}
	for _, m := range c.members {
		if box.contains(ix.spots[m].at) {
			return true
		}
	}
	return false
}

// cell is the aggregate of one cell at its resolution (nil when no
// hotspot stands in it).
func (ix *index) cell(c geo.Cell) (*aggCell, error) {
	l, err := ix.level(c.Resolution())
	if err != nil {
		return nil, err
	}
	k, ok := l.byCell[c]
	if !ok {
		return nil, nil
	}
	return &l.cells[k], nil
}

// closedIndex builds the index of closed epoch e: the registry as it stood
// at the epoch's end, and the valid witnesses its verdicts name.
func (s *server) closedIndex(ctx context.Context, e oracle.Epoch) (*index, error) {
	hs, err := s.registryAt(ctx, e.End)
	if err != nil {
		return nil, err
	}
	ix := newIndex(hs)
	ix.epoch = e
	if err := s.tallyWitnesses(ctx, ix, e.Number); err != nil {
		return nil, err
	}
	return ix, nil
}

// registryAt is the registry as it stood at t: hotspots onboarded before
// t, each at the last location asserted before t (as the judge sees it).
func (s *server) registryAt(ctx context.Context, t time.Time) ([]oracle.HotspotInfo, error) {
	all, err := s.store.ListOnboarded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]oracle.HotspotInfo, 0, len(all))
	for _, h := range all {
		if !h.OnboardedAt.Before(t) {
			continue
		}
		if h.Location != nil && !h.Location.AssertedAt.Before(t) {
			if h.Location, err = s.locationAt(ctx, h.Address, t); err != nil {
				return nil, err
			}
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *server) locationAt(ctx context.Context, a identity.Address, t time.Time) (*oracle.Location, error) {
	hist, err := s.store.LocationHistory(ctx, a)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var at *oracle.Location
	for i := range hist {
		if hist[i].AssertedAt.Before(t) {
			at = &hist[i]
		}
	}
	return at, nil
}

// errEnough stops a scan of reports early.
var errEnough = errors.New("enough reports read")

// tallyWitnesses adds each indexed hotspot's valid witness reports of
// closed epoch n, with their RSSI, and notes the beaconers they heard.
// Witness reports that arrived in the next epoch before n closed were
// judged in n: the scan goes on into it until then.
func (s *server) tallyWitnesses(ctx context.Context, ix *index, n uint64) error {
	vs, err := s.store.VerdictsOfEpoch(ctx, n)
	if err != nil {
		return err
	}
	valid, heard := map[[32]byte]bool{}, map[[32]byte]bool{}
	for _, v := range vs {
		if v.Valid && v.Kind == oracle.KindWitness {
			valid[v.ReportID], heard[v.BeaconID] = true, true
		}
	}
	for _, v := range vs {
		if v.Kind == oracle.KindBeacon && heard[v.ReportID] {
			ix.beaconers[v.ReportID] = v.Hotspot
		}
	}
	left := len(valid)
	read := func(r oracle.Report) error {
		if r.Kind != oracle.KindWitness || !valid[r.ID] {
			return nil
		}
		left--
		w, err := decodeWitness(r.Envelope)
		if err != nil {
			return err
		}
		if i, ok := ix.byAddr[r.Hotspot]; ok {
			ix.spots[i].tally = ix.spots[i].tally.add(w.GetRssi(), r.ReceivedAt)
		}
		return nil
	}
	if err := s.store.EachReportOfEpoch(ctx, n, read); err != nil {
		return err
	}
	closes := s.schedule.ClosesAt(n)
	err = s.store.EachReportOfEpoch(ctx, n+1, func(r oracle.Report) error {
		if left == 0 || !r.ReceivedAt.Before(closes) {
			return errEnough
		}
		return read(r)
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	for i := range ix.spots {
		slices.Sort(ix.spots[i].tally.rssi)
	}
	return nil
}
