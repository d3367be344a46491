package oracle_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newKey(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openStore(t *testing.T) *sqlitestore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// onboard registers a hotspot at a point with a 3 dBi antenna in EU868.
func onboard(t *testing.T, s oracle.Registry, owner, hotspot *identity.Key, p geo.Point) {
	t.Helper()
	ctx := context.Background()
	raw, err := oracle.SignOnboard(owner, hotspot, 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oracle.Register(ctx, s, raw, t0); err != nil {
		t.Fatal(err)
	}
	cell, err := geo.CellOf(p, geo.ResAsserted)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := oracle.SignLocation(owner, hotspot.Address(), oracle.Location{Cell: uint64(cell), GainDBiX10: 30, ElevationM: 10, Region: "EU868", Nonce: 1, AssertedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oracle.Relocate(ctx, s, hotspot.Address(), loc, func(r string) bool { return r == "EU868" }, t0); err != nil {
		t.Fatal(err)
	}
}

func announce(t *testing.T, p *oracle.Presence, k *identity.Key, online bool) {
	t.Helper()
	raw, err := k.SealBytes(identity.KindState, &hexnetpb.State{Online: online, TimeUnixNs: t0.UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	p.Handle("hexnet/hotspot/"+k.Address().String()+"/state", raw)
}

type inbox struct {
	mu   sync.Mutex
	msgs map[string][][]byte
}

func (in *inbox) add(topic string, p []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.msgs[topic] = append(in.msgs[topic], p)
}

func (in *inbox) wait(t *testing.T, topic string, n int) [][]byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		in.mu.Lock()
		got := in.msgs[topic]
		in.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: fewer than %d messages", topic, n)
	return nil
}

func (in *inbox) count(topic string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.msgs[topic])
}

func connectBus(t *testing.T) (*mqttclient.Client, *inbox) {
	t.Helper()
	b, err := broker.Start(broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: b.URL(), ClientID: "oracle-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	in := &inbox{msgs: map[string][][]byte{}}
	if err := c.Subscribe(ctx, "hexnet/#", 1, in.add); err != nil {
		t.Fatal(err)
	}
	return c, in
}

// TestChallengeRounds: a round is committed, then revealed with entropy
// that matches the commitment, and every asserted online hotspot (the
// chance is 1 when the beacon interval is one round) gets a signed
// challenge it can act on; an offline one gets none.
func TestChallengeRounds(t *testing.T) {
	s := openStore(t)
	bus, in := connectBus(t)
	oracleKey, owner := newKey(t), newKey(t)
	a, b, off := newKey(t), newKey(t), newKey(t)
	p := oracle.NewPresence()
	for i, k := range []*identity.Key{a, b, off} {
		onboard(t, s, owner, k, geo.Point{Lat: 47.37 + 0.01*float64(i), Lng: 8.54})
	}
	announce(t, p, a, true)
	announce(t, p, b, true)
	announce(t, p, off, false)
	clk := clock.NewFake(t0)
	c, err := oracle.NewChallenger(oracle.ChallengerOptions{Key: oracleKey, Registry: s, Rounds: s, Bus: bus, Presence: p, Clock: clk,
		RoundLength: 10 * time.Second, BeaconInterval: 10 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Step(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	if err := c.Step(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := s.GetRound(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := oracle.VerifyReveal(r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []*identity.Key{a, b} {
		raw := in.wait(t, "hexnet/hotspot/"+k.Address().String()+"/challenge", 1)[0]
		checkChallenge(t, raw, oracleKey, k, r)
	}
	if n := in.count("hexnet/hotspot/" + off.Address().String() + "/challenge"); n != 0 {
		t.Errorf("offline hotspot got %d challenges", n)
	}
	if got, _ := s.ChallengesOfRound(ctx, 1); len(got) != 2 {
		t.Errorf("%d challenges stored for round 1, want 2", len(got))
	}
	if _, err := s.GetRound(ctx, 2); err != nil {
		t.Errorf("round 2 not committed: %v", err)
	}
	in.wait(t, oracle.TopicEntropyCommit, 2)
	in.wait(t, oracle.TopicEntropyReveal, 1)
}

func checkChallenge(t *testing.T, raw []byte, oracleKey, hotspot *identity.Key, r oracle.Round) {
	t.Helper()
	var ch hexnetpb.Challenge
	signer, err := identity.OpenBytes(raw, identity.KindChallenge, &ch)
	if err != nil || signer != oracleKey.Address() {
		t.Fatalf("challenge signed by %s: %v", signer, err)
	}
	want := beacon.Payload(r.Entropy, hotspot.Public())
	if !bytes.Equal(ch.GetBeaconPayload(), want) || ch.GetRound() != 1 || !bytes.Equal(ch.GetChallengee(), hotspot.Public()) {
		t.Errorf("challenge %+v does not match the round", &ch)
	}
	// EU868: 16 dBm EIRP less the 3 dBi antenna; DR0 (SF12) carries 51 bytes.
	if ch.GetPowerDbm() != 13 || ch.GetDataRate().GetSpreadingFactor() != 12 || ch.GetDataRate().GetBandwidthKhz() != 125 {
		t.Errorf("radio parameters %v dBm %v", ch.GetPowerDbm(), ch.GetDataRate())
	}
	if f := ch.GetFrequencyHz(); f < 863_000_000 || f > 870_000_000 {
		t.Errorf("frequency %d outside EU868", f)
	}
	if ch.GetExpiresUnixNs()-ch.GetIssuedUnixNs() != int64(10*time.Second) {
		t.Errorf("challenge lives %v", time.Duration(ch.GetExpiresUnixNs()-ch.GetIssuedUnixNs()))
	}
}
