package geo

import (
	"math"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestDistanceM(t *testing.T) {
	tests := []struct {
		name string
		a, b Point
		want float64 // hand-computed: R·Δσ with R = 6371008.8 m
	}{
		{"same point", Point{38.72, -9.14}, Point{38.72, -9.14}, 0},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, 111195.080},
		{"one degree of longitude on the equator", Point{0, 0}, Point{0, 1}, 111195.080},
		{"quarter of the equator", Point{0, 0}, Point{0, 90}, 10007557.221},
		{"pole to pole", Point{90, 0}, Point{-90, 0}, 20015114.442},
		{"across the antimeridian", Point{0, 179.5}, Point{0, -179.5}, 111195.080},
		// cos(60°) = 0.5: a degree of longitude at 60° N is half a degree of the equator
		// only along the parallel; the great circle is slightly shorter.
		{"one degree of longitude at 60N", Point{60, 0}, Point{60, 1}, 55596.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DistanceM(tt.a, tt.b); !near(got, tt.want, 1) {
				t.Errorf("DistanceM = %.3f, want %.3f", got, tt.want)
			}
			if got := DistanceM(tt.b, tt.a); !near(got, tt.want, 1) {
				t.Errorf("DistanceM reversed = %.3f, want %.3f", got, tt.want)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	tests := []struct {
		name     string
		from     Point
		bearing  float64
		distance float64
		want     Point
	}{
		{"north one degree", Point{0, 0}, 0, 111195.080, Point{1, 0}},
		{"east one degree", Point{0, 0}, 90, 111195.080, Point{0, 1}},
		{"south one degree", Point{10, 20}, 180, 111195.080, Point{9, 20}},
		{"west across the antimeridian", Point{0, -179.5}, 270, 111195.080, Point{0, 179.5}},
		{"north 1 km", Point{0, 0}, 0, 1000, Point{0.0089932, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Destination(tt.from, tt.bearing, tt.distance)
			if !near(got.Lat, tt.want.Lat, 1e-6) || !near(got.Lng, tt.want.Lng, 1e-6) {
				t.Errorf("Destination = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDestinationRoundTrip(t *testing.T) {
	lisbon := Point{38.7223, -9.1393}
	for _, bearing := range []float64{0, 37, 90, 151, 200, 333} {
		for _, d := range []float64{10, 508, 5000, 100000} {
			p := Destination(lisbon, bearing, d)
			if got := DistanceM(lisbon, p); !near(got, d, 1e-3*d+1e-6) {
				t.Errorf("bearing %v distance %v: came back %v m", bearing, d, got)
			}
			if got := BearingDeg(lisbon, p); d > 100 && !near(got, bearing, 0.01) {
				t.Errorf("bearing %v distance %v: initial bearing %v", bearing, d, got)
			}
		}
	}
}
