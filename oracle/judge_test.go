package oracle_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/poc"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// world is three onboarded hotspots about a kilometre apart in Zurich and
// an oracle that ingests and judges their reports.
type world struct {
	t        *testing.T
	store    *sqlitestore.Store
	clk      *clock.Fake
	oracle   *identity.Key
	hotspots []*identity.Key
	ingest   *oracle.Ingest
	schedule oracle.Schedule
	rules    oracle.Rules
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, store: openStore(t), clk: clock.NewFake(t0), oracle: newKey(t)}
	owner := newKey(t)
	for i := 0; i < 3; i++ {
		k := newKey(t)
		onboard(t, w.store, owner, k, geo.Point{Lat: 47.37 + 0.009*float64(i), Lng: 8.54 + 0.004*float64(i%2)})
		w.hotspots = append(w.hotspots, k)
	}
	w.schedule = oracle.Schedule{Genesis: t0, Length: time.Minute, Grace: 10 * time.Second}
	w.rules = oracle.Rules{Params: poc.DefaultParams(), Emission: 1_000_000_000, Split: manifest.HeliumIoTSplit, Oracle: w.oracle.Address()}
	w.ingest = oracle.NewIngest(oracle.IngestOptions{Store: w.store, Oracle: w.oracle.Address(), Schedule: w.schedule,
		Clock: w.clk, Logger: slog.New(slog.DiscardHandler), Metrics: oracle.NewMetrics(nil)})
	return w
}

// at moves the fake clock to t0+d.
func (w *world) at(d time.Duration) { w.clk.Advance(t0.Add(d).Sub(w.clk.Now())) }

// beacon makes hotspot i beacon at t0+d (challenged in round n), witnessed
// by the others 600 ms later.
func (w *world) beacon(i int, n uint64, d time.Duration, witnesses ...int) {
	w.t.Helper()
	ctx := context.Background()
	info, err := w.store.GetHotspot(ctx, w.hotspots[i].Address())
	if err != nil {
		w.t.Fatal(err)
	}
	entropy := oracle.Entropy([]byte{byte(n)}, nil)
	w.at(d - time.Second)
	ch, err := oracle.NewChallenge(info, oracle.Round{Number: n, Entropy: entropy}, w.clk.Now(), w.clk.Now().Add(20*time.Second))
	if err != nil {
		w.t.Fatal(err)
	}
	signed, err := w.oracle.Seal(identity.KindChallenge, ch)
	if err != nil {
		w.t.Fatal(err)
	}
	w.at(d)
	w.publish(i, "beacon", identity.KindBeacon, &hexnetpb.BeaconReport{Challenge: signed, Payload: ch.BeaconPayload,
		FrequencyHz: ch.FrequencyHz, DataRate: ch.DataRate, PowerDbm: ch.PowerDbm, TxUnixNs: w.clk.Now().UnixNano(), TxAckError: "NONE"})
	w.at(d + 600*time.Millisecond)
	for _, k := range witnesses {
		w.publish(k, "witness", identity.KindWitness, &hexnetpb.WitnessReport{Payload: ch.BeaconPayload, Rssi: -105, Snr: 4,
			FrequencyHz: ch.FrequencyHz, DataRate: ch.DataRate, ReceivedUnixNs: w.clk.Now().UnixNano()})
	}
}

func (w *world) publish(i int, leaf string, kind identity.Kind, msg proto.Message) {
	w.t.Helper()
	raw, err := w.hotspots[i].SealBytes(kind, msg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.ingest.Handle("hexnet/hotspot/"+w.hotspots[i].Address().String()+"/"+leaf, raw)
	if err := w.ingest.Flush(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) judge(verify bool) *oracle.Judge {
	return &oracle.Judge{Store: w.store, Schedule: w.schedule, Rules: w.rules, Verify: verify}
}

// verdicts indexes an epoch's verdicts by hotspot and kind.
func verdicts(vs []oracle.Verdict) map[string][]string {
	out := map[string][]string{}
	for _, v := range vs {
		k := string(v.Hotspot) + "/" + string(v.Kind)
		out[k] = append(out[k], v.Reason)
	}
	return out
}

// TestEpochJudgedAndClosed plays three rounds in one epoch. Reciprocity is
// read as of each beacon report: B beacons first, before it ever
// witnessed; C beacons after witnessing B; A beacons last. The verdicts,
// the manifest and its root follow, and re-verifying every signature from
// the stored envelopes reproduces the root.
func TestEpochJudgedAndClosed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const a, b, c = 0, 1, 2
	closer := &oracle.Closer{Judge: w.judge(false), Clock: w.clk, Log: slog.New(slog.DiscardHandler)}
	if err := closer.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	w.beacon(b, 1, 5*time.Second, a, c)
	w.beacon(c, 2, 15*time.Second, a, b)
	w.beacon(a, 3, 25*time.Second, b, c)
	w.publish(c, "witness", identity.KindWitness, &hexnetpb.WitnessReport{Payload: make([]byte, 24), Rssi: -100, Snr: 1,
		FrequencyHz: 868_100_000, ReceivedUnixNs: w.clk.Now().UnixNano()})
	w.at(70 * time.Second)
	if err := closer.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := w.store.GetEpoch(ctx, 0)
	if err != nil || e.Status != oracle.EpochClosed {
		t.Fatalf("epoch 0: %+v, %v", e, err)
	}
	vs, _ := w.store.VerdictsOfEpoch(ctx, 0)
	got := verdicts(vs)
	addr := func(i int) string { return w.hotspots[i].Address().String() }
	want := map[string][]string{
		addr(b) + "/beacon":  {"not_reciprocal"},                       // B had never witnessed
		addr(c) + "/beacon":  {"valid"},                                // C witnessed B first
		addr(a) + "/beacon":  {"valid"},                                // A witnessed B and C
		addr(a) + "/witness": {"not_reciprocal", "not_reciprocal"},     // A had not beaconed yet
		addr(b) + "/witness": {"valid", "valid"},                       // B's beacon had witnesses
		addr(c) + "/witness": {"not_reciprocal", "valid", "no_beacon"}, // C, then the stray one
	}
	for k, reasons := range want {
		if !sameReasons(got[k], reasons) {
			t.Errorf("%s: %v, want %v", k, got[k], reasons)
		}
	}
	checkManifest(t, w, e)
}

func sameReasons(got, want []string) bool {
	count := map[string]int{}
	for _, r := range got {
		count[r]++
	}
	for _, r := range want {
		count[r]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func checkManifest(t *testing.T, w *world, e oracle.Epoch) {
	t.Helper()
	ctx := context.Background()
	entries, err := w.store.Manifest(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d manifest entries, want all three hotspots paid", len(entries))
	}
	root, _ := manifest.Root(0, entries)
	if string(root[:]) != string(e.Root) {
		t.Errorf("stored root %x, recomputed from the stored manifest %x", e.Root, root)
	}
	again, err := w.judge(true).Epoch(ctx, 0)
	if err != nil {
		t.Fatalf("re-verify: %v", err)
	}
	if string(again.Root[:]) != string(e.Root) {
		t.Errorf("re-verified root %x differs from the closed epoch's %x", again.Root, e.Root)
	}
	m := again.Manifest
	if m.Sum()+m.Operations+m.Oracles+m.Unallocated != w.rules.Emission {
		t.Errorf("paid %d + set aside %d != emission %d", m.Sum(), m.Operations+m.Oracles+m.Unallocated, w.rules.Emission)
	}
}
