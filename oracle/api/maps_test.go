package api_test

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

var (
	cellFields        = []string{"cell", "res", "epoch", "center", "boundary", "hotspots", "valid_witnesses", "best_rssi", "median_rssi", "last_proof_at", "witnesses", "witnesses_truncated"}
	cellHotspotFields = []string{"address", "name", "status", "lat", "lng", "valid_witnesses", "best_rssi"}
	cellWitnessFields = []string{"report_id", "witness", "witness_name", "beaconer", "beaconer_name", "rssi", "snr", "heard_at", "received_at"}
)

func TestCell(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	w.online(w.b, true)
	bCell := mustParent(t, cellAt(t, 52.3900, 4.9200), 8)

	var raw map[string]any
	rec := w.get("/api/v1/cells/"+bCell, http.StatusOK, &raw)
	expectKeys(t, "cell", raw, cellFields...)
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q: statuses are live", cc)
	}
	hs := raw["hotspots"].([]any)
	ws := raw["witnesses"].([]any)
	if len(hs) != 1 || len(ws) != 1 {
		t.Fatalf("cell of b: %v", raw)
	}
	expectKeys(t, "cell hotspot", hs[0].(map[string]any), cellHotspotFields...)
	expectKeys(t, "cell witness", ws[0].(map[string]any), cellWitnessFields...)

	var got struct {
		Cell     string  `json:"cell"`
		Res      int     `json:"res"`
		Epoch    *uint64 `json:"epoch"`
		Center   struct{ Lat, Lng float64 }
		Boundary [][2]float64
		Hotspots []struct {
			Address, Name, Status string
			Lat, Lng              float64
			ValidWitnesses        int      `json:"valid_witnesses"`
			BestRSSI              *float64 `json:"best_rssi"`
		}
		ValidWitnesses int        `json:"valid_witnesses"`
		BestRSSI       *float64   `json:"best_rssi"`
		MedianRSSI     *float64   `json:"median_rssi"`
		LastProofAt    *time.Time `json:"last_proof_at"`
		Witnesses      []struct {
			ReportID     string `json:"report_id"`
			Witness      string
			WitnessName  string  `json:"witness_name"`
			Beaconer     *string `json:"beaconer"`
			BeaconerName *string `json:"beaconer_name"`
			RSSI, SNR    float64
			HeardAt      time.Time `json:"heard_at"`
			ReceivedAt   time.Time `json:"received_at"`
		}
		Truncated bool `json:"witnesses_truncated"`
	}
	w.get("/api/v1/cells/"+bCell, http.StatusOK, &got)
	centre := geo.Cell(mustCell(t, bCell)).Center()
	if got.Cell != bCell || got.Res != 8 || got.Epoch == nil || *got.Epoch != 0 || got.Center.Lat != centre.Lat ||
		len(got.Boundary) != 7 || got.Boundary[0] != got.Boundary[6] {
		t.Errorf("cell geometry %+v", got)
	}
	h := got.Hotspots[0]
	if h.Address != w.b.addr().String() || h.Name != hotspotname.Of(w.b.addr()) || h.Status != "online" ||
		h.ValidWitnesses != 1 || h.BestRSSI == nil || *h.BestRSSI != -97.5 {
		t.Errorf("hotspot %+v", h)
	}
	if got.ValidWitnesses != 1 || *got.BestRSSI != -97.5 || *got.MedianRSSI != -97.5 || !got.LastProofAt.Equal(w.good.ReceivedAt) || got.Truncated {
		t.Errorf("tallies %+v", got)
	}
	wit := got.Witnesses[0]
	if wit.ReportID != hex.EncodeToString(w.good.ID[:]) || wit.Witness != w.b.addr().String() ||
		wit.WitnessName != hotspotname.Of(w.b.addr()) || wit.Beaconer == nil || *wit.Beaconer != w.a.addr().String() ||
		*wit.BeaconerName != hotspotname.Of(w.a.addr()) || wit.RSSI != -97.5 || wit.SNR != 6.5 ||
		!wit.ReceivedAt.Equal(w.good.ReceivedAt) || wit.HeardAt.IsZero() {
		t.Errorf("witness %+v", wit)
	}

	// c's witness was invalid: its cell is listed, unproven.
	var unproven map[string]any
	w.get("/api/v1/cells/"+mustParent(t, cellAt(t, 52.35, 4.87), 12), http.StatusOK, &unproven)
	for k, want := range map[string]any{"valid_witnesses": 0.0, "best_rssi": nil, "median_rssi": nil, "last_proof_at": nil,
		"witnesses": []any{}, "witnesses_truncated": false} {
		if diff := cmp.Diff(want, unproven[k]); diff != "" {
			t.Errorf("unproven cell %s (-want +got):\n%s", k, diff)
		}
	}
	// A cell where no hotspot stands, in the open epoch.
	w.openEpoch(1)
	var empty map[string]any
	w.get("/api/v1/cells/"+mustParent(t, cellAt(t, -33.86, 151.2), 6)+"?epoch=1", http.StatusOK, &empty)
	if empty["epoch"] != 1.0 || len(empty["hotspots"].([]any)) != 0 || empty["valid_witnesses"] != 0.0 {
		t.Errorf("empty cell %v", empty)
	}
}

