package geo

import (
	"fmt"
	"math"

	"github.com/uber/h3-go/v4"
)

// GridUnknown is what GridDistance returns with an error: larger than any
// real grid distance, so a caller that forgets the error reads "far",
// never "close".
const GridUnknown = math.MaxInt32

// GridDistance is the number of H3 grid steps between two cells of one
// resolution.
//
// h3-go v4.1.0 discards H3's error code and yields 0 when it cannot compute
// a distance (typically for cells far apart or across pentagon distortion).
// GridDistance never passes that 0 on: two different cells at distance 0,
// or a distance that the great-circle distance between the centres rules
// out, give ErrGridDistance and GridUnknown.
func GridDistance(a, b Cell) (int, error) {
	if err := sameResolution(a, b); err != nil {
		return GridUnknown, err
	}
	if a == b {
		return 0, nil
	}
	d := h3.GridDistance(h3.Cell(a), h3.Cell(b))
	if d <= 0 || !plausibleGrid(d, CellDistanceM(a, b), a.Resolution()) {
		return GridUnknown, fmt.Errorf("%w: %s and %s (%.0f m apart)", ErrGridDistance, a, b, CellDistanceM(a, b))
	}
	return d, nil
}

func sameResolution(a, b Cell) error {
	for _, c := range []Cell{a, b} {
		if !c.Valid() {
			return fmt.Errorf("%w: %s", ErrInvalidCell, c)
		}
	}
	if a.Resolution() != b.Resolution() {
		return fmt.Errorf("%w: grid distance between resolutions %d and %d", ErrResolution, a.Resolution(), b.Resolution())
	}
	return nil
}

// plausibleGrid reports whether d grid steps can span gcM metres between
// centres at resolution res. Neighbouring centres are √3 edges apart on a
// regular grid; H3 cell sizes vary about 2× over the globe, so the bounds
// are loose: they only catch answers that are wrong, not imprecise.
func plausibleGrid(d int, gcM float64, res int) bool {
	step := math.Sqrt(3) * h3.HexagonEdgeLengthAvgM(res)
	return gcM <= float64(d+1)*step*2 && gcM >= float64(d-1)*step*0.4
}
