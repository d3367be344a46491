package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/oracle"
)

// coverageCell mirrors the stable coverage shape.
type coverageCell struct {
	Cell           string   `json:"cell"`
	Hotspots       int      `json:"hotspots"`
	ValidWitnesses int      `json:"valid_witnesses"`
	BestRSSI       *float64 `json:"best_rssi"`
	Proven         bool     `json:"proven"`
}

// expected builds the coverage of hotspots at res: valid maps a hotspot to
// its valid witnesses' RSSIs.
func expected(t *testing.T, res int, hs []oracle.HotspotInfo, valid map[string][]float64) []coverageCell {
	t.Helper()
	by := map[string]*coverageCell{}
	for _, h := range hs {
		if h.Location == nil {
			continue
		}
		p, err := geo.Cell(h.Location.Cell).Parent(res)
		if err != nil {
			t.Fatal(err)
		}
		c := by[p.String()]
		if c == nil {
			c = &coverageCell{Cell: p.String()}
			by[p.String()] = c
		}
		c.Hotspots++
		for _, r := range valid[h.Address.String()] {
			c.ValidWitnesses++
			if c.BestRSSI == nil || r > *c.BestRSSI {
				c.BestRSSI = &r
			}
			c.Proven = true
		}
	}
	out := []coverageCell{}
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
	return out
}

// Boxes the world's hotspots lie in (minLng,minLat,maxLng,maxLat).
const (
	boxEurope    = "2,48,6,53"                     // Paris and Amsterdam
	boxAmsterdam = "4.8,52.3,5.0,52.45"            // a, b and c
	boxA         = "4.8900,52.3650,4.9000,52.3750" // a alone
)

// within keeps the located hotspots whose cell centre lies in box.
func within(t *testing.T, hs []oracle.HotspotInfo, box string) []oracle.HotspotInfo {
	t.Helper()
	var v [4]float64
	for i, p := range strings.Split(box, ",") {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			t.Fatal(err)
		}
		v[i] = f
	}
	var out []oracle.HotspotInfo
	for _, h := range hs {
		if h.Location == nil {
			continue
		}
		p := geo.Cell(h.Location.Cell).Center()
		if p.Lng >= v[0] && p.Lat >= v[1] && p.Lng <= v[2] && p.Lat <= v[3] {
			out = append(out, h)
		}
	}
	return out
}

func TestCoverage(t *testing.T) {
	w := newWorld(t, "")
	paris := newHotspot(t)
	w.register(paris, 48.8566, 2.3522)
	unasserted := newHotspot(t)
	expect(t, w.do(http.MethodPost, "/api/v1/hotspots", w.onboardBody(unasserted)), http.StatusCreated, nil)
	hs, err := w.store.ListOnboarded(w.ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Nothing is proven before an epoch closes: every cell with hotspots, no witnesses.
	var got []coverageCell
	rec := w.get("/api/v1/coverage?res=3", http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 3, hs, nil), got); diff != "" {
		t.Errorf("coverage before any close (-want +got):\n%s", diff)
	}
	if h := rec.Header().Get("Hexnet-Epoch"); h != "" {
		t.Errorf("Hexnet-Epoch %q before any epoch closed", h)
	}

	w.close()
	w.openEpoch(1)
	valid := map[string][]float64{w.b.addr().String(): {-97.5}}
	for _, tc := range []struct {
		res int
		box string
	}{{0, ""}, {3, ""}, {5, boxEurope}, {8, boxAmsterdam}, {10, boxAmsterdam}, {12, boxA}} {
		path := "/api/v1/coverage?res=" + strconv.Itoa(tc.res)
		want := expected(t, tc.res, hs, valid)
		if tc.box != "" {
			path += "&bbox=" + tc.box
			want = expected(t, tc.res, within(t, hs, tc.box), valid)
		}
		rec = w.get(path, http.StatusOK, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
		if h := rec.Header().Get("Hexnet-Epoch"); h != "0" {
			t.Errorf("Hexnet-Epoch %q, want the latest closed epoch 0", h)
		}
	}
	var raw []map[string]any
	w.get("/api/v1/coverage?res=12&bbox="+boxA, http.StatusOK, &raw)
	for _, c := range raw {
		expectKeys(t, "coverage cell", c, "cell", "hotspots", "valid_witnesses", "best_rssi", "proven")
	}

	// The open epoch has proven nothing yet.
	w.get("/api/v1/coverage?res=8&epoch=1&bbox="+boxAmsterdam, http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 8, within(t, hs, boxAmsterdam), nil), got); diff != "" {
		t.Errorf("open epoch (-want +got):\n%s", diff)
	}

	// A box around Amsterdam leaves Paris out; one across the antimeridian holds nothing.
	w.get("/api/v1/coverage?res=8&epoch=0&bbox="+url.QueryEscape("4.5,52.0,5.5,52.8"), http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 8, within(t, hs, boxAmsterdam), valid), got); diff != "" {
		t.Errorf("bbox (-want +got):\n%s", diff)
	}
	w.get("/api/v1/coverage?res=5&bbox=170,-10,-170,10", http.StatusOK, &got)
	if len(got) != 0 || got == nil {
		t.Errorf("antimeridian box: %v, want []", got)
	}
	// A res-0 cell is kept when one of its hotspots is inside the box, even if its centre is not.
	w.get("/api/v1/coverage?res=0&bbox=4.8,52.3,5.0,52.4", http.StatusOK, &got)
	if len(got) != 1 || got[0].Hotspots != 3 || got[0].ValidWitnesses != 1 || !got[0].Proven {
		t.Errorf("coarse cell cut by the box: %v", got)
	}
}

