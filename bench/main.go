// Command bench measures hexnet's uplink pipeline end to end, and the
// oracle's proof-of-coverage path, and prints each figure as one line
//
//	BENCH <name> <value> <unit> baseline=<value> ratio=<value>
//
// with progress on stderr. The pipeline: a load generator playing one GWMP
// packet forwarder per hotspot → UDP → hotspotd (one per hotspot, each on
// its own MQTT connection) → embedded broker → router (store with
// registered ABP devices, MIC check, decryption) → an application
// subscriber. Every frame is heard by every hotspot with different RSSI
// and SNR. The baseline, measured in the same run on a fresh but identical
// stack, replaces the router with a relay that only deduplicates by
// PHYPayload hash and republishes the first copy.
//
// Figures:
//
//	e2e_uplinks      uplinks/s delivered with the pipeline saturated (in-flight bound)
//	e2e_latency_p50  ms from the first copy sent to the application event, paced load
//	e2e_latency_p99  the same, 99th percentile
//	poc_witness_rules      witness rule evaluations/s on one core, next to a no-op judge (pocrules.go)
//	oracle_ingest          signed reports/s verified and stored on one core, next to raw ed25519 verification (ingest.go)
//	epoch_close_1m         seconds to close an epoch of 1,000,000 witness reports in PostgreSQL, next to a COPY read-back (epochclose.go)
//	solana_rewards_per_tx  MintTo per reward transaction on the local Solana runtime, next to the packing limit (rewards.go)
//	hotspot_uplinks        uplinks/s through one hotspotd on one core with its durable queue, next to no queue (hotspot.go)
//	hotspot_rss_mb         peak RSS of the hotspotd binary at 1,000 uplinks/s, queue on, next to the 30 MB goal (hotspot.go)
//	router_uplinks         uplinks/s through the router alone (pre-signed copies published straight to the broker), next to the relay; also prints router_latency_p50/p99 (router.go)
//
// The latency figures are measured for both flows at the same offered rate,
// --latency-load times the e2e throughput; the router's dedup window (its
// default, 200 ms) is part of the e2e latency. Losses anywhere (UDP,
// hotspotd, router, broker) are reported on stderr and make the exit status 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Figure names.
const (
	figUplinks = "e2e_uplinks"
	figP50     = "e2e_latency_p50"
	figP99     = "e2e_latency_p99"

	figWitnessRules = "poc_witness_rules"
	figIngest       = "oracle_ingest"
	figEpochClose   = "epoch_close_1m"
	figRewards      = "solana_rewards_per_tx" // also prints solana_rewards_per_tx_create

	figHotspotUplinks = "hotspot_uplinks"
	figHotspotRSS     = "hotspot_rss_mb"
)

var figures = []string{figUplinks, figP50, figP99, figWitnessRules, figIngest, figEpochClose, figRewards,
	figHotspotUplinks, figHotspotRSS, figRouterUplinks, figCoverageAPI}

// oracleFigures run after the pipeline figures, each on its own.
var oracleFigures = []struct {
	name string
	run  func(ctx context.Context, cfg *config, out io.Writer) error
}{
	{figWitnessRules, witnessRules},
	{figIngest, ingestFigure},
	{figEpochClose, epochClose},
	{figRewards, rewardsPerTx},
	{figHotspotUplinks, hotspotUplinks},
	{figHotspotRSS, hotspotRSS},
	{figRouterUplinks, routerUplinks},
	{figCoverageAPI, coverageAPI},
}

type config struct {
	duration, warmup, latencyFor time.Duration
	latencyLoad                  float64
	devices, hotspots            int
	inflight, frames             int
	db, only, cpuProfile         string
	epochDB                      string
	epochReports, owners         int
}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long throughput is measured, after the warm-up")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "warm-up before throughput is measured")
	fs.DurationVar(&c.latencyFor, "latency-for", 3*time.Second, "how long latency is measured")
	fs.Float64Var(&c.latencyLoad, "latency-load", 0.5, "latency is measured at this fraction of the e2e throughput")
	fs.IntVar(&c.devices, "devices", 200, "ABP devices taking turns to send")
	fs.IntVar(&c.hotspots, "hotspots", 3, "hotspots hearing every frame (one hotspotd and one forwarder each)")
	fs.IntVar(&c.inflight, "inflight", 4000, "frames sent and not yet delivered, at most")
	fs.IntVar(&c.frames, "frames", 150000, "frames prepared before timing starts")
	fs.StringVar(&c.db, "db", "", "store of the router and of "+figIngest+": empty for SQLite in a temporary directory, postgres://… (a fresh schema is used), or sqlite://PATH")
	fs.StringVar(&c.epochDB, "epoch-db", defaultPostgres, "PostgreSQL for "+figEpochClose+" (a fresh schema is used); --db wins when it is postgres://…")
	fs.IntVar(&c.epochReports, "epoch-reports", 1_000_000, "witness reports in the epoch "+figEpochClose+" closes")
	fs.IntVar(&c.owners, "owners", 1000, "owners paid per epoch by "+figRewards)
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.StringVar(&c.only, "only", "", "measure only this figure: "+strings.Join(figures, ", "))
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.validate()
}

