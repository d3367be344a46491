package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/poc"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/pgstore"
)

// defaultPostgres is the development machine's PostgreSQL test database.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// The epoch_close_1m world: 2,000 hotspots of 500 owners within 20 km of
// Zurich; a day-long epoch in which every beacon is heard by 14 of the
// beaconer's neighbours (1–15 km away), 50 challenges per round.
const (
	closeHotspots      = 2_000
	closeOwners        = 500
	closeRadiusM       = 20_000
	witnessesPerBeacon = 14
	beaconsPerRound    = 50
	closeEpoch         = 1
	insertBatch        = 50_000 // reports per AddReports
)

var closeGenesis = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// epochClose seeds a fresh PostgreSQL schema with an epoch of
// cfg.epochReports witness reports (and their beacon reports), then times
// oracle.Closer closing it (judge from the stored envelopes, then
// CloseEpoch writing verdicts, manifest and root) next to a COPY of the
// same rows out of the database.
func epochClose(ctx context.Context, cfg *config, out io.Writer) error {
	base := cfg.epochDB
	if d, _, err := store.ParseURL(cfg.db); err == nil && d == store.Postgres {
		base = cfg.db
	}
	url, drop, err := pgSchema(ctx, base)
	if err != nil {
		progress("%s skipped: PostgreSQL is unreachable (%v); start it or pass --epoch-db", figEpochClose, err)
		return nil
	}
	defer drop()
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	return (&closeRun{cfg: cfg, st: st, sched: oracle.Schedule{Genesis: closeGenesis, Length: 24 * time.Hour, Grace: 10 * time.Minute}}).run(ctx, out)
}

type closeRun struct {
	cfg   *config
	st    *pgstore.Store
	sched oracle.Schedule
	sc    *scene
}

func (c *closeRun) run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	var err error
	if c.sc, err = newScene("epoch", closeHotspots, closeOwners, closeRadiusM); err != nil {
		return err
	}
	if err := c.onboard(ctx); err != nil {
		return err
	}
	rows, err := c.seed(ctx)
	if err != nil {
		return err
	}
	progress("%s: %d reports stored (%d witness reports) and vacuumed in %s", figEpochClose, rows, c.cfg.epochReports, time.Since(start).Round(time.Second))
	copyTime, err := c.copyOut(ctx)
	if err != nil {
		return err
	}
	closeTime, res, err := c.close(ctx)
	if err != nil {
		return err
	}
	progress("%s: COPY read-back %.2f s, close %.2f s (%s)", figEpochClose, copyTime.Seconds(), closeTime.Seconds(), summary(res))
	if c.cfg.epochReports != 1_000_000 {
		progress("%s: measured with --epoch-reports %d, not 1,000,000", figEpochClose, c.cfg.epochReports)
	}
	fmt.Fprintln(out, lineWithRatio(figEpochClose, "s", "%.2f", closeTime.Seconds(), copyTime.Seconds(), copyTime.Seconds()/closeTime.Seconds()))
	return nil
}

// onboard registers every hotspot and asserts its location with signed
// requests, as the owner CLI does, four at a time.
func (c *closeRun) onboard(ctx context.Context) error {
	known := func(r string) bool { return r == sceneRegion }
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range c.sc.hotspots {
		h := &c.sc.hotspots[i]
		g.Go(func() error {
			owner := c.sc.owners[h.owner]
			raw, err := oracle.SignOnboard(owner, h.key, 1, closeGenesis)
			if err != nil {
				return err
			}
			if _, err := oracle.Register(ctx, c.st, raw, closeGenesis); err != nil {
				return err
			}
			loc, err := oracle.SignLocation(owner, h.key.Address(), *h.info.Location)
			if err != nil {
				return err
			}
			_, err = oracle.Relocate(ctx, c.st, h.key.Address(), loc, known, closeGenesis)
			return err
		})
	}
	return g.Wait()
}