// TestCoverageAsOfEpoch: a closed epoch's coverage places hotspots where
// they stood at its end, whatever happened since, and is cached for long;
// the default (latest closed) epoch moves and is revalidated.
func TestCoverageAsOfEpoch(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	w.openEpoch(1)
	const path = "/api/v1/coverage?res=7&bbox=" + boxEurope
	var before []coverageCell
	rec := w.get(path+"&epoch=0", http.StatusOK, &before)
	tag := rec.Header().Get("ETag")
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=86400" || tag == "" {
		t.Errorf("closed epoch asked for: Cache-Control %q, ETag %q", cc, tag)
	}
	if cc := w.get(path, http.StatusOK, nil).Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("default epoch: Cache-Control %q, want no-cache", cc)
	}
	if cc := w.get(path+"&epoch=1", http.StatusOK, nil).Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("open epoch: Cache-Control %q, want no-cache", cc)
	}

	// b moves to Paris and a newcomer arrives: epoch 0 does not change.
	expect(t, w.do(http.MethodPost, "/api/v1/hotspots/"+w.b.addr().String()+"/location",
		w.assertionBody(w.b, cellAt(t, 48.8566, 2.3522), 2)), http.StatusOK, nil)
	w.register(newHotspot(t), 52.3702, 4.8952)
	var after []coverageCell
	rec = w.get(path+"&epoch=0", http.StatusOK, &after)
	if diff := cmp.Diff(before, after); diff != "" || rec.Header().Get("ETag") != tag {
		t.Errorf("epoch 0 changed after it closed (-before +after):\n%s", diff)
	}
	if rec := w.do(http.MethodGet, path+"&epoch=0", nil, "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match on a closed epoch: %d", rec.Code)
	}
	// The open epoch sees the registry as it is now: b's witness is not proven there.
	var now []coverageCell
	w.get(path+"&epoch=1", http.StatusOK, &now)
	total, paris := 0, false
	for _, c := range now {
		total += c.Hotspots
		paris = paris || c.Cell == mustParent(t, cellAt(t, 48.8566, 2.3522), 7)
	}
	if total != 4 || !paris {
		t.Errorf("open epoch: %d hotspots (want 4), Paris cell listed %v: %v", total, paris, now)
	}
}

func mustParent(t *testing.T, c uint64, res int) string {
	t.Helper()
	p, err := geo.Cell(c).Parent(res)
	if err != nil {
		t.Fatal(err)
	}
	return p.String()
}

// TestCoverageUnproven: cells whose hotspots proved nothing are listed,
// with no witnesses and no RSSI.
func TestCoverageUnproven(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	var raw []map[string]any
	w.get("/api/v1/coverage?res=12&bbox=4.86,52.34,4.88,52.36", http.StatusOK, &raw) // c alone
	want := []map[string]any{{"cell": mustParent(t, cellAt(t, 52.35, 4.87), 12), "hotspots": 1.0,
		"valid_witnesses": 0.0, "best_rssi": nil, "proven": false}}
	if diff := cmp.Diff(want, raw); diff != "" {
		t.Errorf("unproven cell (-want +got):\n%s", diff)
	}
}

