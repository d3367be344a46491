package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), &env{stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func keyFile(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	code, out, errOut := cli(t, "keygen", "--out", path)
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, errOut)
	}
	return path, strings.TrimSpace(out)
}

// TestOwnerOnboardsAndAsserts drives the owner commands against a real
// oracle API over a real store.
func TestOwnerOnboardsAndAsserts(t *testing.T) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "oracle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, Schedule: oracle.Schedule{Genesis: time.Now(), Length: time.Minute, Grace: time.Second},
		Regions: func(r string) bool { return r == "EU868" }, Clock: clock.Real{}, Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	dir := t.TempDir()
	owner, _ := keyFile(t, dir, "owner.json")
	hotspotKey, hotspot := keyFile(t, dir, "hotspot.json")
	if code, _, errOut := cli(t, "hotspot", "onboard", "--owner-key", owner, "--hotspot-key", hotspotKey, "--api", srv.URL); code != 0 {
		t.Fatalf("onboard: exit %d: %s", code, errOut)
	}
	if code, _, errOut := cli(t, "hotspot", "onboard", "--owner-key", owner, "--hotspot-key", hotspotKey, "--api", srv.URL); code != 1 || !strings.Contains(errOut, "409") {
		t.Errorf("onboarding twice: exit %d: %s", code, errOut)
	}
	args := []string{"hotspot", "assert-location", "--owner-key", owner, "--hotspot", hotspot, "--lat", "47.3769", "--lng", "8.5417", "--gain", "4.5", "--api", srv.URL}
	if code, _, errOut := cli(t, args...); code != 0 {
		t.Fatalf("assert-location: exit %d: %s", code, errOut)
	}
	resp, err := http.Get(srv.URL + "/api/v1/hotspots")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var hs []struct {
		Address string   `json:"address"`
		Lat     *float64 `json:"lat"`
		Gain    *float64 `json:"gain_dbi"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&hs); err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || hs[0].Address != hotspot || hs[0].Lat == nil || *hs[0].Lat < 47.37 || *hs[0].Lat > 47.38 || hs[0].Gain == nil || *hs[0].Gain != 4.5 {
		t.Errorf("hotspots after onboarding: %+v", hs)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{"keygen"},
		{"hotspot", "onboard"},
		{"hotspot", "assert-location", "--hotspot", "nope"},
		{"epoch", "verify"},
		{"epoch", "verify", "x"},
		{"epoch", "verify", "3", "--db", "sqlite://x.db"},
		{"no-such-command"},
	}
	for _, args := range cases {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("hexnet %v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := cli(t, "help"); code != 0 || !strings.Contains(errOut, "epoch verify") {
		t.Errorf("help: exit %d\n%s", code, errOut)
	}
}
