package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/api"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Figure names.
const (
	figCoverageAPI    = "coverage_api"
	figCoverageAPIP99 = "coverage_api_p99"
)

// The coverage_api world: 100,000 hotspots over a country of ~600 km ×
// 600 km around Kassel, 60 % of them in 30 cities (Gaussian, σ 6 km), and
// one closed hour-long epoch in which a fifth of them beaconed once and
// each beacon was heard by 10 hotspots, 70 % of those reports valid.
const (
	covHotspots      = 100_000
	covCities        = 30
	covCityShare     = 0.6
	covCitySigmaM    = 6_000
	covHalfSideM     = 300_000
	covBeaconers     = covHotspots / 5
	covWitnesses     = 10
	covValidPercent  = 70
	covClients       = 8
	covViewportSideM = 10_000
	covRes           = 8
	covBatch         = 20_000 // reports per AddReports
)

var (
	covCentre  = geo.Point{Lat: 51.3127, Lng: 9.4797}
	covGenesis = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	covSched   = oracle.Schedule{Genesis: covGenesis, Length: time.Hour, Grace: time.Minute}
)

// coverageAPI measures GET /api/v1/coverage for a city viewport at res 8
// about a closed epoch, through the real handler over a seeded store, with
// covClients concurrent keep-alive clients over loopback; the baseline is
// the same clients fetching the same bytes from a handler that only writes
// a precomputed response with the same headers.
func coverageAPI(ctx context.Context, cfg *config, out io.Writer) error {
	st, closeStore, err := openBenchStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now()
	w, err := seedCoverage(ctx, st)
	if err != nil {
		return err
	}
	progress("%s: %d hotspots, %d reports and their verdicts stored in %s (%s)", figCoverageAPI, covHotspots,
		w.reports, time.Since(start).Round(time.Millisecond), storeName(cfg.db))
	h := api.New(api.Options{Store: st, Schedule: covSched, Clock: clock.NewFake(covSched.ClosesAt(0).Add(time.Hour)),
		Logger: slog.New(slog.DiscardHandler)})
	path := "/api/v1/coverage?res=" + fmt.Sprint(covRes) + "&epoch=0&bbox=" + w.viewport
	t := time.Now()
	body, header, err := fetchOnce(h, path)
	if err != nil {
		return err
	}
	progress("%s: first request (builds the epoch's index) %s; the viewport %s at res %d: %d cells, %d bytes",
		figCoverageAPI, time.Since(t).Round(time.Millisecond), w.viewport, covRes, bytes.Count(body, []byte(`"cell":`)), len(body))
	real, err := hammer(ctx, h, path, cfg.duration)
	if err != nil {
		return err
	}
	base, err := hammer(ctx, staticHandler(body, header), path, cfg.duration)
	if err != nil {
		return err
	}
	progress("%s: %d clients for %s each: handler %d requests, static %d", figCoverageAPI, covClients, cfg.duration, real.n, base.n)
	fmt.Fprintln(out, line(figCoverageAPI, "req/s", "%.0f", real.rate, base.rate))
	fmt.Fprintln(out, line(figCoverageAPIP99, "ms", "%.3f", ms(real.p99), ms(base.p99)))
	return nil
}

// covWorld is what seedCoverage stored.
type covWorld struct {
	reports  int
	viewport string // bbox of a 10 km square on the densest city
}

// seedCoverage onboards and locates the hotspots through the store (the
// envelopes are placeholders: nothing on this path verifies them), then
// stores epoch 0's reports, closes it with their verdicts and opens
// epoch 1.
func seedCoverage(ctx context.Context, st oracle.Store) (covWorld, error) {
	rng := rand.New(rand.NewPCG(6, 1))
	cities := make([]geo.Point, covCities)
	for i := range cities {
		cities[i] = geo.Destination(covCentre, rng.Float64()*360, covHalfSideM*0.8*math.Sqrt(rng.Float64()))
	}
	addrs := make([]identity.Address, covHotspots)
	onboarded := covGenesis.Add(-time.Hour)
	t0 := time.Now()
	for i := range addrs {
		var pub [32]byte
		for k := range 4 {
			binaryPut(pub[k*8:], rng.Uint64())
		}
		addrs[i] = identity.AddressOf(pub[:])
		cell, err := geo.CellOf(covPlace(rng, cities), geo.ResAsserted)
		if err != nil {
			return covWorld{}, err
		}
		if err := st.Onboard(ctx, oracle.HotspotInfo{Address: addrs[i], Owner: addrs[i], OnboardedAt: onboarded, Envelope: []byte{1}}); err != nil {
			return covWorld{}, err
		}
		if err := st.AssertLocation(ctx, oracle.Location{Hotspot: addrs[i], Cell: uint64(cell), GainDBiX10: 30, ElevationM: 10,
			Region: "EU868", Nonce: 1, AssertedAt: onboarded, Envelope: []byte{1}}); err != nil {
			return covWorld{}, err
		}
	}
	progress("%s: %d hotspots onboarded and located through the store in %s (one transaction each: the store has no bulk path)",
		figCoverageAPI, covHotspots, time.Since(t0).Round(time.Millisecond))
	n, err := seedEpoch(ctx, st, rng, addrs)
	side := covViewportSideM / 2.0
	sw := geo.Destination(geo.Destination(cities[0], 180, side), 270, side)
	ne := geo.Destination(geo.Destination(cities[0], 0, side), 90, side)
	return covWorld{reports: n, viewport: fmt.Sprintf("%.5f,%.5f,%.5f,%.5f", sw.Lng, sw.Lat, ne.Lng, ne.Lat)}, err
}

