package geo

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/uber/h3-go/v4"
)

// ResAsserted is the H3 resolution at which hotspots assert their location.
const ResAsserted = 12

// MaxRes is H3's finest resolution.
const MaxRes = 15

var (
	// ErrInvalidCell reports a value that is not an H3 cell index.
	ErrInvalidCell = errors.New("geo: not a valid H3 cell")
	// ErrInvalidPoint reports a latitude or longitude out of range or NaN.
	ErrInvalidPoint = errors.New("geo: latitude must be in [-90, 90] and longitude in [-180, 180]")
	// ErrResolution reports an H3 resolution outside 0..15 or two cells of
	// different resolutions where one is required.
	ErrResolution = errors.New("geo: bad H3 resolution")
	// ErrGridDistance reports that H3 could not compute a grid distance
	// (cells too far apart, across a pentagon's distortion, ...).
	ErrGridDistance = errors.New("geo: H3 grid distance undefined for these cells")
)

// Cell is an H3 cell index.
type Cell uint64

// Valid reports whether c is a valid H3 cell.
func (c Cell) Valid() bool { return h3.Cell(c).IsValid() }

// Resolution is c's H3 resolution (0..15).
func (c Cell) Resolution() int { return h3.Cell(c).Resolution() }

// String is c as H3's canonical lower-case hex string (e.g. "8c393362a3c8bff").
func (c Cell) String() string { return strconv.FormatUint(uint64(c), 16) }

// MarshalText implements encoding.TextMarshaler with String's form.
func (c Cell) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it rejects invalid cells.
func (c *Cell) UnmarshalText(b []byte) error {
	p, err := ParseCell(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// ParseCell reads a cell from its hex string.
func ParseCell(s string) (Cell, error) {
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil || !Cell(v).Valid() {
		return 0, fmt.Errorf("%w: %q", ErrInvalidCell, s)
	}
	return Cell(v), nil
}

// CellOf is the cell containing p at resolution res.
func CellOf(p Point, res int) (Cell, error) {
	if !p.Valid() {
		return 0, fmt.Errorf("%w: got %v, %v", ErrInvalidPoint, p.Lat, p.Lng)
	}
	if res < 0 || res > MaxRes {
		return 0, fmt.Errorf("%w: %d, want 0..%d", ErrResolution, res, MaxRes)
	}
	c := Cell(h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), res))
	if !c.Valid() {
		return 0, fmt.Errorf("%w: H3 found no cell for %v, %v", ErrInvalidCell, p.Lat, p.Lng)
	}
	return c, nil
}

// Valid reports whether p's latitude and longitude are finite and in range.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// Center is the centre point of c; invalid cells give the zero Point.
func (c Cell) Center() Point {
	if !c.Valid() {
		return Point{}
	}
	ll := h3.CellToLatLng(h3.Cell(c))
	return Point{Lat: ll.Lat, Lng: ll.Lng}
}

// Parent is c's ancestor at resolution res (c itself when res equals its
// resolution).
func (c Cell) Parent(res int) (Cell, error) {
	if !c.Valid() {
		return 0, fmt.Errorf("%w: %s", ErrInvalidCell, c)
	}
	if res < 0 || res > c.Resolution() {
		return 0, fmt.Errorf("%w: parent at %d of a resolution-%d cell", ErrResolution, res, c.Resolution())
	}
	return Cell(h3.Cell(c).Parent(res)), nil
}

// CellDistanceM is the great-circle distance between the centres of a and
// b in metres.
func CellDistanceM(a, b Cell) float64 { return DistanceM(a.Center(), b.Center()) }

// EdgeLengthM is the average edge length in metres of H3 cells at
// resolution res (0 for resolutions outside 0..15).
func EdgeLengthM(res int) float64 {
	if res < 0 || res > MaxRes {
		return 0
	}
	return h3.HexagonEdgeLengthAvgM(res)
}
