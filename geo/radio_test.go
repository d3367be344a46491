package geo

import (
	"errors"
	"testing"
)

func TestFSPL(t *testing.T) {
	tests := []struct {
		distanceM, frequencyHz, want float64 // want = 20·log10(4π·d·f/c), by hand
	}{
		{508, 867.9e6, 85.334},
		{1, 868e6, 31.218},
		{1000, 868e6, 91.218},
		{10000, 868.1e6, 111.219},
		{0, 868e6, 0},
	}
	for _, tt := range tests {
		if got := FSPL(tt.distanceM, tt.frequencyHz); !near(got, tt.want, 0.001) {
			t.Errorf("FSPL(%v m, %v Hz) = %.4f, want %.3f", tt.distanceM, tt.frequencyHz, got, tt.want)
		}
	}
}

func TestNoiseFloorDBm(t *testing.T) {
	tests := []struct{ bw, nf, want float64 }{
		{125e3, 6, -117.031}, // -174 + 50.969 + 6
		{125e3, 0, -123.031},
		{500e3, 0, -117.010},
		{1, 0, -174},
	}
	for _, tt := range tests {
		if got := NoiseFloorDBm(tt.bw, tt.nf); !near(got, tt.want, 0.001) {
			t.Errorf("NoiseFloorDBm(%v, %v) = %.4f, want %.3f", tt.bw, tt.nf, got, tt.want)
		}
	}
}

func TestDemodFloorDB(t *testing.T) {
	want := map[int]float64{7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20}
	for sf, w := range want {
		got, err := DemodFloorDB(sf)
		if err != nil || got != w {
			t.Errorf("DemodFloorDB(%d) = %v, %v; want %v", sf, got, err, w)
		}
	}
	for _, sf := range []int{0, 6, 13} {
		if _, err := DemodFloorDB(sf); !errors.Is(err, ErrLoRaParams) {
			t.Errorf("DemodFloorDB(%d) error = %v, want ErrLoRaParams", sf, err)
		}
	}
}

func TestSensitivityDBm(t *testing.T) {
	got, err := SensitivityDBm(12, 125e3, 6)
	if err != nil || !near(got, -137.031, 0.001) {
		t.Errorf("SensitivityDBm(12) = %v, %v; want -137.031", got, err)
	}
}

func TestMaxRSSIDBm(t *testing.T) {
	// 27 dBm + 2 × 3 dBi − 85.334 dB at 508 m, 867.9 MHz.
	if got := MaxRSSIDBm(27, 3, 3, 508, 867.9e6); !near(got, -52.334, 0.001) {
		t.Errorf("MaxRSSIDBm = %v, want -52.334", got)
	}
}
