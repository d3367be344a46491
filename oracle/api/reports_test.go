package api_test

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/poc"
)

// world is epoch 0 with one beacon by a, witnessed validly by b and
// invalidly (too strong) by c, then closed with a manifest.
type world struct {
	*env
	a, b, c             hotspot
	beacon, good, wrong oracle.Report
	root                []byte
	manifest            []oracle.ManifestEntry
}

func newWorld(t testing.TB, mint string) *world {
	w := &world{env: newEnv(t, mint), a: newHotspot(t), b: newHotspot(t), c: newHotspot(t)}
	w.register(w.a, 52.3702, 4.8952)
	w.register(w.b, 52.3900, 4.9200)
	w.register(w.c, 52.3500, 4.8700)
	w.openEpoch(0)
	payload := bytes.Repeat([]byte{7}, 12)
	w.beacon = w.beaconReport(w.a, payload, 0)
	w.clock.Advance(time.Second)
	w.good = w.witnessReport(w.b, payload, -97.5, 0)
	w.wrong = w.witnessReport(w.c, payload, -20, 0)
	w.addReports(w.beacon, w.good, w.wrong)
	w.root = bytes.Repeat([]byte{0xab}, 32)
	w.manifest = []oracle.ManifestEntry{
		{Hotspot: w.a.addr(), Owner: w.a.owner.Address(), Beacon: 600, Data: 5, Total: 605},
		{Hotspot: w.b.addr(), Owner: w.b.owner.Address(), Witness: 2400, Total: 2400},
	}
	return w
}

func (w *world) verdicts() []oracle.Verdict {
	return []oracle.Verdict{
		{ReportID: w.beacon.ID, Epoch: 0, Kind: oracle.KindBeacon, Hotspot: w.a.addr(), Valid: true, Reason: "valid"},
		{ReportID: w.good.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.b.addr(), BeaconID: w.beacon.ID,
			Valid: true, Selected: true, Reason: "valid"},
		{ReportID: w.wrong.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.c.addr(), BeaconID: w.beacon.ID,
			Reason: "rssi_too_strong", Detail: "RSSI -20.0 dBm, at most -61.2 dBm possible at 2.4 km"},
	}
}

func (w *world) close() { w.closeEpoch(0, w.root, w.manifest, w.verdicts()) }

var (
	reportFields  = []string{"id", "received_at", "valid", "reason", "explanation"}
	beaconFields  = append([]string{"round", "frequency_hz", "data_rate", "power_dbm", "tx_error", "tx_at"}, reportFields...)
	witnessFields = append([]string{"selected", "beacon_id", "rssi", "snr", "frequency_hz", "data_rate", "heard_at"}, reportFields...)
)

func TestReportsPendingWhileOpen(t *testing.T) {
	w := newWorld(t, "")
	for _, path := range []string{"/reports", "/reports?epoch=0"} { // the default is the current epoch, 0
		var got map[string]any
		rec := w.get("/api/v1/hotspots/"+w.a.addr().String()+path, http.StatusOK, &got)
		expectKeys(t, "reports", got, "epoch", "status", "beacons", "witnesses")
		if got["epoch"] != 0.0 || got["status"] != "open" {
			t.Errorf("epoch %v status %v", got["epoch"], got["status"])
		}
		bs := got["beacons"].([]any)
		if len(bs) != 1 || len(got["witnesses"].([]any)) != 0 {
			t.Fatalf("beacons %v witnesses %v", bs, got["witnesses"])
		}
		b := bs[0].(map[string]any)
		expectKeys(t, "beacon", b, beaconFields...)
		if b["valid"] != nil || b["reason"] != "pending" || !strings.Contains(b["explanation"].(string), "open") {
			t.Errorf("pending beacon %v", b)
		}
		if b["id"] != hex.EncodeToString(w.beacon.ID[:]) || b["frequency_hz"] != 867_900_000.0 || b["data_rate"] != "SF9BW125" ||
			b["power_dbm"] != 11.0 || b["tx_error"] != "NONE" || b["round"] != 7.0 {
			t.Errorf("beacon fields %v", b)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("open epoch Cache-Control %q", cc)
		}
	}
	var wit map[string]any
	w.get("/api/v1/hotspots/"+w.b.addr().String()+"/reports", http.StatusOK, &wit)
	ws := wit["witnesses"].([]any)
	if len(ws) != 1 {
		t.Fatalf("witnesses %v", ws)
	}
	one := ws[0].(map[string]any)
	expectKeys(t, "witness", one, witnessFields...)
	if one["valid"] != nil || one["selected"] != nil || one["beacon_id"] != nil || one["reason"] != "pending" {
		t.Errorf("pending witness %v", one)
	}
}