func TestCellBeforeAnyClose(t *testing.T) {
	w := newWorld(t, "")
	var got map[string]any
	w.get("/api/v1/cells/"+mustParent(t, cellAt(t, 52.3702, 4.8952), 12), http.StatusOK, &got)
	if got["epoch"] != nil || len(got["hotspots"].([]any)) != 1 || got["valid_witnesses"] != 0.0 {
		t.Errorf("cell before any close: %v", got)
	}
}

func TestCellBadInput(t *testing.T) {
	w := newWorld(t, "")
	res4 := mustParent(t, cellAt(t, 52.37, 4.89), 4)
	res13, err := geo.CellOf(geo.Point{Lat: 52.37, Lng: 4.89}, 13)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/cells/xyz", http.StatusBadRequest},
		{"/api/v1/cells/ffffffffffffffff", http.StatusBadRequest},
		{"/api/v1/cells/1234", http.StatusBadRequest},
		{"/api/v1/cells/" + res4, http.StatusBadRequest},
		{"/api/v1/cells/" + res13.String(), http.StatusBadRequest},
		{"/api/v1/cells/88196953fffffff0", http.StatusBadRequest},
		{"/api/v1/cells/" + mustParent(t, cellAt(t, 52.37, 4.89), 8) + "?epoch=x", http.StatusBadRequest},
		{"/api/v1/cells/" + mustParent(t, cellAt(t, 52.37, 4.89), 8) + "?epoch=4000", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) { t.Log(expectError(t, w.do(http.MethodGet, tc.path, nil), tc.code)) })
	}
}

