package api_test

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
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
		}
	}
	out := []coverageCell{}
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
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
	rec := w.get("/api/v1/coverage?res=8", http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 8, hs, nil), got); diff != "" {
		t.Errorf("coverage before any close (-want +got):\n%s", diff)
	}
	if h := rec.Header().Get("Hexnet-Epoch"); h != "" {
		t.Errorf("Hexnet-Epoch %q before any epoch closed", h)
	}

	w.close()
	w.openEpoch(1)
	valid := map[string][]float64{w.b.addr().String(): {-97.5}}
	for _, res := range []int{0, 5, 8, 10, 12} {
		rec = w.get("/api/v1/coverage?res="+strconv.Itoa(res), http.StatusOK, &got)
		if diff := cmp.Diff(expected(t, res, hs, valid), got); diff != "" {
			t.Errorf("res %d (-want +got):\n%s", res, diff)
		}
		if h := rec.Header().Get("Hexnet-Epoch"); h != "0" {
			t.Errorf("Hexnet-Epoch %q, want the latest closed epoch 0", h)
		}
	}
	var raw []map[string]any
	w.get("/api/v1/coverage?res=12", http.StatusOK, &raw)
	for _, c := range raw {
		expectKeys(t, "coverage cell", c, "cell", "hotspots", "valid_witnesses", "best_rssi")
	}

	// The open epoch has proven nothing yet.
	w.get("/api/v1/coverage?res=8&epoch=1", http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 8, hs, nil), got); diff != "" {
		t.Errorf("open epoch (-want +got):\n%s", diff)
	}

	// A box around Amsterdam leaves Paris out; one across the antimeridian holds nothing.
	var amsterdam []oracle.HotspotInfo
	for _, h := range hs {
		if h.Address != paris.addr() {
			amsterdam = append(amsterdam, h)
		}
	}
	w.get("/api/v1/coverage?res=8&epoch=0&bbox="+url.QueryEscape("4.5,52.0,5.5,52.8"), http.StatusOK, &got)
	if diff := cmp.Diff(expected(t, 8, amsterdam, valid), got); diff != "" {
		t.Errorf("bbox (-want +got):\n%s", diff)
	}
	w.get("/api/v1/coverage?res=8&bbox=170,-10,-170,10", http.StatusOK, &got)
	if len(got) != 0 || got == nil {
		t.Errorf("antimeridian box: %v, want []", got)
	}
	// A res-0 cell is kept when one of its hotspots is inside the box, even if its centre is not.
	w.get("/api/v1/coverage?res=0&bbox=4.8,52.3,5.0,52.4", http.StatusOK, &got)
	if len(got) != 1 || got[0].Hotspots != 3 || got[0].ValidWitnesses != 1 {
		t.Errorf("coarse cell cut by the box: %v", got)
	}
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
		{"res=8&epoch=4000", http.StatusNotFound},
	} {
		t.Run(q.query, func(t *testing.T) {
			t.Log(expectError(t, w.do(http.MethodGet, "/api/v1/coverage?"+q.query, nil), q.code))
		})
	}
}
