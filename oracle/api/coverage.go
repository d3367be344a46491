package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/uber/h3-go/v4"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/oracle"
)

// coverageJSON is one cell in GET /api/v1/coverage (a stable interface).
type coverageJSON struct {
	Cell           string   `json:"cell"`            // H3 index at the requested resolution, hex
	Hotspots       int      `json:"hotspots"`        // located in the cell
	ValidWitnesses int      `json:"valid_witnesses"` // valid witness reports they made in the epoch
	BestRSSI       *float32 `json:"best_rssi"`       // dBm, among those; null when none
	Proven         bool     `json:"proven"`          // valid_witnesses > 0
}

// epochHeader names the epoch a coverage response is about; absent when no
// epoch has closed yet.
const epochHeader = "Hexnet-Epoch"

// coverage is GET /api/v1/coverage?res=R[&epoch=N][&bbox=...][&format=geojson]:
// every res-R cell holding a located hotspot, with the valid witnesses its
// hotspots made in the epoch (default: the latest closed one). Hotspots
// stand where they were at the end of a closed epoch, and where they are
// now for an open one.
func (s *server) coverage(r *http.Request) (*response, error) {
	res, err := queryRes(r)
	if err != nil {
		return nil, err
	}
	box, err := queryBBox(r)
	if err != nil {
		return nil, err
	}
	if err := checkCells(box, res); err != nil {
		return nil, err
	}
	f, err := queryFormat(r)
	if err != nil {
		return nil, err
	}
	v, err := s.view(r)
	if err != nil {
		return nil, err
	}
	cells, err := v.ix.cells(res, box)
	if err != nil {
		return nil, err
	}
	resp := &response{status: http.StatusOK, cache: v.cache, header: http.Header{}}
	if v.epoch != nil {
		resp.header.Set(epochHeader, strconv.FormatUint(v.epoch.Number, 10))
	}
	if f == formatGeoJSON {
		resp.body, resp.contentType = geoJSON(cells), "application/geo+json"
		resp.header.Set("Content-Disposition", `attachment; filename="`+geoJSONName(v.epoch, res)+`"`)
		return resp, nil
	}
	resp.raw = joinJSON(cells)
	return resp, nil
}

// joinJSON is the JSON array of the cells' encoded forms.
func joinJSON(cells []*aggCell) []byte {
	n := 2
	for _, c := range cells {
		n += len(c.json) + 1
	}
	b := make([]byte, 0, n+1) // and the newline write adds
	b = append(b, '[')
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.json...)
	}
	return append(b, ']')
}

// view is the index a map request reads, the epoch it is about and how
// long its answer may be kept.
type view struct {
	ix    *index
	epoch *oracle.Epoch // nil when no epoch was asked for and none has closed
	cache cachePolicy
}

// view reads ?epoch=N, or else takes the latest closed epoch. A closed
// epoch's index is built once; an open epoch, or none, is the registry as
// it is now with nothing proven. Only an answer about an epoch asked for
// by number is final: the latest closed epoch moves.
func (s *server) view(r *http.Request) (view, error) {
	n, given, err := queryEpoch(r)
	if err != nil {
		return view{}, err
	}
	var ready *index
	if given {
		ready = s.indexes.ready(n)
	}
	var e oracle.Epoch
	found := given
	switch {
	case ready != nil: // closed, so known: no store round trip
		return view{ix: ready, epoch: &ready.epoch, cache: cacheFinal}, nil
	case given:
		e, err = s.epoch(r.Context(), n)
	default:
		e, found, err = s.latestClosed(r)
	}
	if err != nil {
		return view{}, err
	}
	v := view{cache: cacheLive}
	if found {
		v.epoch = &e
	}
	if !found || e.Status == oracle.EpochOpen {
		hs, err := s.store.ListOnboarded(r.Context())
		v.ix = newIndex(hs)
		return v, err
	}
	if given {
		v.cache = cacheFinal
	}
	v.ix, err = s.indexes.get(r.Context(), e.Number, func(ctx context.Context) (*index, error) { return s.closedIndex(ctx, e) })
	return v, err
}

// latestClosed is the latest closed (or paid) epoch; found is false when
// none has closed.
func (s *server) latestClosed(r *http.Request) (e oracle.Epoch, found bool, err error) {
	es, err := s.store.ListEpochs(r.Context())
	for i := len(es) - 1; i >= 0 && err == nil; i-- {
		if es[i].Status != oracle.EpochOpen {
			return es[i], true, nil
		}
	}
	return e, false, err
}

// featureCollection is the GeoJSON (RFC 7946) form of a coverage response.
type featureCollection struct {
	Type     string    `json:"type"` // FeatureCollection
	Features []feature `json:"features"`
}

// feature is one cell: its polygon, and its coverage fields as properties.
type feature struct {
	Type       string       `json:"type"` // Feature
	Geometry   polygon      `json:"geometry"`
	Properties coverageJSON `json:"properties"`
}

type polygon struct {
	Type        string         `json:"type"` // Polygon
	Coordinates [][][2]float64 `json:"coordinates"`
}

func geoJSON(cells []*aggCell) featureCollection {
	fc := featureCollection{Type: "FeatureCollection", Features: make([]feature, len(cells))}
	for i, c := range cells {
		fc.Features[i] = feature{Type: "Feature", Properties: c.out,
			Geometry: polygon{Type: "Polygon", Coordinates: [][][2]float64{ring(c.cell)}}}
	}
	return fc
}

// ring is the cell's boundary as a closed GeoJSON ring of [lng, lat]
// positions, counter-clockwise as H3 gives it. Longitudes are made
// continuous, so that a cell across the antimeridian is drawn as one
// polygon (some of its longitudes then lie beyond ±180°).
func ring(c geo.Cell) [][2]float64 {
	b := h3.Cell(c).Boundary()
	out := make([][2]float64, 0, len(b)+1)
	for i, p := range b {
		lng := p.Lng
		if i > 0 {
			prev := out[i-1][0]
			for lng-prev > 180 {
				lng -= 360
			}
			for lng-prev < -180 {
				lng += 360
			}
		}
		out = append(out, [2]float64{lng, p.Lat})
	}
	return append(out, out[0])
}

// geoJSONName is the download's file name.
func geoJSONName(e *oracle.Epoch, res int) string {
	if e == nil {
		return fmt.Sprintf("hexnet-coverage-res-%d.geojson", res)
	}
	return fmt.Sprintf("hexnet-coverage-epoch-%d-res-%d.geojson", e.Number, res)
}
