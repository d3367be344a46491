package region

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// beaconBytes is beacon.PayloadSize (region does not import beacon).
const beaconBytes = 24

// describe renders a plan as the golden file's text.
func describe(t *testing.T, p Plan) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s max EIRP %.2f dBm, RX2 %d Hz DR%d, sub-band %d\n", p.Name, p.MaxEIRPDBm, p.RX2.FrequencyHz, p.RX2.DataRate, p.SubBand)
	for _, dr := range p.DataRates {
		fmt.Fprintf(&b, "  DR%-2d SF%-2d %6d Hz  N %3d  M %3d  uplink %v\n", dr.Index, dr.SpreadingFactor, dr.BandwidthHz, dr.MaxPayload, dr.MaxMACPayload, dr.Uplink)
	}
	fmt.Fprintf(&b, "  %d uplink channels:", len(p.UplinkChannels))
	for _, c := range p.UplinkChannels {
		fmt.Fprintf(&b, " %d", c.FrequencyHz)
	}
	dr, err := BeaconDataRate(p, beaconBytes)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	fmt.Fprintf(&b, "\n  beacon: DR%d (SF%d %d Hz), power %d dBm at 3 dBi, channels:", dr.Index, dr.SpreadingFactor, dr.BandwidthHz, BeaconPowerDBm(p, 3))
	for _, c := range BeaconChannels(p) {
		fmt.Fprintf(&b, " %d", c.FrequencyHz)
	}
	b.WriteString("\n")
	return b.String()
}

func TestPlansGolden(t *testing.T) {
	plans, err := Plans()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range plans {
		b.WriteString(describe(t, p))
	}
	golden(t, "plans.golden", b.String())
}

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
		t.Errorf("%s differs (-want +got); rerun with -update if the change is intended:\n%s", path, diff)
	}
}

func TestBeaconDataRate(t *testing.T) {
	tests := []struct {
		region string
		size   int
		wantDR int
	}{
		{"EU868", beaconBytes, 0},   // SF12, N 51
		{"EU868", 52, 3},            // DR0–2 carry 51 bytes
		{"US915", beaconBytes, 1},   // DR0 (SF10) carries only 11 bytes
		{"US915", 11, 0},            // exactly N
		{"AU915", beaconBytes, 0},   // SF12, N 51
		{"AS923-2", beaconBytes, 0}, // no dwell-time limit
		{"KR920", 200, 4},
	}
	for _, tt := range tests {
		p, err := Lookup(tt.region)
		if err != nil {
			t.Fatal(err)
		}
		dr, err := BeaconDataRate(p, tt.size)
		if err != nil || dr.Index != tt.wantDR {
			t.Errorf("%s %d bytes: DR%d, %v; want DR%d", tt.region, tt.size, dr.Index, err, tt.wantDR)
		}
	}
	p, _ := Lookup("EU868")
	if _, err := BeaconDataRate(p, 243); !errors.Is(err, ErrNoBeaconDataRate) {
		t.Errorf("243 bytes: error %v, want ErrNoBeaconDataRate", err)
	}
}

func TestBeaconChannels(t *testing.T) {
	us, _ := Lookup("US915")
	got := BeaconChannels(us)
	if len(got) != 8 || got[0].FrequencyHz != 903_900_000 || got[7].FrequencyHz != 905_300_000 {
		t.Errorf("US915 beacon channels %v, want sub-band 2 (903.9–905.3 MHz)", got)
	}
	eu, _ := Lookup("EU868")
	want := []Channel{{868_100_000, 0, 5}, {868_300_000, 0, 5}, {868_500_000, 0, 5}}
	if diff := cmp.Diff(want, BeaconChannels(eu)); diff != "" {
		t.Errorf("EU868 beacon channels (-want +got):\n%s", diff)
	}
	BeaconChannels(eu)[0].FrequencyHz = 1
	if eu.UplinkChannels[0].FrequencyHz != 868_100_000 {
		t.Error("BeaconChannels shares the plan's slice")
	}
}

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"EU868": "EU868", "eu868": "EU868", "AS923": "AS923-1", "as923_3": "AS923-3", " US915 ": "US915",
	} {
		p, err := Lookup(name)
		if err != nil || p.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, p.Name, err, want)
		}
	}
	_, err := Lookup("XX999")
	if !errors.Is(err, ErrUnknownRegion) || !strings.Contains(err.Error(), "EU868") {
		t.Errorf("Lookup(XX999) error %v, want ErrUnknownRegion listing the known names", err)
	}
}

func TestBeaconPowerDBm(t *testing.T) {
	eu, _ := Lookup("EU868")
	us, _ := Lookup("US915")
	tests := []struct {
		p    Plan
		gain float64
		want int
	}{
		{eu, 0, 16}, {eu, 2.3, 13}, {eu, 3, 13}, {us, 6, 24}, {us, -1.5, 31},
	}
	for _, tt := range tests {
		if got := BeaconPowerDBm(tt.p, tt.gain); got != tt.want {
			t.Errorf("%s at %v dBi: %d dBm, want %d", tt.p.Name, tt.gain, got, tt.want)
		}
	}
}

func TestDataRateOf(t *testing.T) {
	us, _ := Lookup("US915")
	if dr, ok := DataRateOf(us, 8, 500_000); !ok || dr.Index != 4 {
		t.Errorf("US915 SF8 500 kHz = DR%d, %v; want the uplink DR4 (DR12 is downlink only)", dr.Index, ok)
	}
	if _, ok := DataRateOf(us, 12, 125_000); ok {
		t.Error("US915 has no SF12 at 125 kHz")
	}
}
