package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/config"
)

// TestDevnetEndToEnd runs the whole network for a few seconds: every data
// frame the simulation says a hotspot heard must reach the application
// topic exactly once with the payload the device sent, and every OTAA
// device must join.
func TestDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end devnet run skipped in -short mode")
	}
	t.Parallel()
	sum := runDevnet(t, "--hotspots", "10", "--devices", "20", "--seed", "7", "--for", "14s",
		"--uplink-interval", "3s", "--progress", "5s")
	checks := []struct {
		what      string
		got, want int64
	}{
		{"frames missing at the application", int64(sum.Missing), 0},
		{"payloads that differ from what the device sent", int64(sum.Mismatched), 0},
		{"frames delivered twice", int64(sum.Duplicates), 0},
		{"data frames heard vs delivered", int64(sum.DataFramesHeard), int64(sum.UplinksDelivered)},
		{"hotspots online", int64(sum.HotspotsOnline), 10},
		{"broker drops", sum.BrokerDropped, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if sum.UplinksDelivered < 20 {
		t.Errorf("only %d uplinks delivered; the run proves little", sum.UplinksDelivered)
	}
	if sum.Joins == 0 || int64(sum.Joins) != sum.JoinsAccepted {
		t.Errorf("joins: %d join events, %d accepted by devices", sum.Joins, sum.JoinsAccepted)
	}
	if sum.OTAADevices == 0 || sum.Joins != sum.OTAADevices {
		t.Errorf("%d of %d OTAA devices joined", sum.Joins, sum.OTAADevices)
	}
}

// runDevnet runs the devnet with these flags (metrics off), logs its
// output and returns its JSON summary.
func runDevnet(t *testing.T, args ...string) summary {
	t.Helper()
	cfg := defaults()
	if _, err := config.Load("devnet", cfg, append(args, "--metrics-listen", ""), io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), cfg, &out); err != nil {
		t.Fatalf("devnet %v: %v\n%s", args, err, out.String())
	}
	t.Log(out.String())
	return lastJSON(t, out.String())
}

// lastJSON parses the summary on the last line of the output.
func lastJSON(t *testing.T, out string) summary {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	var s summary
	if err := json.Unmarshal([]byte(last), &s); err != nil {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, last)
	}
	for _, key := range []string{"frames_sent", "frames_heard", "app_events", "joins"} {
		if !strings.Contains(last, `"`+key+`"`) {
			t.Errorf("summary lacks %q", key)
		}
	}
	return s
}

// TestDevnetRerunOnKeptStore: a second run on the store of the first (--db)
// still joins every OTAA device; simulated devices restart their DevNonces,
// and the network would rightly refuse those as replays if the devnet kept
// the old registrations.
func TestDevnetRerunOnKeptStore(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end devnet run skipped in -short mode")
	}
	t.Parallel()
	db := "sqlite://" + t.TempDir() + "/kept.db"
	for pass := 1; pass <= 2; pass++ {
		sum := runDevnet(t, "--hotspots", "4", "--devices", "6", "--for", "7s", "--uplink-interval", "2s", "--db", db)
		if sum.OTAADevices == 0 || sum.Joins != sum.OTAADevices || sum.Missing != 0 || sum.UplinksDelivered == 0 {
			t.Errorf("run %d: %d of %d OTAA devices joined, %d of %d frames delivered",
				pass, sum.Joins, sum.OTAADevices, sum.UplinksDelivered, sum.DataFramesHeard)
		}
	}
}

// TestDevnetProvesCoverage runs three short epochs: every hotspot that a
// beacon linked to a neighbour at least 500 m away earns proof-of-coverage
// rewards, every epoch is paid on the local Solana runtime, and each one
// verifies from its stored signed reports against the memo on chain.
func TestDevnetProvesCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end devnet run skipped in -short mode")
	}
	t.Parallel()
	s := runDevnet(t, "--hotspots", "8", "--devices", "6", "--seed", "3", "--for", "50s", "--uplink-interval", "5s",
		"--epoch", "15s", "--epoch-grace", "3s", "--round", "3s", "--beacon-interval", "6s", "--progress", "10s")
	checks := []struct {
		what      string
		got, want int
	}{
		{"epochs closed", s.EpochsClosed, 3},
		{"epochs paid", s.EpochsPaid, 3},
		{"epochs verified", s.EpochsVerified, 3},
		{"hotspots with neighbours that earned", s.LinkedEarning, s.LinkedHotspots},
		{"frames missing at the application", s.Missing, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if s.LinkedHotspots < 2 || s.ValidBeacons == 0 || s.ValidWitnesses == 0 {
		t.Errorf("%d linked hotspots, %d valid beacons, %d valid witnesses: the run proves little", s.LinkedHotspots, s.ValidBeacons, s.ValidWitnesses)
	}
}
