package api_test

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

var epochFields = []string{"epoch", "start", "end", "status", "root", "signatures"}

func TestEpochsLifecycle(t *testing.T) {
	w := newWorld(t, "")
	var list []map[string]any
	w.get("/api/v1/epochs", http.StatusOK, &list)
	if len(list) != 1 {
		t.Fatalf("epochs %v", list)
	}
	expectKeys(t, "epoch", list[0], epochFields...)
	want := map[string]any{"epoch": 0.0, "start": "2026-03-01T00:00:00Z", "end": "2026-03-01T01:00:00Z",
		"status": "open", "root": nil, "signatures": []any{}}
	if diff := cmp.Diff(want, list[0]); diff != "" {
		t.Errorf("open epoch (-want +got):\n%s", diff)
	}

	w.close()
	w.openEpoch(1)
	for i, status := range []oracle.TxStatus{oracle.TxConfirmed, oracle.TxSent, oracle.TxConfirmed} {
		if err := w.store.SaveRewardTx(w.ctx, oracle.RewardTx{Epoch: 0, Index: i, Signature: "sig" + string(rune('A'+i)),
			Raw: []byte{1}, Entries: []identity.Address{w.a.addr()}, Status: status, UpdatedAt: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w.get("/api/v1/epochs", http.StatusOK, &list)
	if len(list) != 2 {
		t.Fatalf("epochs %v", list)
	}
	want["status"], want["root"], want["signatures"] = "closed", hex.EncodeToString(w.root), []any{"sigA", "sigC"}
	if diff := cmp.Diff(want, list[0]); diff != "" {
		t.Errorf("closed epoch (-want +got):\n%s", diff)
	}
	if list[1]["status"] != "open" || list[1]["epoch"] != 1.0 {
		t.Errorf("second epoch %v", list[1])
	}

	if err := w.store.MarkPaid(w.ctx, 0); err != nil {
		t.Fatal(err)
	}
	var one map[string]any
	rec := w.get("/api/v1/epochs/0", http.StatusOK, &one)
	expectKeys(t, "epoch detail", one, append(epochFields, "closed_at", "counts")...)
	if one["status"] != "paid" || one["closed_at"] == nil {
		t.Errorf("paid epoch %v", one)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Errorf("paid epoch Cache-Control %q", cc)
	}
	wantCounts := map[string]any{
		"beacons":   map[string]any{"reports": 1.0, "valid": 1.0, "invalid": map[string]any{}},
		"witnesses": map[string]any{"reports": 2.0, "valid": 1.0, "selected": 1.0, "invalid": map[string]any{"rssi_too_strong": 1.0}},
	}
	if diff := cmp.Diff(wantCounts, one["counts"]); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}

	w.get("/api/v1/epochs/1", http.StatusOK, &one)
	if one["status"] != "open" || one["root"] != nil || one["closed_at"] != nil {
		t.Errorf("open epoch detail %v", one)
	}
}

func TestManifest(t *testing.T) {
	mint := newKey(t).Address().String()
	w := newWorld(t, mint)
	t.Log(expectError(t, w.do(http.MethodGet, "/api/v1/epochs/0/manifest", nil), http.StatusNotFound)) // open
	w.close()

	var got map[string]any
	rec := w.get("/api/v1/epochs/0/manifest", http.StatusOK, &got)
	entry := func(m oracle.ManifestEntry) map[string]any {
		return map[string]any{"hotspot": m.Hotspot.String(), "owner": m.Owner.String(), "beacon": float64(m.Beacon),
			"witness": float64(m.Witness), "data": float64(m.Data), "total": float64(m.Total)}
	}
	want := map[string]any{"epoch": 0.0, "root": hex.EncodeToString(w.root), "mint": mint, "entries": []any{}}
	for _, m := range w.manifest {
		want["entries"] = append(want["entries"].([]any), entry(m))
	}
	// The store sorts by hotspot address.
	es := want["entries"].([]any)
	if es[0].(map[string]any)["hotspot"].(string) > es[1].(map[string]any)["hotspot"].(string) {
		es[0], es[1] = es[1], es[0]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	// Amounts are JSON integers, not floats.
	if strings.Contains(rec.Body.String(), ".0") || !strings.Contains(rec.Body.String(), `"total":605`) {
		t.Errorf("manifest amounts not integers: %s", rec.Body)
	}
	if rec.Header().Get("ETag") == "" || rec.Header().Get("Cache-Control") != "public, max-age=86400" {
		t.Errorf("manifest caching headers %v", rec.Header())
	}
}

func TestManifestWithoutMint(t *testing.T) {
	w := newWorld(t, "")
	w.close()
	var got map[string]any
	w.get("/api/v1/epochs/0/manifest", http.StatusOK, &got)
	if v, ok := got["mint"]; !ok || v != nil {
		t.Errorf("mint %v (present %v), want null", v, ok)
	}
}

func TestEpochBadInput(t *testing.T) {
	w := newWorld(t, "")
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/epochs/x", http.StatusBadRequest},
		{"/api/v1/epochs/-3", http.StatusBadRequest},
		{"/api/v1/epochs/99999999999999999999", http.StatusBadRequest},
		{"/api/v1/epochs/500", http.StatusNotFound},
		{"/api/v1/epochs/x/manifest", http.StatusBadRequest},
		{"/api/v1/epochs/500/manifest", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) { t.Log(expectError(t, w.do(http.MethodGet, tc.path, nil), tc.code)) })
	}
}
