package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/api"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

var genesis = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

var schedule = oracle.Schedule{Genesis: genesis, Length: time.Hour, Grace: time.Minute}

// env is an API over a real in-memory SQLite store, on a fake clock in
// epoch 0.
type env struct {
	t        testing.TB
	ctx      context.Context
	store    *sqlitestore.Store
	clock    *clock.Fake
	presence *oracle.Presence
	reg      *prometheus.Registry
	oracle   *identity.Key
	h        http.Handler
}

func newEnv(t testing.TB, mint string) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, store: st, clock: clock.NewFake(genesis.Add(10 * time.Minute)),
		presence: oracle.NewPresence(), reg: prometheus.NewRegistry(), oracle: newKey(t)}
	e.h = api.New(api.Options{Store: st, Presence: e.presence, Schedule: schedule, Mint: mint,
		Regions: func(r string) bool { return r == "EU868" }, Clock: e.clock, Registerer: e.reg})
	return e
}

func newKey(t testing.TB) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// do sends a request; body nil sends none.
func (e *env) do(method, path string, body any, header ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// get expects status code and decodes the JSON body into out (if non-nil).
func (e *env) get(path string, code int, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := e.do(http.MethodGet, path, nil)
	expect(e.t, rec, code, out)
	return rec
}

func expect(t testing.TB, rec *httptest.ResponseRecorder, code int, out any) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("status %d, want %d; body %s", rec.Code, code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("decode %s: %v", rec.Body, err)
		}
	}
}

// expectError checks a JSON error {"error": "..."} with status code.
func expectError(t *testing.T, rec *httptest.ResponseRecorder, code int) string {
	t.Helper()
	var body map[string]any
	expect(t, rec, code, &body)
	msg, ok := body["error"].(string)
	if !ok || msg == "" || len(body) != 1 {
		t.Fatalf("error body %s, want {\"error\": \"...\"}", rec.Body)
	}
	return msg
}

// keys lists a JSON object's field names, sorted.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func expectKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if diff := cmp.Diff(want, keys(m)); diff != "" {
		t.Errorf("%s fields (-want +got):\n%s", what, diff)
	}
}

// hotspot is an owner and hotspot key pair.
type hotspot struct {
	owner, key *identity.Key
}

func (h hotspot) addr() identity.Address { return h.key.Address() }

func newHotspot(t testing.TB) hotspot { return hotspot{owner: newKey(t), key: newKey(t)} }

func (e *env) onboardBody(h hotspot) map[string]string {
	e.t.Helper()
	raw, err := oracle.SignOnboard(h.owner, h.key, 1, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return map[string]string{"request": base64.StdEncoding.EncodeToString(raw)}
}

func cellAt(t testing.TB, lat, lng float64) uint64 {
	t.Helper()
	c, err := geo.CellOf(geo.Point{Lat: lat, Lng: lng}, geo.ResAsserted)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(c)
}

func (e *env) assertionBody(h hotspot, cell, nonce uint64) map[string]string {
	e.t.Helper()
	raw, err := oracle.SignLocation(h.owner, h.addr(), oracle.Location{Cell: cell, GainDBiX10: 30, ElevationM: 12,
		Region: "EU868", Nonce: nonce, AssertedAt: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	return map[string]string{"assertion": base64.StdEncoding.EncodeToString(raw)}
}

// register onboards h and asserts it at (lat, lng) through the store.
func (e *env) register(h hotspot, lat, lng float64) {
	e.t.Helper()
	raw, err := oracle.SignOnboard(h.owner, h.key, 1, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := oracle.Register(e.ctx, e.store, raw, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	loc, err := oracle.SignLocation(h.owner, h.addr(), oracle.Location{Cell: cellAt(e.t, lat, lng), GainDBiX10: 30,
		ElevationM: 12, Region: "EU868", Nonce: 1, AssertedAt: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := oracle.Relocate(e.ctx, e.store, h.addr(), loc, func(string) bool { return true }, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

var dr = &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"}

// beaconReport is a signed beacon report by h answering an oracle challenge.
func (e *env) beaconReport(h hotspot, payload []byte, epoch uint64) oracle.Report {
	e.t.Helper()
	now := e.clock.Now()
	ch, err := e.oracle.Seal(identity.KindChallenge, &hexnetpb.Challenge{Round: 7, Challengee: h.key.Public(),
		BeaconPayload: payload, FrequencyHz: 867_900_000, DataRate: dr, PowerDbm: 11, IssuedUnixNs: now.UnixNano()})
	if err != nil {
		e.t.Fatal(err)
	}
	raw, err := h.key.SealBytes(identity.KindBeacon, &hexnetpb.BeaconReport{Challenge: ch, Payload: payload,
		FrequencyHz: 867_900_000, DataRate: dr, PowerDbm: 11, TxUnixNs: now.UnixNano(), TxAckError: "NONE"})
	if err != nil {
		e.t.Fatal(err)
	}
	return oracle.Report{ID: sha256.Sum256(raw), Kind: oracle.KindBeacon, Hotspot: h.addr(), Epoch: epoch, Round: 7,
		Payload: payload, ReceivedAt: now, Envelope: raw}
}

// witnessReport is a signed witness report by h.
func (e *env) witnessReport(h hotspot, payload []byte, rssi float32, epoch uint64) oracle.Report {
	e.t.Helper()
	now := e.clock.Now()
	raw, err := h.key.SealBytes(identity.KindWitness, &hexnetpb.WitnessReport{Payload: payload, Rssi: rssi, Snr: 6.5,
		FrequencyHz: 867_900_000, DataRate: dr, ReceivedUnixNs: now.UnixNano()})
	if err != nil {
		e.t.Fatal(err)
	}
	return oracle.Report{ID: sha256.Sum256(raw), Kind: oracle.KindWitness, Hotspot: h.addr(), Epoch: epoch,
		Payload: payload, ReceivedAt: now, Envelope: raw}
}

func (e *env) addReports(rs ...oracle.Report) {
	e.t.Helper()
	if _, err := e.store.AddReports(e.ctx, rs); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) openEpoch(n uint64) {
	e.t.Helper()
	start, end := schedule.Bounds(n)
	if err := e.store.OpenEpoch(e.ctx, oracle.Epoch{Number: n, Start: start, End: end}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) closeEpoch(n uint64, root []byte, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) {
	e.t.Helper()
	e.clock.Advance(schedule.ClosesAt(n).Sub(e.clock.Now()) + time.Second)
	if err := e.store.CloseEpoch(e.ctx, oracle.Epoch{Number: n, Root: root, ClosedAt: e.clock.Now()}, manifest, verdicts); err != nil {
		e.t.Fatal(err)
	}
}

// online makes h announce itself online through a signed state message.
func (e *env) online(h hotspot, online bool) {
	e.t.Helper()
	raw, err := h.key.SealBytes(identity.KindState, &hexnetpb.State{Online: online, TimeUnixNs: e.clock.Now().UnixNano()})
	if err != nil {
		e.t.Fatal(err)
	}
	e.presence.Handle("hexnet/hotspot/"+h.addr().String()+"/state", raw)
}
