package api

import (
	"context"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// cellJSON is GET /api/v1/cells/{cell}: one cell of the map in detail.
type cellJSON struct {
	Cell               string            `json:"cell"`
	Res                int               `json:"res"`
	Epoch              *uint64           `json:"epoch"` // null when none has closed and none was asked for
	Center             pointJSON         `json:"center"`
	Boundary           [][2]float64      `json:"boundary"` // closed ring of [lng, lat], as in GeoJSON
	Hotspots           []cellHotspotJSON `json:"hotspots"`
	ValidWitnesses     int               `json:"valid_witnesses"`
	BestRSSI           *float32          `json:"best_rssi"`
	MedianRSSI         *float32          `json:"median_rssi"`
	LastProofAt        *time.Time        `json:"last_proof_at"` // the latest valid witness report received
	Witnesses          []cellWitnessJSON `json:"witnesses"`     // newest first, at most maxCellWitnesses
	WitnessesTruncated bool              `json:"witnesses_truncated"`
}

type pointJSON struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// cellHotspotJSON is a hotspot located in the cell.
type cellHotspotJSON struct {
	Address        identity.Address `json:"address"`
	Name           string           `json:"name"`
	Status         string           `json:"status"` // online, offline, unknown: now, whatever the epoch
	Lat            float64          `json:"lat"`
	Lng            float64          `json:"lng"`
	ValidWitnesses int              `json:"valid_witnesses"`
	BestRSSI       *float32         `json:"best_rssi"`
}

// cellWitnessJSON is one valid witness report made in the cell.
type cellWitnessJSON struct {
	ReportID     string            `json:"report_id"` // hex
	Witness      identity.Address  `json:"witness"`
	WitnessName  string            `json:"witness_name"`
	Beaconer     *identity.Address `json:"beaconer"` // null if the beacon is unknown
	BeaconerName *string           `json:"beaconer_name"`
	RSSI         float32           `json:"rssi"`
	SNR          float32           `json:"snr"`
	HeardAt      time.Time         `json:"heard_at"` // hotspot clock
	ReceivedAt   time.Time         `json:"received_at"`
}

// maxCellWitnesses bounds the witness list of a cell.
const maxCellWitnesses = 100

// cell is GET /api/v1/cells/{cell}[?epoch=N]: the hotspots located in a
// res 5..12 cell and what they proved in the epoch (default: the latest
// closed one), with their newest valid witness reports. Hotspot statuses
// are live, so the answer is always revalidated.
func (s *server) cell(r *http.Request) (*response, error) {
	c, err := pathCell(r)
	if err != nil {
		return nil, err
	}
	v, err := s.view(r)
	if err != nil {
		return nil, err
	}
	agg, err := v.ix.cell(c)
	if err != nil {
		return nil, err
	}
	p := c.Center()
	out := cellJSON{Cell: c.String(), Res: c.Resolution(), Center: pointJSON{Lat: p.Lat, Lng: p.Lng}, Boundary: ring(c),
		Hotspots: []cellHotspotJSON{}, Witnesses: []cellWitnessJSON{}}
	if v.epoch != nil {
		out.Epoch = &v.epoch.Number
	}
	if agg == nil {
		return ok(out, cacheLive)
	}
	s.cellHotspots(&out, v.ix, agg)
	if v.epoch != nil && v.epoch.Status != oracle.EpochOpen && out.ValidWitnesses > 0 {
		if out.Witnesses, err = s.cellWitnesses(r.Context(), v.ix, v.epoch.Number, agg.members); err != nil {
			return nil, err
		}
		out.WitnessesTruncated = out.ValidWitnesses > len(out.Witnesses)
	}
	return ok(out, cacheLive)
}

// cellHotspots fills in the cell's hotspots, by name, and their tallies.
func (s *server) cellHotspots(out *cellJSON, ix *index, agg *aggCell) {
	out.ValidWitnesses, out.BestRSSI = agg.out.ValidWitnesses, agg.out.BestRSSI
	var rssi []float32
	for _, m := range agg.members {
		sp := &ix.spots[m]
		h := cellHotspotJSON{Address: sp.info.Address, Name: hotspotname.Of(sp.info.Address), Status: s.status(sp.info.Address),
			Lat: sp.at.Lat, Lng: sp.at.Lng, ValidWitnesses: sp.tally.valid}
		if sp.tally.valid > 0 {
			best := sp.tally.bestRSSI
			h.BestRSSI = &best
		}
		out.Hotspots = append(out.Hotspots, h)
		rssi = append(rssi, sp.tally.rssi...)
		if t := sp.tally.last; !t.IsZero() && (out.LastProofAt == nil || t.After(*out.LastProofAt)) {
			out.LastProofAt = &t
		}
	}
	slices.SortFunc(out.Hotspots, func(a, b cellHotspotJSON) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(string(a.Address), string(b.Address))
	})
	out.MedianRSSI = median(rssi)
}

