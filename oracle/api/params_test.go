package api

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hexnet/hexnet/geo"
)

// FuzzQueryParsing feeds arbitrary query values to the map's parsers: each
// either fails with a 400 or returns a value within its documented bounds.
func FuzzQueryParsing(f *testing.F) {
	for _, s := range []string{"4.8,52.3,5.0,52.45", "170,-10,-170,10", "1,2,3", "NaN,0,1,1", " 1 , 2 ,3,4", "8828308281fffff",
		"ffffffffffffffff", "0x1", "20", "-1", "geojson", "brisk amber", "", "1e308,0,1,1"} {
		f.Add(s, "8")
	}
	f.Fuzz(func(t *testing.T, v, res string) {
		q := url.Values{"bbox": {v}, "limit": {v}, "format": {v}, "q": {v}, "res": {res}}
		r := httptest.NewRequest(http.MethodGet, "/api/v1/coverage?"+q.Encode(), nil)
		r.SetPathValue("cell", v)
		if b, err := queryBBox(r); check(t, "bbox", err) && !validBox(b) {
			t.Fatalf("bbox %q parsed as %+v", v, b)
		}
		if n, err := queryLimit(r, 20, 100); check(t, "limit", err) && (n < 1 || n > 100) {
			t.Fatalf("limit %q parsed as %d", v, n)
		}
		if _, err := queryFormat(r); check(t, "format", err) && v != "json" && v != "geojson" {
			t.Fatalf("format %q accepted", v)
		}
		if s, err := querySearch(r); check(t, "q", err) && (utf8.RuneCountInString(s) < 2 || s != strings.TrimSpace(s)) {
			t.Fatalf("q %q read as %q", v, s)
		}
		if c, err := pathCell(r); check(t, "cell", err) && (!c.Valid() || c.Resolution() < cellResMin || c.Resolution() > cellResMax) {
			t.Fatalf("cell %q parsed as %v", v, c)
		}
		n, err := queryRes(r)
		if !check(t, "res", err) {
			return
		}
		if b, err := queryBBox(r); err == nil {
			checkCells(b, n) // must not panic, whatever the box
		}
	})
}

// check reports whether err is nil; any other error must be a 400.
func check(t *testing.T, what string, err error) bool {
	var ae *apiError
	if err != nil && (!errors.As(err, &ae) || ae.status != http.StatusBadRequest || ae.msg == "") {
		t.Fatalf("%s: %v is not a 400 with a message", what, err)
	}
	return err == nil
}

func validBox(b *bbox) bool {
	if b == nil {
		return true
	}
	in := func(v, lo, hi float64) bool { return v >= lo && v <= hi && !math.IsNaN(v) }
	return in(b.MinLng, -180, 180) && in(b.MaxLng, -180, 180) && in(b.MinLat, -90, 90) && in(b.MaxLat, -90, 90) && b.MinLat < b.MaxLat
}

func TestCheckCells(t *testing.T) {
	for _, tc := range []struct {
		box  *bbox
		res  int
		fits bool
	}{
		{nil, 3, true},
		{nil, 4, false},
		{&bbox{MinLng: 4.8, MinLat: 52.3, MaxLng: 5.0, MaxLat: 52.45}, 10, true}, // ~230 km²
		{&bbox{MinLng: 4.8, MinLat: 52.3, MaxLng: 5.0, MaxLat: 52.45}, 11, false},
		{&bbox{MinLng: 179, MinLat: -1, MaxLng: -179, MaxLat: 1}, 6, true},  // across the antimeridian: 2° wide
		{&bbox{MinLng: -179, MinLat: -1, MaxLng: 179, MaxLat: 1}, 6, false}, // 358° wide
	} {
		if err := checkCells(tc.box, tc.res); (err == nil) != tc.fits {
			t.Errorf("checkCells(%+v, %d) = %v, want fits %v", tc.box, tc.res, err, tc.fits)
		}
	}
}

// TestRingAcrossAntimeridian: a cell cut by ±180° is one polygon with
// continuous longitudes.
func TestRingAcrossAntimeridian(t *testing.T) {
	for _, p := range []geo.Point{{Lat: 0, Lng: 180}, {Lat: -16.5, Lng: -179.99}, {Lat: 52.37, Lng: 4.89}} {
		for _, res := range []int{2, 5, 8} {
			c, err := geo.CellOf(p, res)
			if err != nil {
				t.Fatal(err)
			}
			r := ring(c)
			if len(r) < 6 || r[0] != r[len(r)-1] {
				t.Fatalf("ring of %s is not closed: %v", c, r)
			}
			for i := 1; i < len(r); i++ {
				if math.Abs(r[i][0]-r[i-1][0]) > 180 {
					t.Errorf("ring of %s jumps from %v to %v", c, r[i-1], r[i])
				}
			}
		}
	}
}
