// Command hotspotd runs on a LoRa gateway next to the Semtech packet
// forwarder: it speaks GWMP to the forwarder and MQTT to the hexnet network,
// signing every report with the hotspot's key.
//
//	hotspotd --key FILE --gwmp-listen HOST:PORT --mqtt tcp://HOST:PORT [--oracle ADDRESS]
//	hotspotd keygen --out FILE
//	hotspotd status [--status-listen 127.0.0.1:1681] [--json]
//	hotspotd forwarder-config --region EU868 --chip sx1302
//	hotspotd config [flags]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/cli"
	"github.com/hexnet/hexnet/metrics"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/region"
)

// version is stamped by the build (-X main.version=...).
var version = "dev"

// Config is hotspotd's configuration.
type Config struct {
	Key           string        `toml:"key" help:"hotspot key file: Solana CLI keypair JSON, mode 0600 (create with: hotspotd keygen --out FILE)"`
	GWMPListen    string        `toml:"gwmp_listen" help:"UDP address the packet forwarder sends to (its server_address/serv_port_up/down)"`
	MQTT          string        `toml:"mqtt" help:"MQTT broker URL, tcp://HOST:PORT"`
	MQTTPassword  string        `toml:"mqtt_password" help:"fixed MQTT password (from: hexnet broker password --user ADDRESS) for a Mosquitto configured by hexnet broker mosquitto-config; prefer HEXNET_MQTT_PASSWORD or the TOML file to the flag, which ps shows; empty: log in with a short-lived token signed by the key"`
	MetricsListen string        `toml:"metrics_listen" help:"address for Prometheus /metrics; empty disables"`
	StatsInterval time.Duration `toml:"stats_interval" help:"how often to publish stats on hexnet/hotspot/{id}/stats"`
	Oracle        string        `toml:"oracle" help:"base58 address of the oracle whose signed challenges make this hotspot beacon; empty refuses every challenge"`
	LogLevel      string        `toml:"log_level" help:"debug, info, warn or error"`
	Region        string        `toml:"region" help:"LoRaWAN region (EU868, US915, AU915, AS923-1..4, IN865, KR920, ...): downlink and beacon power is capped at its maximum EIRP minus antenna_gain; empty: no cap"`
	AntennaGain   float64       `toml:"antenna_gain" help:"antenna gain in dBi, subtracted from the region's maximum EIRP (leave the packet forwarder's own antenna_gain at 0)"`
	QueueDir      string        `toml:"queue_dir" help:"directory of the durable queue: uplinks and PoC reports are stored there until the broker acknowledges them (survives outages, crashes, reboots); empty keeps them in memory only"`
	QueueMaxMB    int           `toml:"queue_max_mb" help:"disk budget of queue_dir in MiB; when full, the oldest messages are dropped (counted); 0: 64"`

	// Owner-facing services (status.go, update.go).
	StatusListen   string        `toml:"status_listen" help:"loopback address of the status endpoint that 'hotspotd status' reads (127.0.0.1 or [::1] only); empty disables it"`
	UpdateSource   string        `toml:"update_source" help:"where signed releases are published (an http(s):// URL or a directory holding manifest.json, manifest.json.sig and the binaries); empty disables self-update"`
	UpdateKey      string        `toml:"update_key" help:"base58 address of the release key; only manifests it signed replace this binary"`
	UpdateInterval time.Duration `toml:"update_interval" help:"how often to check update_source for a newer release"`
}

func defaults() *Config {
	return &Config{
		GWMPListen:    "127.0.0.1:1680",
		MQTT:          "tcp://127.0.0.1:1883",
		MetricsListen: "127.0.0.1:9101",
		StatsInterval: 30 * time.Second,
		LogLevel:      "info",

		StatusListen:   hotspot.DefaultStatusListen,
		UpdateInterval: 6 * time.Hour,
	}
}

