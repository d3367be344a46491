package geo

import (
	"errors"
	"testing"
)

func TestDisk(t *testing.T) {
	c := mustCell(t, lisbon, 8)
	ring, err := c.Disk(1)
	if err != nil || len(ring) != 7 {
		t.Fatalf("Disk(1) = %d cells, %v; want 7", len(ring), err)
	}
	found := false
	for i, n := range ring {
		if i > 0 && ring[i-1] >= n {
			t.Errorf("not sorted at %d", i)
		}
		if n == c {
			found = true
			continue
		}
		if d, err := GridDistance(c, n); err != nil || d != 1 {
			t.Errorf("neighbour %s at grid distance %d, %v", n, d, err)
		}
	}
	if !found {
		t.Error("the disk leaves out its centre")
	}
	if two, err := c.Disk(2); err != nil || len(two) != 19 {
		t.Errorf("Disk(2) = %d cells, %v; want 19", len(two), err)
	}
	if zero, err := c.Disk(0); err != nil || len(zero) != 1 || zero[0] != c {
		t.Errorf("Disk(0) = %v, %v", zero, err)
	}
}

func TestDiskErrors(t *testing.T) {
	if _, err := Cell(12345).Disk(1); !errors.Is(err, ErrInvalidCell) {
		t.Errorf("invalid cell: %v", err)
	}
	if _, err := mustCell(t, lisbon, 8).Disk(-1); err == nil {
		t.Error("negative radius accepted")
	}
}

func TestEdgeLengthM(t *testing.T) {
	// H3's published averages: res 11 ≈ 24.9 m, res 12 ≈ 9.4 m.
	if e := EdgeLengthM(11); !near(e, 24.9, 0.1) {
		t.Errorf("res 11: %v m", e)
	}
	if e := EdgeLengthM(12); !near(e, 9.4, 0.1) {
		t.Errorf("res 12: %v m", e)
	}
	if EdgeLengthM(16) != 0 || EdgeLengthM(-1) != 0 {
		t.Error("out-of-range resolutions must give 0")
	}
}
