package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store/backend"
)

// The oracle_ingest workload: 2,000 beacons heard by 14 hotspots each,
// 30,000 signed reports from 300 hotspots; flushed to the store every
// 5,000 reports (the oracle flushes every half second).
const (
	ingestHotspots   = 300
	ingestBeacons    = 2_000
	ingestWitnesses  = 14
	ingestFlushEvery = 5_000
)

// ingestFigure measures oracle.Ingest (Handle, which verifies each
// envelope and the challenge inside beacon reports, then Flush into the
// store) on one core, next to ed25519.Verify of the same envelopes on the
// same core.
func ingestFigure(ctx context.Context, cfg *config, out io.Writer) error {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sc, reports, err := ingestReports(ctx, now)
	if err != nil {
		return err
	}
	st, closeStore, err := openBenchStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer closeStore()
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	raw, err := rawVerifyRate(reports)
	if err != nil {
		return err
	}
	rate, err := ingestRate(ctx, sc, st, reports, now)
	if err != nil {
		return err
	}
	progress("%s: %d reports (%d beacons, each also carrying a signed challenge): ingest %.0f/s, raw ed25519.Verify %.0f/s, store %s",
		figIngest, len(reports), ingestBeacons, rate, raw, storeName(cfg.db))
	fmt.Fprintln(out, line(figIngest, "reports/s", "%.0f", rate, raw))
	return nil
}

// ingestReports signs the workload, in publishing order: each beacon
// report followed by its witness reports, dated in the ten minutes before
// now.
func ingestReports(ctx context.Context, now time.Time) (*scene, []signedReport, error) {
	sc, err := newScene("ingest", ingestHotspots, ingestHotspots/5, 20_000)
	if err != nil {
		return nil, nil, err
	}
	const chunk = 100
	parts := make([][]signedReport, (ingestBeacons+chunk-1)/chunk)
	eventOf := func(k int) event {
		return event{beaconer: k % ingestHotspots, round: 1 + uint64(k/50),
			at: now.Add(-10 * time.Minute).Add(time.Duration(k) * 250 * time.Millisecond), witnesses: ingestWitnesses}
	}
	err = sc.sign(ctx, ingestBeacons, chunk, eventOf, func(i int, rs []signedReport) error {
		parts[i] = rs
		return nil
	})
	var all []signedReport
	for _, p := range parts {
		all = append(all, p...)
	}
	return sc, all, err
}

// signedMessage is what one envelope's signature covers, decoded ahead.
type signedMessage struct {
	pub, msg, sig []byte
}

// rawVerifyRate is ed25519.Verify per second over the envelopes' signed
// bytes ("hexnet/v1/" + kind + 0x00 + body; the format is in
// docs/ARCHITECTURE.md), decoded before timing.
func rawVerifyRate(reports []signedReport) (float64, error) {
	msgs := make([]signedMessage, len(reports))
	for i, r := range reports {
		var env hexnetpb.Signed
		if err := proto.Unmarshal(r.raw, &env); err != nil {
			return 0, err
		}
		msg := append([]byte("hexnet/v1/"+env.GetKind()+"\x00"), env.GetBody()...)
		msgs[i] = signedMessage{pub: env.GetSigner(), msg: msg, sig: env.GetSignature()}
	}
	start := time.Now()
	for i, m := range msgs {
		if !ed25519.Verify(m.pub, m.msg, m.sig) {
			return 0, fmt.Errorf("raw verification: envelope %d does not verify", i)
		}
	}
	return float64(len(msgs)) / time.Since(start).Seconds(), nil
}

// ingestRate hands every report to a fresh Ingest, flushing as it goes,
// and checks that every one was stored.
func ingestRate(ctx context.Context, sc *scene, st oracle.Reports, reports []signedReport, now time.Time) (float64, error) {
	reg := prometheus.NewRegistry()
	in := oracle.NewIngest(oracle.IngestOptions{Store: st, Oracle: sc.oracle.Address(),
		Schedule: oracle.Schedule{Genesis: now.Add(-time.Hour), Length: 24 * time.Hour, Grace: time.Hour},
		Clock:    clock.NewFake(now), Logger: slog.New(slog.DiscardHandler), Metrics: oracle.NewMetrics(reg)})
	start := time.Now()
	for i, r := range reports {
		in.Handle(r.topic(), r.raw)
		if (i+1)%ingestFlushEvery == 0 {
			if err := in.Flush(ctx); err != nil {
				return 0, err
			}
		}
	}
	if err := in.Flush(ctx); err != nil {
		return 0, err
	}
	el := time.Since(start)
	if rejected := counters(reg, "hexnet_oracle_reports_rejected_total", "reason"); len(rejected) > 0 {
		return 0, fmt.Errorf("ingest refused reports: %v", rejected)
	}
	if n := gauge(reg, "hexnet_oracle_reports_stored_total"); int(n) != len(reports) {
		return 0, fmt.Errorf("ingest stored %.0f of %d reports", n, len(reports))
	}
	return float64(len(reports)) / el.Seconds(), nil
}

// gauge is the value of an unlabelled counter or gauge (0 if absent).
func gauge(g prometheus.Gatherer, name string) float64 {
	mfs, _ := g.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return 0
}

// openBenchStore opens and migrates a fresh store (benchDB), returning a
// function that closes and removes it.
func openBenchStore(ctx context.Context, dbURL string) (backend.Backend, func(), error) {
	url, cleanup, err := benchDB(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	st, err := backend.Open(ctx, url)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		cleanup()
		return nil, nil, err
	}
	return st, func() { st.Close(); cleanup() }, nil
}

func storeName(dbURL string) string {
	if dbURL == "" {
		return "SQLite in a temporary directory"
	}
	return dbURL
}
