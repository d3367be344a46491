package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/uber/h3-go/v4"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

// maxBody bounds request bodies: a signed onboarding request is ~300 bytes.
const maxBody = 64 << 10

// pathAddress reads the {address} path segment.
func pathAddress(r *http.Request) (identity.Address, error) {
	a := identity.Address(r.PathValue("address"))
	if !a.Valid() {
		return "", badRequest("address %q is not a base58 ed25519 public key", string(a))
	}
	return a, nil
}

// parseEpoch reads an epoch number; what names it in the error.
func parseEpoch(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0, badRequest("%s %q is not an epoch number (0..%d)", what, s, int64(math.MaxInt64))
	}
	return n, nil
}

// queryEpoch reads ?epoch=N; ok is false when it is absent.
func queryEpoch(r *http.Request) (n uint64, ok bool, err error) {
	q := r.URL.Query()
	if !q.Has("epoch") {
		return 0, false, nil
	}
	n, err = parseEpoch(q.Get("epoch"), "query parameter epoch")
	return n, err == nil, err
}

// queryRes reads the required ?res=R, an H3 resolution up to the asserted one.
func queryRes(r *http.Request) (int, error) {
	q := r.URL.Query()
	if !q.Has("res") {
		return 0, badRequest("query parameter res is required: an H3 resolution 0..%d", geo.ResAsserted)
	}
	res, err := strconv.Atoi(q.Get("res"))
	if err != nil || res < 0 || res > geo.ResAsserted {
		return 0, badRequest("query parameter res %q is not an H3 resolution 0..%d", q.Get("res"), geo.ResAsserted)
	}
	return res, nil
}

// bbox is a bounding box in degrees. MinLng > MaxLng means it crosses the
// antimeridian.
type bbox struct {
	MinLng, MinLat, MaxLng, MaxLat float64
}

// contains reports whether p lies in the box (edges included); a nil box
// contains everything.
func (b *bbox) contains(p geo.Point) bool {
	if b == nil {
		return true
	}
	if p.Lat < b.MinLat || p.Lat > b.MaxLat {
		return false
	}
	if b.MinLng <= b.MaxLng {
		return p.Lng >= b.MinLng && p.Lng <= b.MaxLng
	}
	return p.Lng >= b.MinLng || p.Lng <= b.MaxLng
}

// queryBBox reads ?bbox=minLng,minLat,maxLng,maxLat (nil when absent).
func queryBBox(r *http.Request) (*bbox, error) {
	q := r.URL.Query()
	if !q.Has("bbox") {
		return nil, nil
	}
	s := q.Get("bbox")
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, badRequest("query parameter bbox %q: want minLng,minLat,maxLng,maxLat in degrees", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badRequest("query parameter bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := &bbox{MinLng: v[0], MinLat: v[1], MaxLng: v[2], MaxLat: v[3]}
	switch {
	case b.MinLng < -180 || b.MinLng > 180 || b.MaxLng < -180 || b.MaxLng > 180:
		return nil, badRequest("query parameter bbox %q: longitudes must be in [-180, 180]", s)
	case b.MinLat < -90 || b.MinLat > 90 || b.MaxLat < -90 || b.MaxLat > 90:
		return nil, badRequest("query parameter bbox %q: latitudes must be in [-90, 90]", s)
	case b.MinLat >= b.MaxLat:
		return nil, badRequest("query parameter bbox %q: minLat must be below maxLat", s)
	}
	return b, nil
}

// decodeBody reads a JSON body of at most maxBody bytes into dst, refusing
// unknown fields so that a misspelt one is not silently ignored.
func decodeBody(r *http.Request, dst any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("read request body: %v", err)
	}
	if len(raw) > maxBody {
		return errorf(http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest("request body is not the expected JSON object: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("request body has data after the JSON object")
	}
	return nil
}

// decodeBase64 reads a required standard-base64 field.
func decodeBase64(field, s string) ([]byte, error) {
	if s == "" {
		return nil, badRequest("field %q is required (standard base64)", field)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, badRequest("field %q is not standard base64: %v", field, err)
	}
	return b, nil
}

// queryLimit reads ?limit=N in 1..max; def when absent.
func queryLimit(r *http.Request, def, max int) (int, error) {
	q := r.URL.Query()
	if !q.Has("limit") {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > max {
		return 0, badRequest("query parameter limit %q is not a number in 1..%d", q.Get("limit"), max)
	}
	return n, nil
}

// Resolutions of the cells endpoint: a res-5 cell (~250 km²) is a district,
// a res-12 cell (~300 m²) is where a hotspot asserts.
const (
	cellResMin = 5
	cellResMax = geo.ResAsserted
)

// pathCell reads the {cell} path segment: an H3 index in hex at a
// resolution of cellResMin..cellResMax.
func pathCell(r *http.Request) (geo.Cell, error) {
	s := r.PathValue("cell")
	c, err := geo.ParseCell(s)
	if err != nil {
		return 0, badRequest("cell %q is not an H3 cell index in hex (such as 8828308281fffff)", s)
	}
	if res := c.Resolution(); res < cellResMin || res > cellResMax {
		return 0, badRequest("cell %s is at H3 resolution %d; want %d..%d", s, res, cellResMin, cellResMax)
	}
	return c, nil
}

// format is how a coverage response is encoded.
type format int

const (
	formatJSON    format = iota // the stable JSON array
	formatGeoJSON               // a GeoJSON FeatureCollection, as a download
)

// queryFormat reads ?format=json|geojson (json when absent).
func queryFormat(r *http.Request) (format, error) {
	q := r.URL.Query()
	if !q.Has("format") {
		return formatJSON, nil
	}
	switch q.Get("format") {
	case "json":
		return formatJSON, nil
	case "geojson":
		return formatGeoJSON, nil
	}
	return 0, badRequest("query parameter format %q: want json or geojson", q.Get("format"))
}

// maxCells bounds the cells a coverage request's area may hold at its
// resolution (see the package documentation).
const maxCells = 50_000

// earthRadiusKm is the mean radius H3's areas are computed with.
const earthRadiusKm = 6371.007180918475

// areaKm2 is the box's area on the sphere; a nil box is the whole world.
func (b *bbox) areaKm2() float64 {
	if b == nil {
		return 4 * math.Pi * earthRadiusKm * earthRadiusKm
	}
	dLng := b.MaxLng - b.MinLng
	if dLng < 0 { // across the antimeridian
		dLng += 360
	}
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	return earthRadiusKm * earthRadiusKm * rad(dLng) * (math.Sin(rad(b.MaxLat)) - math.Sin(rad(b.MinLat)))
}

// checkCells refuses a request whose area holds more than maxCells cells
// at res (estimated with H3's average cell area), naming the finest
// resolution that would do.
func checkCells(box *bbox, res int) error {
	area := box.areaKm2()
	n := area / h3.HexagonAreaAvgKm2(res)
	if n <= maxCells {
		return nil
	}
	fit := res
	for fit > 0 && area/h3.HexagonAreaAvgKm2(fit) > maxCells {
		fit--
	}
	if box == nil {
		return badRequest("the whole world holds about %.0f res-%d cells; use res <= %d or a bbox", n, res, fit)
	}
	return badRequest("the box holds about %.0f res-%d cells; use res <= %d or a smaller box", n, res, fit)
}
