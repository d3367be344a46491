package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/api"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// statusWorld is an oracle API over a real store: hotspot a beaconed in
// epoch 0, b witnessed it validly and c too loudly; epoch 0 closed with a
// manifest and a confirmed reward transaction; epoch 1 is open.
type statusWorld struct {
	t       *testing.T
	ctx     context.Context
	st      *sqlitestore.Store
	url     string
	a, b, c *identity.Key
}

var statusGenesis = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func newStatusWorld(t *testing.T) *statusWorld {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "oracle.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sched := oracle.Schedule{Genesis: statusGenesis, Length: time.Hour, Grace: time.Minute}
	clk := clock.NewFake(statusGenesis.Add(10 * time.Minute))
	w := &statusWorld{t: t, ctx: ctx, st: st, a: mustKey(t), b: mustKey(t), c: mustKey(t)}
	owner := mustKey(t)
	for i, k := range []*identity.Key{w.a, w.b, w.c} {
		w.register(owner, k, 52.37+float64(i)/100, 4.89, clk.Now())
	}
	if err := st.OpenEpoch(ctx, oracle.Epoch{Number: 0, Start: statusGenesis, End: statusGenesis.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte{7}, 12)
	beacon := w.report(w.a, identity.KindBeacon, &hexnetpb.BeaconReport{Payload: payload, FrequencyHz: 867_900_000,
		DataRate: dataRate, PowerDbm: 11, TxUnixNs: clk.Now().UnixNano(), TxAckError: "NONE"}, clk.Now())
	good := w.report(w.b, identity.KindWitness, &hexnetpb.WitnessReport{Payload: payload, Rssi: -97.5, Snr: 6.5,
		FrequencyHz: 867_900_000, DataRate: dataRate, ReceivedUnixNs: clk.Now().UnixNano()}, clk.Now().Add(time.Second))
	loud := w.report(w.c, identity.KindWitness, &hexnetpb.WitnessReport{Payload: payload, Rssi: -20, Snr: 9,
		FrequencyHz: 867_900_000, DataRate: dataRate, ReceivedUnixNs: clk.Now().UnixNano()}, clk.Now().Add(time.Second))
	if _, err := st.AddReports(ctx, []oracle.Report{beacon, good, loud}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	manifest := []oracle.ManifestEntry{{Hotspot: w.a.Address(), Owner: owner.Address(), Beacon: 600, Data: 5, Total: 605}}
	verdicts := []oracle.Verdict{
		{ReportID: beacon.ID, Epoch: 0, Kind: oracle.KindBeacon, Hotspot: w.a.Address(), Valid: true, Reason: "valid"},
		{ReportID: good.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.b.Address(), BeaconID: beacon.ID, Valid: true, Selected: true, Reason: "valid"},
		{ReportID: loud.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.c.Address(), BeaconID: beacon.ID, Reason: "rssi_too_strong",
			Detail: "RSSI -20.0 dBm, at most -61.2 dBm possible at 1.1 km"},
	}
	if err := st.CloseEpoch(ctx, oracle.Epoch{Number: 0, Root: bytes.Repeat([]byte{1}, 32), ClosedAt: clk.Now()}, manifest, verdicts); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveRewardTx(ctx, oracle.RewardTx{Epoch: 0, Signature: "5igOfTheRewardTx", Raw: []byte{1},
		Entries: []identity.Address{w.a.Address()}, Status: oracle.TxConfirmed, UpdatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.OpenEpoch(ctx, oracle.Epoch{Number: 1, Start: statusGenesis.Add(time.Hour), End: statusGenesis.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, Schedule: sched, Clock: clk}))
	t.Cleanup(srv.Close)
	w.url = srv.URL
	return w
}

var dataRate = &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"}

func mustKey(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (w *statusWorld) register(owner, k *identity.Key, lat, lng float64, now time.Time) {
	w.t.Helper()
	raw, err := oracle.SignOnboard(owner, k, 1, now)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := oracle.Register(w.ctx, w.st, raw, now); err != nil {
		w.t.Fatal(err)
	}
	cell, err := geo.CellOf(geo.Point{Lat: lat, Lng: lng}, geo.ResAsserted)
	if err != nil {
		w.t.Fatal(err)
	}
	loc, err := oracle.SignLocation(owner, k.Address(), oracle.Location{Cell: uint64(cell), GainDBiX10: 45, ElevationM: 12,
		Region: "EU868", Nonce: 1, AssertedAt: now})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := oracle.Relocate(w.ctx, w.st, k.Address(), loc, func(string) bool { return true }, now); err != nil {
		w.t.Fatal(err)
	}
}

func (w *statusWorld) report(k *identity.Key, kind identity.Kind, body proto.Message, at time.Time) oracle.Report {
	w.t.Helper()
	raw, err := k.SealBytes(kind, body)
	if err != nil {
		w.t.Fatal(err)
	}
	r := oracle.Report{ID: sha256.Sum256(raw), Hotspot: k.Address(), Epoch: 0, ReceivedAt: at, Envelope: raw, Kind: oracle.KindWitness}
	if kind == identity.KindBeacon {
		r.Kind, r.Round = oracle.KindBeacon, 7
	}
	return r
}

func TestHotspotStatus(t *testing.T) {
	w := newStatusWorld(t)
	code, out, errOut := cli(t, "--api", w.url, "hotspot", "status", w.a.Address().String())
	if code != 0 {
		t.Fatalf("status by address: exit %d: %s", code, errOut)
	}
	t.Log("\n" + out)
	for _, want := range []string{
		hotspotname.Of(w.a.Address()) + "  " + w.a.Address().String(),
		"status    unknown",
		"region EU868; antenna 4.5 dBi, 12 m above ground",
		"1 location assertion(s)",
		"epoch 1 (open): 0 beacon(s), 0 witness report(s)",
		"epoch 0 (closed): 1 beacon(s), 0 witness report(s)",
		"beacon  2026-03-01T00:10:00Z  SF9BW125 867.9 MHz  valid",
		"epoch 0 (closed): 605 = beacons 600 + witnesses 0 + data 5",
		"tx 5igOfTheRewardTx",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}

	// By name, however written, with the flag after the argument: c's invalid witness in plain words.
	name := strings.ToUpper(strings.ReplaceAll(hotspotname.Of(w.c.Address()), "-", " "))
	code, out, errOut = cli(t, "hotspot", "status", name, "--api", w.url)
	if code != 0 {
		t.Fatalf("status by name %q: exit %d: %s", name, code, errOut)
	}
	for _, want := range []string{"invalid (rssi_too_strong)", "RSSI -20.0 dBm, SNR 9.0 dB", "at most -61.2 dBm possible", "rewards: none"} {
		if !strings.Contains(out, want) {
			t.Errorf("output for c lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = cli(t, "hotspot", "status", "--epochs", "1", w.a.Address().String(), "--api", w.url)
	if !strings.Contains(out, "epoch 1 (open)") || strings.Contains(out, "epoch 0 (closed): 1 beacon") {
		t.Errorf("--epochs 1 prints the latest epoch alone:\n%s", out)
	}
}

func TestHotspotStatusNotFoundOrAmbiguous(t *testing.T) {
	w := newStatusWorld(t)
	if code, _, errOut := cli(t, "--api", w.url, "hotspot", "status", "nothing-like-this"); code != 1 || !strings.Contains(errOut, "no hotspot is named") {
		t.Errorf("unknown name: exit %d: %s", code, errOut)
	}
	// Register hotspots until two names share their first two letters.
	owner := mustKey(t)
	seen := map[string]string{}
	prefix := ""
	for i := 0; prefix == ""; i++ {
		k := mustKey(t)
		w.register(owner, k, 10, 10, statusGenesis)
		p := hotspotname.Of(k.Address())[:2]
		if _, dup := seen[p]; dup {
			prefix = p
		}
		seen[p] = k.Address().String()
	}
	code, _, errOut := cli(t, "--api", w.url, "hotspot", "status", prefix)
	if code != 1 || !strings.Contains(errOut, "matches more than one hotspot") || !strings.Contains(errOut, seen[prefix]) {
		t.Errorf("ambiguous %q: exit %d: %s", prefix, code, errOut)
	}
	for _, args := range [][]string{{"hotspot", "status"}, {"hotspot", "status", "x", "y"}, {"hotspot", "status", "x", "--rewards", "0"}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("hexnet %v: exit %d, want 2", args, code)
		}
	}
}