// seed opens the epoch, signs its reports on every core and stores them
// insertBatch at a time, then vacuums and analyzes the table so that the
// baseline and the close both read settled rows. It returns the number of
// reports in the epoch.
func (c *closeRun) seed(ctx context.Context) (int, error) {
	start, end := c.sched.Bounds(closeEpoch)
	if err := c.st.OpenEpoch(ctx, oracle.Epoch{Number: closeEpoch, Start: start, End: end, Status: oracle.EpochOpen}); err != nil {
		return 0, err
	}
	n := c.cfg.epochReports
	beacons := (n + witnessesPerBeacon - 1) / witnessesPerBeacon
	span := end.Sub(start) - 2*time.Minute // every witness report lands in the epoch too
	eventOf := func(k int) event {
		return event{beaconer: k % closeHotspots, round: 1 + uint64(k/beaconsPerRound),
			at:        start.Add(30*time.Second + time.Duration(float64(span)*float64(k)/float64(beacons))),
			witnesses: min(witnessesPerBeacon, n-k*witnessesPerBeacon)}
	}
	stored := 0
	chunk := insertBatch / (1 + witnessesPerBeacon)
	err := c.sc.sign(ctx, beacons, chunk, eventOf, func(_ int, rs []signedReport) error {
		batch := make([]oracle.Report, len(rs))
		for i, r := range rs {
			batch[i] = r.report(c.sched)
		}
		added, err := c.st.AddReports(ctx, batch)
		stored += added
		return err
	})
	if err != nil {
		return 0, err
	}
	if want := n + beacons; stored != want {
		return 0, fmt.Errorf("stored %d reports, want %d", stored, want)
	}
	_, err = c.st.Pool().Exec(ctx, `VACUUM ANALYZE reports`)
	return stored, err
}

// copyOut is the baseline: the epoch's rows copied out of PostgreSQL in
// text format and thrown away.
func (c *closeRun) copyOut(ctx context.Context) (time.Duration, error) {
	conn, err := c.st.Pool().Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	start := time.Now()
	tag, err := conn.Conn().PgConn().CopyTo(ctx, io.Discard, fmt.Sprintf(`COPY (SELECT * FROM reports WHERE epoch = %d) TO STDOUT`, closeEpoch))
	if err != nil {
		return 0, fmt.Errorf("COPY read-back: %w", err)
	}
	el := time.Since(start)
	progress("%s: COPY read back %d rows", figEpochClose, tag.RowsAffected())
	return el, nil
}

// close times one Closer tick at the epoch's closing time: it judges the
// epoch from the stored reports (signatures were checked at ingest) and
// stores its verdicts, manifest and root.
func (c *closeRun) close(ctx context.Context) (time.Duration, oracle.Result, error) {
	var res oracle.Result
	timed := &timedClose{Store: c.st}
	closer := &oracle.Closer{
		Judge: &oracle.Judge{Store: timed, Schedule: c.sched, Rules: oracle.Rules{Params: poc.DefaultParams(),
			Emission: 1_000_000_000_000, Split: manifest.HeliumIoTSplit, Oracle: c.sc.oracle.Address()}},
		Clock:    clock.NewFake(c.sched.ClosesAt(closeEpoch)),
		Log:      slog.New(slog.DiscardHandler),
		OnClosed: func(_ context.Context, _ oracle.Epoch, r oracle.Result) { res = r },
	}
	start := time.Now()
	if err := closer.Tick(ctx); err != nil {
		return 0, res, err
	}
	el := time.Since(start)
	progress("%s: of the close, CloseEpoch (verdicts, manifest and root written in one transaction) took %.2f s", figEpochClose, timed.took.Seconds())
	e, err := c.st.GetEpoch(ctx, closeEpoch)
	if err != nil {
		return 0, res, err
	}
	if e.Status != oracle.EpochClosed {
		return 0, res, fmt.Errorf("epoch %d is %s after the close", closeEpoch, e.Status)
	}
	return el, res, nil
}

// timedClose is the store with CloseEpoch timed, to split the close
// between judging and writing.
type timedClose struct {
	*pgstore.Store
	took time.Duration
}

func (t *timedClose) CloseEpoch(ctx context.Context, e oracle.Epoch, m []oracle.ManifestEntry, vs []oracle.Verdict) error {
	start := time.Now()
	defer func() { t.took += time.Since(start) }()
	return t.Store.CloseEpoch(ctx, e, m, vs)
}

// summary counts the verdicts by kind and reason.
func summary(r oracle.Result) string {
	count := map[string]int{}
	for _, v := range r.Verdicts {
		count[string(v.Kind)+" "+v.Reason]++
	}
	var parts []string
	for k, n := range count {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d verdicts: %s; %d hotspots paid", len(r.Verdicts), strings.Join(parts, ", "), len(r.Manifest.Entries))
}