func TestReportsJudgedOnceClosed(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	w.openEpoch(1)

	var got map[string]any
	rec := w.get("/api/v1/hotspots/"+w.c.addr().String()+"/reports?epoch=0", http.StatusOK, &got)
	if got["status"] != "closed" {
		t.Errorf("status %v", got["status"])
	}
	wit := got["witnesses"].([]any)[0].(map[string]any)
	expectKeys(t, "witness", wit, witnessFields...)
	beaconID := hex.EncodeToString(w.beacon.ID[:])
	if wit["valid"] != false || wit["selected"] != false || wit["reason"] != "rssi_too_strong" || wit["beacon_id"] != beaconID ||
		wit["rssi"] != -20.0 || wit["snr"] != 6.5 || wit["frequency_hz"] != 867_900_000.0 || wit["data_rate"] != "SF9BW125" {
		t.Errorf("judged witness %v", wit)
	}
	if ex := wit["explanation"].(string); !strings.Contains(ex, "-61.2 dBm") || !strings.HasPrefix(ex, poc.RSSITooStrong.Explain()) {
		t.Errorf("explanation %q should say what the reason means and carry the verdict's numbers", ex)
	}

	w.get("/api/v1/hotspots/"+w.b.addr().String()+"/reports?epoch=0", http.StatusOK, &got)
	if wit := got["witnesses"].([]any)[0].(map[string]any); wit["valid"] != true || wit["selected"] != true || wit["reason"] != "valid" {
		t.Errorf("valid witness %v", wit)
	}

	// A closed epoch's answer is cacheable and revalidates to 304.
	if cc := rec.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("closed epoch Cache-Control %q", cc)
	}
	tag := rec.Header().Get("ETag")
	path := "/api/v1/hotspots/" + w.c.addr().String() + "/reports?epoch=0"
	if again := w.do(http.MethodGet, path, nil, "If-None-Match", tag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: status %d, body %q", tag, again.Code, again.Body)
	}
	if other := w.do(http.MethodGet, path, nil, "If-None-Match", `"other"`); other.Code != http.StatusOK {
		t.Errorf("stale If-None-Match: status %d", other.Code)
	}

	// The current epoch (1) is the default and holds nothing yet.
	w.get("/api/v1/hotspots/"+w.c.addr().String()+"/reports", http.StatusOK, &got)
	if got["epoch"] != 1.0 || got["status"] != "open" || len(got["witnesses"].([]any)) != 0 {
		t.Errorf("current epoch reports %v", got)
	}
}

func TestReportsBadEpoch(t *testing.T) {
	w := newWorld(t, "")
	base := "/api/v1/hotspots/" + w.a.addr().String() + "/reports?epoch="
	for _, tc := range []struct {
		epoch string
		code  int
	}{
		{"abc", http.StatusBadRequest},
		{"-1", http.StatusBadRequest},
		{"1.5", http.StatusBadRequest},
		{"", http.StatusBadRequest},
		{"18446744073709551615", http.StatusBadRequest}, // above the largest storable epoch
		{"999", http.StatusNotFound},                    // has not started
	} {
		t.Run(tc.epoch, func(t *testing.T) { t.Log(expectError(t, w.do(http.MethodGet, base+tc.epoch, nil), tc.code)) })
	}
}