func TestCoverageGeoJSON(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	rec := w.do(http.MethodGet, "/api/v1/coverage?res=8&epoch=0&format=geojson&bbox="+boxAmsterdam, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Type") != "application/geo+json" ||
		h.Get("Content-Disposition") != `attachment; filename="hexnet-coverage-epoch-0-res-8.geojson"` ||
		h.Get("Cache-Control") != "public, max-age=86400" || h.Get("ETag") == "" {
		t.Errorf("headers %v", h)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	var cells []coverageCell
	w.get("/api/v1/coverage?res=8&epoch=0&bbox="+boxAmsterdam, http.StatusOK, &cells)
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(cells) || len(cells) == 0 {
		t.Fatalf("%s with %d features for %d cells", fc.Type, len(fc.Features), len(cells))
	}
	for i, f := range fc.Features {
		expectKeys(t, "properties", f.Properties, "cell", "hotspots", "valid_witnesses", "best_rssi", "proven")
		ring := f.Geometry.Coordinates[0]
		centre := geo.Cell(mustCell(t, cells[i].Cell)).Center()
		if f.Type != "Feature" || f.Geometry.Type != "Polygon" || f.Properties["cell"] != cells[i].Cell ||
			len(ring) != 7 || ring[0] != ring[6] || ring[0][0] < 4 || ring[0][0] > 6 || ring[0][1] < 52 || ring[0][1] > 53 {
			t.Errorf("feature %d: %+v (centre %v)", i, f, centre)
		}
	}
	// No epoch closed yet: the name says so.
	e := newWorld(t, "")
	rec = e.do(http.MethodGet, "/api/v1/coverage?res=3&format=geojson", nil)
	if d := rec.Header().Get("Content-Disposition"); d != `attachment; filename="hexnet-coverage-res-3.geojson"` {
		t.Errorf("Content-Disposition %q", d)
	}
}

func mustCell(t *testing.T, s string) geo.Cell {
	t.Helper()
	c, err := geo.ParseCell(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCoverageBadInput(t *testing.T) {
	w := newWorld(t, "")
	for _, q := range []struct {
		query string
		code  int
	}{
		{"", http.StatusBadRequest},
		{"res=", http.StatusBadRequest},
		{"res=13", http.StatusBadRequest},
		{"res=15", http.StatusBadRequest},
		{"res=-1", http.StatusBadRequest},
		{"res=99999999999999999999", http.StatusBadRequest},
		{"res=abc", http.StatusBadRequest},
		{"res=1.5", http.StatusBadRequest},
		{"res=8&bbox=1,2,3", http.StatusBadRequest},
		{"res=8&bbox=1,2,3,4,5", http.StatusBadRequest},
		{"res=8&bbox=a,b,c,d", http.StatusBadRequest},
		{"res=8&bbox=", http.StatusBadRequest},
		{"res=8&bbox=0,0,200,1", http.StatusBadRequest},
		{"res=8&bbox=-181,0,1,1", http.StatusBadRequest},
		{"res=8&bbox=0,-91,1,1", http.StatusBadRequest},
		{"res=8&bbox=0,10,1,5", http.StatusBadRequest},
		{"res=8&bbox=NaN,0,1,1", http.StatusBadRequest},
		{"res=8&bbox=0,0,Inf,1", http.StatusBadRequest},
		{"res=8&epoch=abc", http.StatusBadRequest},
		{"res=8&epoch=-1", http.StatusBadRequest},
		{"res=8&bbox=0,5,1,5", http.StatusBadRequest}, // minLat = maxLat
		{"res=4", http.StatusBadRequest},              // the whole world at res 4: ~290,000 cells
		{"res=8", http.StatusBadRequest},
		{"res=12&bbox=" + boxAmsterdam, http.StatusBadRequest},
		{"res=10&bbox=" + boxEurope, http.StatusBadRequest},
		{"res=5&bbox=-180,-90,180,90", http.StatusBadRequest},
		{"res=3&format=xml", http.StatusBadRequest},
		{"res=3&format=", http.StatusBadRequest},
		{"res=3&format=GEOJSON", http.StatusBadRequest},
		{"res=8&epoch=4000&bbox=" + boxAmsterdam, http.StatusNotFound},
	} {
		t.Run(q.query, func(t *testing.T) {
			t.Log(expectError(t, w.do(http.MethodGet, "/api/v1/coverage?"+q.query, nil), q.code))
		})
	}
	msg := expectError(t, w.do(http.MethodGet, "/api/v1/coverage?res=12&bbox="+boxAmsterdam, nil), http.StatusBadRequest)
	if !strings.HasPrefix(msg, "the box holds about ") || !strings.HasSuffix(msg, " res-12 cells; use res <= 10 or a smaller box") {
		t.Errorf("message %q", msg)
	}
}