// Validate checks the fields hotspotd cannot run without.
func (c *Config) Validate() error {
	switch {
	case c.Key == "":
		return config.Errorf("key", "required: the hotspot's key file (create one with: hotspotd keygen --out FILE)")
	case c.GWMPListen == "":
		return config.Errorf("gwmp_listen", "required, e.g. 127.0.0.1:1680")
	case !strings.HasPrefix(c.MQTT, "tcp://"):
		return config.Errorf("mqtt", "%q: want tcp://HOST:PORT", c.MQTT)
	case c.StatsInterval < time.Second:
		return config.Errorf("stats_interval", "%s is too short (at least 1s)", c.StatsInterval)
	case c.Region != "" && !knownRegion(c.Region):
		return config.Errorf("region", "%q is not a known region; known regions: %s", c.Region, strings.Join(region.Names(), ", "))
	case c.QueueMaxMB < 0 || c.QueueMaxMB > 1<<20:
		return config.Errorf("queue_max_mb", "%d is outside 0 (default, 64) to 1048576", c.QueueMaxMB)
	case c.AntennaGain < -10 || c.AntennaGain > 30:
		return config.Errorf("antenna_gain", "%v dBi is implausible (want -10 to 30)", c.AntennaGain)
	case c.Oracle != "" && !identity.Address(c.Oracle).Valid():
		return config.Errorf("oracle", "%q is not a base58 ed25519 public key (the oracle's address, as the oracle prints it)", c.Oracle)
	}
	return c.validateOps()
}

func main() {
	cfg := defaults()
	cli.Program{
		Name:     "hotspotd",
		Config:   cfg,
		Run:      func(ctx context.Context, _ []string) error { return exitIfUpdated(run(ctx, cfg)) },
		Commands: map[string]cli.Command{"keygen": keygen, "status": showStatus, "version": printVersion, "forwarder-config": forwarderConfig},
	}.Main()
}

func run(ctx context.Context, cfg *Config) error {
	log, err := cli.Logger(os.Stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	key, err := identity.Load(cfg.Key)
	if err != nil {
		return config.Errorf("key", "%v", err)
	}
	log = log.With("hotspot", key.Address())
	reg := metrics.NewRegistry()
	ms, err := metrics.Listen(cfg.MetricsListen, reg)
	if err != nil {
		return err
	}
	log.Info("connecting", "mqtt", cfg.MQTT, "version", version)
	// With a durable queue, serve the forwarder even while the broker is
	// unreachable: what arrives is kept on disk until it is back.
	bus, err := hotspot.DialWith(ctx, hotspot.DialOptions{Key: key, Broker: cfg.MQTT, Password: cfg.MQTTPassword, Logger: log, Version: version,
		Background: cfg.QueueDir != ""})
	if err != nil {
		return err
	}
	defer hangup(bus, key, log)
	d, err := hotspot.New(hotspot.Options{
		Key: key, GWMPListen: cfg.GWMPListen, Bus: bus, Logger: log,
		Registerer: reg, Version: version, StatsInterval: cfg.StatsInterval, Oracle: identity.Address(cfg.Oracle),
		Region: cfg.Region, AntennaGainDBi: cfg.AntennaGain,
		QueueDir: cfg.QueueDir, QueueMaxBytes: int64(cfg.QueueMaxMB) << 20,
	})
	if err != nil {
		return err
	}
	if err := d.Listen(); err != nil {
		return err
	}
	log.Info("packet forwarder endpoint", "gwmp", d.Addr().String())
	ops, err := newOps(cfg, d, reg, log)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.Run(ctx) })
	g.Go(func() error { return ms.Run(ctx, log) })
	for _, op := range ops {
		g.Go(func() error { return op(ctx) })
	}
	return g.Wait()
}

// hangup announces the hotspot offline and disconnects. The run's context
// has ended by then, so the announcement gets a deadline of its own.
func hangup(bus *mqttclient.Client, key *identity.Key, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := hotspot.Hangup(ctx, bus, key, version); err != nil {
		log.Warn("could not announce the hotspot offline", "err", err)
	}
}

func keygen(args []string) error {
	fs := flag.NewFlagSet("hotspotd keygen", flag.ContinueOnError)
	out := fs.String("out", "", "where to write the new key file (mode 0600; never overwritten)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("keygen: --out FILE is required")
	}
	k, err := identity.Generate()
	if err != nil {
		return err
	}
	if err := k.Save(*out); err != nil {
		return err
	}
	fmt.Println(k.Address())
	return nil
}

func printVersion([]string) error {
	fmt.Println(version)
	return nil
}
