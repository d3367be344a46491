package geo

import (
	"fmt"
	"sort"

	"github.com/uber/h3-go/v4"
)

// Disk is every cell within k grid steps of c, c included, sorted by index
// (7 cells for k = 1 away from pentagons). H3 leaves holes next to
// pentagons; they are dropped.
func (c Cell) Disk(k int) ([]Cell, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCell, c)
	}
	if k < 0 {
		return nil, fmt.Errorf("geo: grid disk of negative radius %d", k)
	}
	raw := h3.GridDisk(h3.Cell(c), k)
	out := make([]Cell, 0, len(raw))
	for _, r := range raw {
		if r != 0 {
			out = append(out, Cell(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