func (c *config) validate() error {
	switch {
	case c.hotspots < 1 || c.hotspots > 64:
		return fmt.Errorf("--hotspots %d is outside 1..64", c.hotspots)
	case c.devices < 1 || c.devices > 1<<16:
		return fmt.Errorf("--devices %d is outside 1..65536", c.devices)
	case c.inflight < 1 || c.frames < c.devices:
		return fmt.Errorf("--inflight must be positive and --frames at least --devices")
	case c.duration <= 0 || c.latencyFor <= 0 || c.warmup < 0:
		return fmt.Errorf("--duration and --latency-for must be positive, --warmup not negative")
	case c.latencyLoad <= 0 || c.latencyLoad > 1:
		return fmt.Errorf("--latency-load %g is outside (0, 1]", c.latencyLoad)
	case c.epochReports < 14 || c.owners < 1:
		return fmt.Errorf("--epoch-reports must be at least 14 and --owners positive")
	case c.only != "" && !slices.Contains(figures, c.only):
		return fmt.Errorf("--only %q: want one of %s", c.only, strings.Join(figures, ", "))
	}
	return nil
}

func (c *config) want(fig string) bool { return c.only == "" || c.only == fig }

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile, err := startProfile(cfg.cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	code, err := run(ctx, cfg, os.Stdout)
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		code = 1
	}
	os.Exit(code)
}

// startProfile starts a CPU profile into path ("": none) and returns what
// ends it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// run measures every figure wanted; the status is 1 when the pipeline lost
// anything.
func run(ctx context.Context, cfg *config, out io.Writer) (int, error) {
	start := time.Now()
	code := 0
	if cfg.want(figUplinks) || cfg.want(figP50) || cfg.want(figP99) {
		var err error
		if code, err = runPipeline(ctx, cfg, out); err != nil {
			return 0, err
		}
	}
	for _, f := range oracleFigures {
		if !cfg.want(f.name) {
			continue
		}
		t := time.Now()
		if err := f.run(ctx, cfg, out); err != nil {
			return 0, fmt.Errorf("%s: %w", f.name, err)
		}
		progress("%s took %s", f.name, time.Since(t).Round(time.Millisecond))
	}
	progress("done in %s", time.Since(start).Round(time.Millisecond))
	return code, nil
}

// runPipeline measures both flows and prints the pipeline figures; the
// status is 1 when anything was lost.
func runPipeline(ctx context.Context, cfg *config, out io.Writer) (int, error) {
	start := time.Now()
	f, err := buildFleet(cfg.devices, cfg.frames)
	if err != nil {
		return 0, err
	}
	progress("%d devices, %d frames of %d bytes prepared in %s", cfg.devices, len(f.frames), phySize, time.Since(start).Round(time.Millisecond))
	wantLat := cfg.want(figP50) || cfg.want(figP99)
	latRate := 0.0
	e2e, err := routerFlow(cfg, f).run(ctx, cfg, f, true, func(rate float64) float64 {
		if wantLat {
			latRate = cfg.latencyLoad * rate
			progress("latency is measured at %.0f frames/s for both flows (router dedup window at its default, included)", latRate)
		}
		return latRate
	})
	if err != nil {
		return 0, err
	}
	base, err := relayFlow(f).run(ctx, cfg, f, cfg.want(figUplinks), func(float64) float64 { return latRate })
	if err != nil {
		return 0, err
	}
	printFigures(out, cfg, e2e, base)
	progress("pipeline figures took %s", time.Since(start).Round(time.Millisecond))
	return reportProblems(e2e, base), nil
}

func printFigures(out io.Writer, cfg *config, e2e, base result) {
	if cfg.want(figUplinks) {
		fmt.Fprintln(out, line(figUplinks, "uplinks/s", "%.1f", e2e.rate, base.rate))
	}
	if cfg.want(figP50) {
		fmt.Fprintln(out, line(figP50, "ms", "%.2f", ms(e2e.p50), ms(base.p50)))
	}
	if cfg.want(figP99) {
		fmt.Fprintln(out, line(figP99, "ms", "%.2f", ms(e2e.p99), ms(base.p99)))
	}
}

func line(name, unit, format string, value, baseline float64) string {
	ratio := math.NaN()
	if baseline > 0 {
		ratio = value / baseline
	}
	return lineWithRatio(name, unit, format, value, baseline, ratio)
}

// lineWithRatio is line for figures whose ratio is not value/baseline
// (epoch_close_1m: baseline time / value time, so higher is better).
func lineWithRatio(name, unit, format string, value, baseline, ratio float64) string {
	return fmt.Sprintf("BENCH %s "+format+" %s baseline="+format+" ratio=%.3f", name, value, unit, baseline, ratio)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// reportProblems prints every loss loudly and returns the exit status.
func reportProblems(e2e, base result) int {
	all := append(prefixed("e2e", e2e.problems), prefixed("baseline", base.problems)...)
	if len(all) == 0 {
		progress("no losses: every frame sent reached the application exactly once")
		return 0
	}
	fmt.Fprintln(os.Stderr, "bench: !!!!!!!! LOSSES — the figures above are not clean !!!!!!!!")
	for _, p := range all {
		fmt.Fprintln(os.Stderr, "bench: !!! "+p)
	}
	return 1
}

func prefixed(prefix string, ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = prefix + ": " + p
	}
	return out
}
