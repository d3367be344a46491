package geo

import "math"

// EarthRadiusM is the mean Earth radius (IUGG) in metres.
const EarthRadiusM = 6371008.8

// Point is a position on the Earth in decimal degrees (WGS 84).
type Point struct {
	Lat float64
	Lng float64
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

func degrees(rad float64) float64 { return rad * 180 / math.Pi }

// DistanceM is the great-circle (haversine) distance between a and b in
// metres.
func DistanceM(a, b Point) float64 {
	φ1, φ2 := radians(a.Lat), radians(b.Lat)
	dφ := φ2 - φ1
	dλ := radians(b.Lng - a.Lng)
	h := hav(dφ) + math.Cos(φ1)*math.Cos(φ2)*hav(dλ)
	h = math.Min(1, math.Max(0, h))
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(h))
}

// hav is the haversine of an angle in radians.
func hav(θ float64) float64 {
	s := math.Sin(θ / 2)
	return s * s
}

// Destination is the point reached from p after distanceM metres along the
// great circle that leaves p at bearingDeg (clockwise from true north).
func Destination(p Point, bearingDeg, distanceM float64) Point {
	φ1, λ1 := radians(p.Lat), radians(p.Lng)
	θ := radians(bearingDeg)
	δ := distanceM / EarthRadiusM
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	return Point{Lat: degrees(φ2), Lng: normalizeLng(degrees(λ2))}
}

// normalizeLng maps a longitude into [-180, 180).
func normalizeLng(lng float64) float64 {
	lng = math.Mod(lng+180, 360)
	if lng < 0 {
		lng += 360
	}
	return lng - 180
}

// BearingDeg is the initial bearing from a to b in degrees clockwise from
// true north, in [0, 360).
func BearingDeg(a, b Point) float64 {
	φ1, φ2 := radians(a.Lat), radians(b.Lat)
	dλ := radians(b.Lng - a.Lng)
	y := math.Sin(dλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ)
	return math.Mod(degrees(math.Atan2(y, x))+360, 360)
}