// median is the middle value (the mean of the two middle ones for an even
// count); nil for none.
func median(v []float32) *float32 {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + m) / 2
	}
	return &m
}

// cellWitnesses lists the newest valid witness reports the cell's hotspots
// made in closed epoch n. It reads them from the store one hotspot at a
// time, the hotspot with the latest proof first, and stops once every
// other hotspot's latest proof is older than the oldest report kept.
func (s *server) cellWitnesses(ctx context.Context, ix *index, n uint64, members []int32) ([]cellWitnessJSON, error) {
	proven := make([]*spot, 0, len(members))
	for _, m := range members {
		if sp := &ix.spots[m]; sp.tally.valid > 0 {
			proven = append(proven, sp)
		}
	}
	slices.SortFunc(proven, func(a, b *spot) int { return b.tally.last.Compare(a.tally.last) })
	var out []cellWitnessJSON
	for _, sp := range proven {
		if len(out) == maxCellWitnesses && sp.tally.last.Before(out[len(out)-1].ReceivedAt) {
			break
		}
		ws, err := s.provenWitnesses(ctx, ix, sp.info.Address, n)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
		slices.SortFunc(out, func(a, b cellWitnessJSON) int {
			if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ReportID, b.ReportID)
		})
		out = out[:min(len(out), maxCellWitnesses)]
	}
	return out, nil
}

// provenWitnesses reads a hotspot's valid witness reports judged in epoch
// n: those it sent in n, and in n+1 before n closed.
func (s *server) provenWitnesses(ctx context.Context, ix *index, a identity.Address, n uint64) ([]cellWitnessJSON, error) {
	vs, err := s.store.VerdictsOfHotspot(ctx, a, n)
	if err != nil {
		return nil, err
	}
	valid := map[[32]byte]oracle.Verdict{}
	for _, v := range vs {
		if v.Valid && v.Kind == oracle.KindWitness {
			valid[v.ReportID] = v
		}
	}
	var out []cellWitnessJSON
	for _, epoch := range []uint64{n, n + 1} {
		if len(out) == len(valid) {
			break
		}
		rs, err := s.store.ReportsOfHotspot(ctx, a, epoch)
		if err != nil {
			return nil, err
		}
		for _, rep := range rs {
			v, ok := valid[rep.ID]
			if !ok || rep.Kind != oracle.KindWitness {
				continue
			}
			w, err := cellWitness(ix, rep, v)
			if err != nil {
				return nil, err
			}
			out = append(out, w)
		}
	}
	return out, nil
}

func cellWitness(ix *index, rep oracle.Report, v oracle.Verdict) (cellWitnessJSON, error) {
	w, err := decodeWitness(rep.Envelope)
	if err != nil {
		return cellWitnessJSON{}, err
	}
	j := cellWitnessJSON{ReportID: hex.EncodeToString(rep.ID[:]), Witness: rep.Hotspot, WitnessName: hotspotname.Of(rep.Hotspot),
		RSSI: w.GetRssi(), SNR: w.GetSnr(), HeardAt: unixNs(w.GetReceivedUnixNs()), ReceivedAt: rep.ReceivedAt}
	if b, ok := ix.beaconers[v.BeaconID]; ok {
		name := hotspotname.Of(b)
		j.Beaconer, j.BeaconerName = &b, &name
	}
	return j, nil
}
