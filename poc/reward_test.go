package poc

import (
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", path, diff)
	}
}

// TestRewardUnitsByHand checks HIP 15 with values worked out by hand:
// 0.8² = 0.64, 0.8¹⁰ = 0.1073741824.
func TestRewardUnitsByHand(t *testing.T) {
	p := DefaultRewardParams()
	tests := []struct {
		w                 int
		beaconer, witness string
	}{
		{0, "0.000000000", "0.000000000"},
		{1, "0.250000000", "1.000000000"},
		{3, "0.750000000", "1.000000000"},
		{4, "1.000000000", "1.000000000"},
		{5, "1.200000000", "0.760000000"},  // 2 − 0.8; (4 − 0.2)/5
		{6, "1.360000000", "0.606666667"},  // 2 − 0.64; 3.64/6 = 0.60666…
		{14, "1.892625818", "0.221955299"}, // 2 − 0.1073741824; 3.1073741824/14
	}
	for _, tt := range tests {
		b, w := BeaconerUnits(p, tt.w), WitnessUnits(p, tt.w)
		if b.String() != tt.beaconer || w.String() != tt.witness {
			t.Errorf("w=%d: beaconer %s, witness %s; want %s, %s", tt.w, b, w, tt.beaconer, tt.witness)
		}
	}
}

// TestRewardUnitsMatchFloat cross-checks the exact arithmetic against the
// HIP 15 formulas in float64.
func TestRewardUnitsMatchFloat(t *testing.T) {
	p := DefaultRewardParams()
	for w := 1; w <= 40; w++ {
		fb, fw := float64(w)/4, 1.0
		if w > 4 {
			r := math.Pow(0.8, float64(w-4))
			fb, fw = 2-r, (4-(1-r))/float64(w)
		}
		if got := float64(BeaconerUnits(p, w)) / float64(One); math.Abs(got-fb) > 1e-9 {
			t.Errorf("w=%d beaconer %v, float %v", w, got, fb)
		}
		if got := float64(WitnessUnits(p, w)) / float64(One); math.Abs(got-fw) > 1e-9 {
			t.Errorf("w=%d witness %v, float %v", w, got, fw)
		}
	}
}

func TestRewardUnitsGolden(t *testing.T) {
	p := DefaultRewardParams()
	var b strings.Builder
	b.WriteString("# HIP 15 reward units (N = 4, r = 0.8), exact, rounded half up to 9 places\n# w beaconer witness_each witnesses_total\n")
	for w := 0; w <= 30; w++ {
		each := WitnessUnits(p, w)
		fmt.Fprintf(&b, "%2d %s %s %s\n", w, BeaconerUnits(p, w), each, Fixed(int64(each)*int64(w)))
	}
	golden(t, "reward_units.golden", b.String())
}

func TestRoundUnits(t *testing.T) {
	b, w := RoundUnits(DefaultRewardParams(), 5, One/2)
	if b.String() != "0.600000000" || w.String() != "0.380000000" {
		t.Errorf("5 witnesses at scale 0.5: %s, %s", b, w)
	}
}

func TestFixed(t *testing.T) {
	tests := []struct {
		got  Fixed
		want string
	}{
		{One, "1.000000000"},
		{-One / 4, "-0.250000000"},
		{Fixed(1).Mul(One / 2), "0.000000001"},                      // 0.5e-9 rounds half up
		{Fixed(1).Mul(One/2 - 1), "0.000000000"},                    // just under half
		{(3 * One).Mul(One / 3), "0.999999999"},                     // 3 × 0.333333333
		{Fixed(math.MaxInt64).Mul(2 * One), "9223372036.854775807"}, // saturates
		{FixedRatio(big.NewInt(2), big.NewInt(3)), "0.666666667"},
		{FixedRatio(big.NewInt(1), big.NewInt(3)), "0.333333333"},
	}
	for i, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("case %d: %s, want %s", i, tt.got, tt.want)
		}
	}
}
