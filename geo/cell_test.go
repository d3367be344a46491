package geo

import (
	"errors"
	"testing"
)

var lisbon = Point{38.7223, -9.1393}

func mustCell(t *testing.T, p Point, res int) Cell {
	t.Helper()
	c, err := CellOf(p, res)
	if err != nil {
		t.Fatalf("CellOf(%v, %d): %v", p, res, err)
	}
	return c
}

func TestCellOf(t *testing.T) {
	c := mustCell(t, lisbon, ResAsserted)
	if c.Resolution() != ResAsserted || !c.Valid() {
		t.Fatalf("cell %s: resolution %d, valid %v", c, c.Resolution(), c.Valid())
	}
	// A res-12 cell's edge is about 9.4 m: its centre is within metres of the point.
	if d := DistanceM(c.Center(), lisbon); d > 15 {
		t.Errorf("centre %v is %.1f m from the point", c.Center(), d)
	}
	if got := mustCell(t, c.Center(), ResAsserted); got != c {
		t.Errorf("the centre's cell is %s, want %s", got, c)
	}
}

func TestCellOfErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Point
		res  int
		want error
	}{
		{"latitude 91", Point{91, 0}, 12, ErrInvalidPoint},
		{"longitude -181", Point{0, -181}, 12, ErrInvalidPoint},
		{"resolution 16", lisbon, 16, ErrResolution},
		{"resolution -1", lisbon, -1, ErrResolution},
	}
	for _, tt := range tests {
		if _, err := CellOf(tt.p, tt.res); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCellString(t *testing.T) {
	c := mustCell(t, lisbon, ResAsserted)
	s := c.String()
	if len(s) != 15 || s[:2] != "8c" {
		t.Errorf("String = %q, want 15 hex digits starting 8c (mode 1, res 12)", s)
	}
	back, err := ParseCell(s)
	if err != nil || back != c {
		t.Errorf("ParseCell(%q) = %v, %v; want %v", s, back, err, c)
	}
	for _, bad := range []string{"", "xyz", "0", "ffffffffffffffff"} {
		if _, err := ParseCell(bad); !errors.Is(err, ErrInvalidCell) {
			t.Errorf("ParseCell(%q) error = %v, want ErrInvalidCell", bad, err)
		}
	}
	var u Cell
	if err := u.UnmarshalText([]byte(s)); err != nil || u != c {
		t.Errorf("UnmarshalText = %v, %v", u, err)
	}
}

func TestParent(t *testing.T) {
	c := mustCell(t, lisbon, ResAsserted)
	p, err := c.Parent(11)
	if err != nil || p.Resolution() != 11 || p != mustCell(t, lisbon, 11) {
		t.Errorf("Parent(11) = %s, %v", p, err)
	}
	if _, err := c.Parent(13); !errors.Is(err, ErrResolution) {
		t.Errorf("Parent(13) error = %v, want ErrResolution", err)
	}
	if _, err := Cell(0).Parent(3); !errors.Is(err, ErrInvalidCell) {
		t.Errorf("Parent of 0 error = %v, want ErrInvalidCell", err)
	}
}

func TestGridDistance(t *testing.T) {
	here := mustCell(t, lisbon, 11)
	tests := []struct {
		name     string
		to       Point
		min, max int
	}{
		{"same cell", lisbon, 0, 0},
		// res-11 edge ≈ 24.9 m, neighbour centres ≈ 43 m apart.
		{"about 350 m east", Destination(lisbon, 90, 350), 7, 9},
		{"about 2 km north", Destination(lisbon, 0, 2000), 38, 56},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := GridDistance(here, mustCell(t, tt.to, 11))
			if err != nil || d < tt.min || d > tt.max {
				t.Errorf("GridDistance = %d, %v; want %d..%d", d, err, tt.min, tt.max)
			}
		})
	}
}

// TestGridDistanceFailureIsNeverClose checks that cells h3-go cannot
// measure (it returns 0 for them) come back as an error and "far".
func TestGridDistanceFailureIsNeverClose(t *testing.T) {
	sydney := Point{-33.8688, 151.2093}
	for _, res := range []int{8, 11, 12} {
		d, err := GridDistance(mustCell(t, lisbon, res), mustCell(t, sydney, res))
		if !errors.Is(err, ErrGridDistance) || d != GridUnknown {
			t.Errorf("res %d: Lisbon–Sydney = %d, %v; want GridUnknown, ErrGridDistance", res, d, err)
		}
	}
}

func TestGridDistanceErrors(t *testing.T) {
	a := mustCell(t, lisbon, 11)
	b := mustCell(t, lisbon, 12)
	if d, err := GridDistance(a, b); !errors.Is(err, ErrResolution) || d != GridUnknown {
		t.Errorf("mixed resolutions: %d, %v", d, err)
	}
	if d, err := GridDistance(a, 12345); !errors.Is(err, ErrInvalidCell) || d != GridUnknown {
		t.Errorf("invalid cell: %d, %v", d, err)
	}
}

func TestCellDistanceM(t *testing.T) {
	a := mustCell(t, lisbon, 12)
	b := mustCell(t, Destination(lisbon, 45, 1000), 12)
	if d := CellDistanceM(a, b); !near(d, 1000, 20) {
		t.Errorf("CellDistanceM = %.1f, want about 1000", d)
	}
}
