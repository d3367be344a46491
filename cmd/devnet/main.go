// Command devnet runs a whole hexnet network on one machine: an embedded
// MQTT broker, an embedded SQLite store, simulated packet forwarders and
// LoRaWAN devices over a real city, one hotspotd per simulated gateway, and
// the router. Decoded uplinks appear on hexnet/app/{app}/device/{devEUI}/event/up.
//
//	devnet --mqtt-listen HOST:PORT --seed N --for DURATION
//
// When it stops it prints a summary whose last line is one JSON object.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/internal/cli"
	"github.com/hexnet/hexnet/store"
)

var version = "dev"

// Config is the devnet's configuration.
type Config struct {
	City           string        `toml:"city" help:"city to place hotspots and devices in"`
	Hotspots       int           `toml:"hotspots" help:"number of simulated hotspots (each with its own hotspotd)"`
	Devices        int           `toml:"devices" help:"number of simulated LoRaWAN devices"`
	OTAAShare      float64       `toml:"otaa_share" help:"share of devices that join over the air (the rest are ABP)"`
	UplinkInterval time.Duration `toml:"uplink_interval" help:"mean time between a device's uplinks"`
	Seed           int64         `toml:"seed" help:"seed of the simulated world (same seed, same world)"`
	MQTTListen     string        `toml:"mqtt_listen" help:"embedded MQTT broker address; port 0 picks a free one"`
	MetricsListen  string        `toml:"metrics_listen" help:"Prometheus /metrics address; port 0 picks a free one; empty disables"`
	DB             string        `toml:"db" help:"store URL (sqlite://PATH or postgres://…); empty uses SQLite in a temporary directory"`
	DedupWindow    time.Duration `toml:"dedup_window" help:"router dedup window"`
	For            time.Duration `toml:"for" help:"stop by itself after this long (0 runs until Ctrl-C)"`
	Progress       time.Duration `toml:"progress" help:"how often to print progress"`
	Application    string        `toml:"application" help:"application id the simulated devices belong to"`
	LogLevel       string        `toml:"log_level" help:"debug, info, warn or error (components' logs; progress is always shown)"`
	APIListen      string        `toml:"api_listen" help:"the oracle's HTTP API address; port 0 picks a free one"`
	SolanaListen   string        `toml:"solana_listen" help:"the local Solana JSON-RPC address; port 0 picks a free one"`
	Epoch          time.Duration `toml:"epoch" help:"epoch length: rewards are computed and paid once per epoch"`
	EpochGrace     time.Duration `toml:"epoch_grace" help:"how long after an epoch ends late reports are still accepted"`
	Round          time.Duration `toml:"round" help:"challenge round length"`
	BeaconInterval time.Duration `toml:"beacon_interval" help:"how often each hotspot beacons on average"`
}

func defaults() *Config {
	return &Config{
		City: "zurich", Hotspots: 10, Devices: 20, OTAAShare: 0.5, UplinkInterval: 10 * time.Second,
		Seed: 1, MQTTListen: "127.0.0.1:0", MetricsListen: "127.0.0.1:0",
		DedupWindow: 200 * time.Millisecond, Progress: 5 * time.Second, Application: "devnet", LogLevel: "warn",
		APIListen: "127.0.0.1:0", SolanaListen: "127.0.0.1:0", Epoch: time.Minute, EpochGrace: 10 * time.Second,
		Round: 10 * time.Second, BeaconInterval: 30 * time.Second,
	}
}

// Validate checks the configuration before anything starts.
func (c *Config) Validate() error {
	switch {
	case c.Hotspots < 1 || c.Hotspots > 2000:
		return config.Errorf("hotspots", "%d is outside 1..2000", c.Hotspots)
	case c.Devices < 0 || c.Devices > 100000:
		return config.Errorf("devices", "%d is outside 0..100000", c.Devices)
	case c.OTAAShare < 0 || c.OTAAShare > 1:
		return config.Errorf("otaa_share", "%g is outside 0..1", c.OTAAShare)
	case c.UplinkInterval < 100*time.Millisecond:
		return config.Errorf("uplink_interval", "%s is too short (at least 100ms)", c.UplinkInterval)
	case c.MQTTListen == "":
		return config.Errorf("mqtt_listen", "required, e.g. 127.0.0.1:0")
	case c.For < 0:
		return config.Errorf("for", "must not be negative")
	case c.Progress < 100*time.Millisecond:
		return config.Errorf("progress", "%s is too short", c.Progress)
	case c.Application == "":
		return config.Errorf("application", "required")
	case c.Epoch < 5*time.Second:
		return config.Errorf("epoch", "%s is too short (at least 5s)", c.Epoch)
	case c.EpochGrace < 0 || c.EpochGrace >= c.Epoch:
		return config.Errorf("epoch_grace", "%s must be shorter than the epoch (%s)", c.EpochGrace, c.Epoch)
	case c.Round < time.Second || c.Round > c.BeaconInterval:
		return config.Errorf("round", "%s must be at least 1s and at most the beacon interval (%s)", c.Round, c.BeaconInterval)
	}
	if c.DB != "" {
		if _, _, err := store.ParseURL(c.DB); err != nil {
			return config.Errorf("db", "%v", err)
		}
	}
	return nil
}

func main() {
	cfg := defaults()
	cli.Program{
		Name:   "devnet",
		Config: cfg,
		Run:    func(ctx context.Context, _ []string) error { return run(ctx, cfg, os.Stdout) },
	}.Main()
}

func run(ctx context.Context, cfg *Config, out io.Writer) error {
	log, err := cli.Logger(os.Stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	if cfg.For > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.For)
		defer cancel()
	}
	d, err := start(ctx, cfg, log, out)
	if err != nil {
		return err
	}
	sum, err := d.wait(ctx)
	if err != nil {
		return err
	}
	return printSummary(out, sum)
}

func printSummary(out io.Writer, s summary) error {
	fmt.Fprintf(out, "\ndevnet summary: %d frames sent, %d heard by at least one hotspot, %d delivered to the application (%d missing, %d duplicated), %d joins, %.2f copies per frame\n",
		s.FramesSent, s.FramesHeard, s.UplinksDelivered, s.Missing, s.Duplicates, s.Joins, s.CopiesPerFrame)
	line, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(line))
	return err
}