func TestSearch(t *testing.T) {
	w := newWorld(t, "")
	for range 40 {
		w.register(newHotspot(t), 52.37, 4.89)
	}
	hs, err := w.store.ListOnboarded(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Hotspots  []map[string]any `json:"hotspots"`
		Truncated bool             `json:"truncated"`
	}
	names := func(r result) []string {
		var out []string
		for _, h := range r.Hotspots {
			out = append(out, h["name"].(string))
		}
		return out
	}

	// By the exact name, however written: that hotspot first.
	name := hotspotname.Of(w.a.addr())
	var got result
	w.get("/api/v1/search?q="+url.QueryEscape("  "+strings.ToUpper(strings.ReplaceAll(name, "-", " _ "))+" "), http.StatusOK, &got)
	if len(got.Hotspots) == 0 || got.Hotspots[0]["address"] != w.a.addr().String() || got.Truncated {
		t.Fatalf("search by name %q: %v", name, got)
	}
	expectKeys(t, "found hotspot", got.Hotspots[0], hotspotFields...)

	// By an address prefix, case as written.
	addr := w.b.addr().String()
	w.get("/api/v1/search?q="+addr[:8], http.StatusOK, &got)
	if len(got.Hotspots) != 1 || got.Hotspots[0]["address"] != addr {
		t.Errorf("search by address prefix: %v", got)
	}
	w.get("/api/v1/search?q="+addr, http.StatusOK, &got)
	if len(got.Hotspots) != 1 {
		t.Errorf("search by address: %v", got)
	}

	// The most common two-letter start of a name: sorted by name, truncated at limit.
	count := map[string]int{}
	for _, h := range hs {
		count[hotspotname.Of(h.Address)[:2]]++
	}
	prefix := ""
	for p, n := range count {
		if n > count[prefix] || (n == count[prefix] && p < prefix) {
			prefix = p
		}
	}
	if count[prefix] < 2 {
		t.Skipf("no two names share a start among %d", len(hs))
	}
	var want []string
	for _, h := range hs {
		if n := hotspotname.Of(h.Address); strings.HasPrefix(n, prefix) {
			want = append(want, n)
		}
	}
	w.get("/api/v1/search?q="+prefix, http.StatusOK, &got)
	if len(got.Hotspots) != len(want) || got.Truncated || !sortedStrings(names(got)) {
		t.Errorf("search %q: %v, want %d sorted by name", prefix, names(got), len(want))
	}
	w.get("/api/v1/search?q="+prefix+"&limit="+strconv.Itoa(len(want)-1), http.StatusOK, &got)
	if len(got.Hotspots) != len(want)-1 || !got.Truncated {
		t.Errorf("search %q limited: %d, truncated %v", prefix, len(got.Hotspots), got.Truncated)
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}

func TestSearchBadInput(t *testing.T) {
	e := newEnv(t, "")
	for _, q := range []string{"", "q=", "q=a", "q=%20a%20", "q=" + strings.Repeat("x", 101), "q=ab&limit=0",
		"q=ab&limit=101", "q=ab&limit=x", "q=ab&limit=-1"} {
		t.Run(q, func(t *testing.T) {
			t.Log(expectError(t, e.do(http.MethodGet, "/api/v1/search?"+q, nil), http.StatusBadRequest))
		})
	}
	var got map[string]any
	e.get("/api/v1/search?q="+strings.Repeat("x", 100), http.StatusOK, &got)
	if diff := cmp.Diff(map[string]any{"hotspots": []any{}, "truncated": false}, got); diff != "" {
		t.Errorf("no match (-want +got):\n%s", diff)
	}
}

func TestRewards(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	w.openEpoch(1)
	for i, tx := range []struct {
		sig     string
		status  oracle.TxStatus
		entries []identity.Address
	}{
		{"sigA", oracle.TxConfirmed, []identity.Address{w.a.addr()}},
		{"sigB", oracle.TxConfirmed, []identity.Address{w.b.addr()}},
		{"sigC", oracle.TxSent, []identity.Address{w.a.addr()}},
	} {
		if err := w.store.SaveRewardTx(w.ctx, oracle.RewardTx{Epoch: 0, Index: i, Signature: tx.sig, Raw: []byte{1},
			Entries: tx.entries, Status: tx.status, UpdatedAt: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var got map[string]any
	rec := w.get("/api/v1/hotspots/"+w.a.addr().String()+"/rewards", http.StatusOK, &got)
	want := map[string]any{"address": w.a.addr().String(), "name": hotspotname.Of(w.a.addr()), "rewards": []any{
		map[string]any{"epoch": 0.0, "status": "closed", "beacon_units": 600.0, "witness_units": 0.0, "data_units": 5.0,
			"amount": 605.0, "signatures": []any{"sigA"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rewards of a (-want +got):\n%s", diff)
	}
	if !strings.Contains(rec.Body.String(), `"amount":605,`) {
		t.Errorf("amount is not a JSON integer: %s", rec.Body)
	}
	if err := w.store.MarkPaid(w.ctx, 0); err != nil {
		t.Fatal(err)
	}
	w.get("/api/v1/hotspots/"+w.b.addr().String()+"/rewards?limit=1", http.StatusOK, &got)
	rw := got["rewards"].([]any)
	if len(rw) != 1 || rw[0].(map[string]any)["status"] != "paid" || rw[0].(map[string]any)["amount"] != 2400.0 {
		t.Errorf("rewards of b: %v", got)
	}
	w.get("/api/v1/hotspots/"+w.c.addr().String()+"/rewards", http.StatusOK, &got)
	if diff := cmp.Diff([]any{}, got["rewards"]); diff != "" {
		t.Errorf("c earned nothing (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/hotspots/bad/rewards", http.StatusBadRequest},
		{"/api/v1/hotspots/" + newKey(t).Address().String() + "/rewards", http.StatusNotFound},
		{"/api/v1/hotspots/" + w.a.addr().String() + "/rewards?limit=0", http.StatusBadRequest},
		{"/api/v1/hotspots/" + w.a.addr().String() + "/rewards?limit=101", http.StatusBadRequest},
	} {
		t.Run(tc.path, func(t *testing.T) { t.Log(expectError(t, w.do(http.MethodGet, tc.path, nil), tc.code)) })
	}
}

func TestListHotspotsBoxAndLimit(t *testing.T) {
	w := newWorld(t, "")
	w.register(newHotspot(t), 48.8566, 2.3522)
	expect(t, w.do(http.MethodPost, "/api/v1/hotspots", w.onboardBody(newHotspot(t))), http.StatusCreated, nil)
	var list []map[string]any
	rec := w.get("/api/v1/hotspots", http.StatusOK, &list)
	if len(list) != 5 || rec.Header().Get("Hexnet-Truncated") != "false" {
		t.Errorf("all: %d, truncated %q", len(list), rec.Header().Get("Hexnet-Truncated"))
	}
	w.get("/api/v1/hotspots?bbox="+boxAmsterdam, http.StatusOK, &list)
	if len(list) != 3 {
		t.Errorf("Amsterdam: %d hotspots, want 3", len(list))
	}
	for _, h := range list {
		if h["name"] != hotspotname.Of(identity.Address(h["address"].(string))) {
			t.Errorf("name %v of %v", h["name"], h["address"])
		}
	}
	rec = w.get("/api/v1/hotspots?bbox="+boxAmsterdam+"&limit=2", http.StatusOK, &list)
	if len(list) != 2 || rec.Header().Get("Hexnet-Truncated") != "true" {
		t.Errorf("limited: %d, truncated %q", len(list), rec.Header().Get("Hexnet-Truncated"))
	}
	for _, q := range []string{"limit=0", "limit=5001", "limit=x", "bbox=1,2,3", "bbox=0,5,1,5"} {
		t.Run(q, func(t *testing.T) {
			t.Log(expectError(t, w.do(http.MethodGet, "/api/v1/hotspots?"+q, nil), http.StatusBadRequest))
		})
	}
}

// TestCellWitnessesTruncated: a cell's witness list holds the newest 100
// valid reports, newest first, across its hotspots.
func TestCellWitnessesTruncated(t *testing.T) {
	e := newEnv(t, "")
	beaconer := newHotspot(t)
	e.register(beaconer, 52.30, 4.80)
	hs := []hotspot{newHotspot(t), newHotspot(t), newHotspot(t)}
	for _, h := range hs {
		e.register(h, 52.3702, 4.8952)
	}
	e.openEpoch(0)
	payload := []byte("beacon-payload")
	beacon := e.beaconReport(beaconer, payload, 0)
	reports := []oracle.Report{beacon}
	verdicts := []oracle.Verdict{{ReportID: beacon.ID, Epoch: 0, Kind: oracle.KindBeacon, Hotspot: beaconer.addr(), Valid: true, Reason: "valid"}}
	var rssi []float64
	for i := range 120 {
		e.clock.Advance(time.Second)
		r := float32(-130 + i/2)
		w := e.witnessReport(hs[i%3], payload, r, 0)
		reports = append(reports, w)
		rssi = append(rssi, float64(r))
		verdicts = append(verdicts, oracle.Verdict{ReportID: w.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.Hotspot,
			BeaconID: beacon.ID, Valid: true, Selected: true, Reason: "valid"})
	}
	e.addReports(reports...)
	e.closeEpoch(0, make([]byte, 32), nil, verdicts)

	var got struct {
		ValidWitnesses int      `json:"valid_witnesses"`
		MedianRSSI     *float64 `json:"median_rssi"`
		Witnesses      []struct {
			RSSI       float64   `json:"rssi"`
			ReceivedAt time.Time `json:"received_at"`
			Beaconer   string    `json:"beaconer"`
		} `json:"witnesses"`
		Truncated bool `json:"witnesses_truncated"`
	}
	e.get("/api/v1/cells/"+mustParent(t, cellAt(t, 52.3702, 4.8952), 10), http.StatusOK, &got)
	if got.ValidWitnesses != 120 || !got.Truncated || len(got.Witnesses) != 100 {
		t.Fatalf("%d valid, %d listed, truncated %v", got.ValidWitnesses, len(got.Witnesses), got.Truncated)
	}
	if *got.MedianRSSI != (rssi[59]+rssi[60])/2 {
		t.Errorf("median %v, want %v", *got.MedianRSSI, (rssi[59]+rssi[60])/2)
	}
	for i, w := range got.Witnesses {
		if w.RSSI != rssi[119-i] || w.Beaconer != beaconer.addr().String() {
			t.Fatalf("witness %d: %+v, want the %dth newest (RSSI %v)", i, w, i+1, rssi[119-i])
		}
	}
}