// covPlace is a hotspot's place: in a city (the first ones the busiest),
// or anywhere in the country.
func covPlace(rng *rand.Rand, cities []geo.Point) geo.Point {
	if rng.Float64() < covCityShare {
		c := cities[min(len(cities)-1, int(rng.ExpFloat64()*float64(len(cities))/4))]
		return geo.Destination(c, rng.Float64()*360, math.Abs(rng.NormFloat64())*covCitySigmaM)
	}
	return geo.Destination(geo.Destination(covCentre, 0, (rng.Float64()*2-1)*covHalfSideM), 90, (rng.Float64()*2-1)*covHalfSideM)
}

func binaryPut(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

// seedEpoch stores epoch 0's beacon and witness reports, closes it with
// their verdicts and opens epoch 1; it returns the number of reports.
func seedEpoch(ctx context.Context, st oracle.Store, rng *rand.Rand, addrs []identity.Address) (int, error) {
	start, end := covSched.Bounds(0)
	if err := st.OpenEpoch(ctx, oracle.Epoch{Number: 0, Start: start, End: end}); err != nil {
		return 0, err
	}
	var batch []oracle.Report
	var verdicts []oracle.Verdict
	flush := func() error {
		_, err := st.AddReports(ctx, batch)
		batch = batch[:0]
		return err
	}
	for b := range covBeaconers {
		at := start.Add(time.Duration(b) * (end.Sub(start) - time.Minute) / covBeaconers)
		beacon := covReport(addrs[b*5], identity.KindBeacon, &hexnetpb.BeaconReport{Payload: []byte{byte(b), byte(b >> 8), byte(b >> 16)}}, at)
		batch = append(batch, beacon)
		verdicts = append(verdicts, oracle.Verdict{ReportID: beacon.ID, Epoch: 0, Kind: oracle.KindBeacon, Hotspot: beacon.Hotspot, Valid: true, Reason: "valid"})
		for k := range covWitnesses {
			wi := (b*5 + 1 + k*7919) % len(addrs)
			w := covReport(addrs[wi], identity.KindWitness, &hexnetpb.WitnessReport{Payload: beacon.Payload,
				Rssi: float32(-130 + rng.IntN(70)), Snr: float32(rng.IntN(20) - 10), ReceivedUnixNs: at.UnixNano()}, at.Add(time.Second))
			batch = append(batch, w)
			v := oracle.Verdict{ReportID: w.ID, Epoch: 0, Kind: oracle.KindWitness, Hotspot: w.Hotspot, BeaconID: beacon.ID, Reason: "too_far"}
			if rng.IntN(100) < covValidPercent {
				v.Valid, v.Selected, v.Reason = true, true, "valid"
			}
			verdicts = append(verdicts, v)
		}
		if len(batch) >= covBatch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := st.CloseEpoch(ctx, oracle.Epoch{Number: 0, Root: make([]byte, 32), ClosedAt: covSched.ClosesAt(0)}, nil, verdicts); err != nil {
		return 0, err
	}
	return len(verdicts), st.OpenEpoch(ctx, oracle.Epoch{Number: 1, Start: end, End: end.Add(covSched.Length)})
}

// covReport is a report with a well-formed but unsigned envelope.
func covReport(a identity.Address, kind identity.Kind, body proto.Message, at time.Time) oracle.Report {
	pub, _ := a.PublicKey()
	b, _ := proto.Marshal(body)
	raw, _ := proto.Marshal(&hexnetpb.Signed{Kind: string(kind), Signer: pub, Body: b, Signature: make([]byte, 64)})
	r := oracle.Report{ID: sha256.Sum256(raw), Kind: oracle.KindWitness, Hotspot: a, Epoch: 0, ReceivedAt: at, Envelope: raw}
	if kind == identity.KindBeacon {
		r.Kind, r.Round, r.Payload = oracle.KindBeacon, 1, body.(*hexnetpb.BeaconReport).GetPayload()
	} else {
		r.Payload = body.(*hexnetpb.WitnessReport).GetPayload()
	}
	return r
}

// fetchOnce sends one request in process and returns the body and headers.
func fetchOnce(h http.Handler, path string) ([]byte, http.Header, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), rec.Header(), nil
}

// staticHandler writes body with the given headers, whatever the request.
func staticHandler(body []byte, header http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
}

// hammered is what hammer measured.
type hammered struct {
	n    int
	rate float64
	p99  time.Duration
}

// hammer serves h on loopback and has covClients keep-alive clients
// request path back to back for d.
func hammer(ctx context.Context, h http.Handler, path string, d time.Duration) (hammered, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: covClients}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range covClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, err := requestLoop(ctx, client, srv.URL+path)
			mu.Lock()
			defer mu.Unlock()
			all = append(all, lat...)
			if firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if firstErr != nil {
		return hammered{}, firstErr
	}
	if len(all) == 0 {
		return hammered{}, fmt.Errorf("no request completed in %s", d)
	}
	slices.Sort(all)
	return hammered{n: len(all), rate: float64(len(all)) / el.Seconds(), p99: all[min(len(all)-1, len(all)*99/100)]}, nil
}

// requestLoop requests url until ctx ends and returns each latency.
func requestLoop(ctx context.Context, client *http.Client, url string) ([]time.Duration, error) {
	var lat []time.Duration
	for ctx.Err() == nil {
		t := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return lat, err
		}
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return lat, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			if ctx.Err() != nil {
				break
			}
			return lat, fmt.Errorf("GET %s: %d %v", url, resp.StatusCode, err)
		}
		lat = append(lat, time.Since(t))
	}
	return lat, nil
}
