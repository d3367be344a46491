package poc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/geo"
)

func cellAt(t *testing.T, p geo.Point, res int) geo.Cell {
	t.Helper()
	c, err := geo.CellOf(p, res)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sevenChildren returns one res-12 cell in each res-8 child of the res-7
// hex around Lisbon (H3's children are the centre child and its ring).
func sevenChildren(t *testing.T) []geo.Cell {
	parent := cellAt(t, lisbon, 7)
	ring, err := cellAt(t, parent.Center(), 8).Disk(1)
	if err != nil {
		t.Fatal(err)
	}
	var out []geo.Cell
	for _, c8 := range ring {
		c12 := cellAt(t, c8.Center(), 12)
		if p, _ := c12.Parent(7); p != parent {
			t.Fatalf("%s is not under %s", c12, parent)
		}
		out = append(out, c12)
	}
	return out
}

// TestDensityScalesByHand works HIP 104's table through small topologies.
func TestDensityScalesByHand(t *testing.T) {
	kids := sevenChildren(t)
	far := cellAt(t, geo.Destination(lisbon, 90, 300_000), 12)
	tests := []struct {
		name     string
		hotspots map[geo.Cell]int
		want     map[geo.Cell]string
	}{{
		// Res 10: 5 hotspots, 1 occupied hex in the ring: limit
		// min(1, 1·max(1, 1−2+1)) = 1, so 1/5; every coarser level 1/1.
		name: "five in one cell", hotspots: map[geo.Cell]int{kids[0]: 5},
		want: map[geo.Cell]string{kids[0]: "0.200000000"},
	}, {
		name: "two far apart are not scaled", hotspots: map[geo.Cell]int{kids[0]: 1, far: 1},
		want: map[geo.Cell]string{kids[0]: "1.000000000", far: "1.000000000"},
	}, {
		// Res 8–10: 1/1 each. Res 7: unclipped 7, one occupied hex (≥ 5):
		// limit min(10, 5·max(1, 1−4+1)) = 5, so 5/7.
		name: "one in each res-8 child", hotspots: map[geo.Cell]int{kids[0]: 1, kids[1]: 1, kids[2]: 1, kids[3]: 1, kids[4]: 1, kids[5]: 1, kids[6]: 1},
		want: map[geo.Cell]string{kids[0]: "0.714285714", kids[6]: "0.714285714"},
	}, {
		// As above, with a second hotspot in kids[0]'s cell: res 10 clips
		// it to 1/2, res 7 still sees 7 → 5/7; 1/2 · 5/7 = 5/14.
		name: "and a second one in one cell", hotspots: map[geo.Cell]int{kids[0]: 2, kids[1]: 1, kids[2]: 1, kids[3]: 1, kids[4]: 1, kids[5]: 1, kids[6]: 1},
		want: map[geo.Cell]string{kids[0]: "0.357142857", kids[1]: "0.714285714"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DensityScales(DefaultDensity(), tt.hotspots)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.hotspots) {
				t.Errorf("%d scales for %d cells", len(got), len(tt.hotspots))
			}
			for c, want := range tt.want {
				if got[c].String() != want {
					t.Errorf("%s: %s, want %s", c, got[c], want)
				}
			}
		})
	}
}

func TestDensityLimit(t *testing.T) {
	// HIP 17's example thresholds for N = 2, target 1, max 4.
	l := DensityLevel{8, 2, 1, 4}
	for occupied, want := range []int64{1, 1, 1, 2, 3, 4, 4, 4} {
		if got := densityLimit(l, occupied); got != want {
			t.Errorf("%d occupied: limit %d, want %d", occupied, got, want)
		}
	}
}

// cluster is a deterministic synthetic city: dense centre, sparse edge.
func cluster(t *testing.T) map[geo.Cell]int {
	rng := rand.New(rand.NewPCG(17, 104))
	m := map[geo.Cell]int{}
	for range 400 {
		d := 30_000 * rng.Float64() * rng.Float64() * rng.Float64()
		m[cellAt(t, geo.Destination(lisbon, rng.Float64()*360, d), 12)]++
	}
	return m
}

func TestDensityScalesGolden(t *testing.T) {
	hotspots := cluster(t)
	scales, err := DensityScales(DefaultDensity(), hotspots)
	if err != nil {
		t.Fatal(err)
	}
	cells := make([]geo.Cell, 0, len(scales))
	for c := range scales {
		cells = append(cells, c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i] < cells[j] })
	var b strings.Builder
	b.WriteString("# HIP 17 scales, HIP 104 table; synthetic city around Lisbon (seed 17/104)\n# cell hotspots scale\n")
	for _, c := range cells {
		if scales[c] <= 0 || scales[c] > One {
			t.Errorf("%s: scale %s out of (0, 1]", c, scales[c])
		}
		fmt.Fprintf(&b, "%s %d %s\n", c, hotspots[c], scales[c])
	}
	golden(t, "density_scales.golden", b.String())
}

func TestDensityScalesErrors(t *testing.T) {
	if _, err := DensityScales(DefaultDensity(), map[geo.Cell]int{12345: 1}); !errors.Is(err, geo.ErrInvalidCell) {
		t.Errorf("invalid cell: %v", err)
	}
	coarse := cellAt(t, lisbon, 9)
	if _, err := DensityScales(DefaultDensity(), map[geo.Cell]int{coarse: 1}); !errors.Is(err, geo.ErrResolution) {
		t.Errorf("res-9 cell: %v", err)
	}
	if _, err := DensityScales([]DensityLevel{{8, 2, 0, 1}}, nil); !errors.Is(err, ErrParams) {
		t.Errorf("target 0: %v", err)
	}
	got, err := DensityScales(nil, map[geo.Cell]int{cellAt(t, lisbon, 12): 3})
	if err != nil || got[cellAt(t, lisbon, 12)] != One {
		t.Errorf("no levels: %v, %v; want scale 1", got, err)
	}
}
