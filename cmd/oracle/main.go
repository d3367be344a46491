// Command oracle runs hexnet's proof-of-coverage oracle against any MQTT
// broker, store and Solana JSON-RPC endpoint:
//
//	oracle --db postgres://… --mqtt tcp://HOST:PORT --solana-rpc URL --key FILE
//	oracle config [flags]
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gagliardetto/solana-go/rpc"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/cli"
	"github.com/hexnet/hexnet/metrics"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/daemon"
	"github.com/hexnet/hexnet/oracle/payout"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/backend"
)

var version = "dev"

// Config is the oracle's configuration.
type Config struct {
	Key            string        `toml:"key" help:"the oracle's key file (Solana keypair, mode 0600): signs challenges, pays fees, is the reward mint's authority"`
	DB             string        `toml:"db" help:"store URL: postgres://USER@HOST:PORT/DB or sqlite://PATH"`
	MQTT           string        `toml:"mqtt" help:"MQTT broker URL, tcp://HOST:PORT"`
	MQTTUsername   string        `toml:"mqtt_username" help:"MQTT username, if the broker asks for one"`
	MQTTPassword   string        `toml:"mqtt_password" help:"MQTT password"`
	SolanaRPC      string        `toml:"solana_rpc" help:"Solana JSON-RPC URL to pay rewards on; empty closes epochs without paying"`
	APIListen      string        `toml:"api_listen" help:"address of the HTTP API (/api/v1/...)"`
	MetricsListen  string        `toml:"metrics_listen" help:"address for Prometheus /metrics; empty disables"`
	Genesis        string        `toml:"genesis" help:"start of epoch 0, RFC 3339; every oracle and verifier must agree on it"`
	Epoch          time.Duration `toml:"epoch" help:"epoch length"`
	EpochGrace     time.Duration `toml:"epoch_grace" help:"how long after an epoch ends its late reports are still accepted"`
	Round          time.Duration `toml:"round" help:"challenge round length"`
	BeaconInterval time.Duration `toml:"beacon_interval" help:"how often each hotspot beacons on average"`
	Emission       uint64        `toml:"emission" help:"reward per epoch in the mint's base units"`
	ShareGroup     string        `toml:"share_group" help:"MQTT shared-subscription group for reports"`
	AutoMigrate    bool          `toml:"auto_migrate" help:"apply pending database migrations at start"`
	LogLevel       string        `toml:"log_level" help:"debug, info, warn or error"`
}

func defaults() *Config {
	return &Config{
		DB: "sqlite://hexnet-oracle.db", MQTT: "tcp://127.0.0.1:1883", APIListen: "127.0.0.1:8080", MetricsListen: "127.0.0.1:9103",
		Genesis: "2026-01-01T00:00:00Z", Epoch: 24 * time.Hour, EpochGrace: 10 * time.Minute, Round: time.Minute,
		BeaconInterval: 6 * time.Hour, Emission: oracle.DefaultEmission, AutoMigrate: true, LogLevel: "info",
	}
}

// Validate checks every field before anything starts.
func (c *Config) Validate() error {
	if _, _, err := store.ParseURL(c.DB); err != nil {
		return config.Errorf("db", "%v", err)
	}
	if _, err := time.Parse(time.RFC3339, c.Genesis); err != nil {
		return config.Errorf("genesis", "%q is not an RFC 3339 time", c.Genesis)
	}
	switch {
	case c.Key == "":
		return config.Errorf("key", "required (create one with: hexnet keygen --out FILE)")
	case !strings.HasPrefix(c.MQTT, "tcp://"):
		return config.Errorf("mqtt", "%q: want tcp://HOST:PORT", c.MQTT)
	case c.Epoch < time.Second:
		return config.Errorf("epoch", "%s is too short", c.Epoch)
	case c.EpochGrace < 0 || c.EpochGrace >= c.Epoch:
		return config.Errorf("epoch_grace", "must be shorter than the epoch (%s)", c.Epoch)
	case c.Round <= 0 || c.Round > c.BeaconInterval:
		return config.Errorf("round", "must be positive and at most the beacon interval (%s)", c.BeaconInterval)
	}
	return nil
}

func main() {
	cfg := defaults()
	cli.Program{Name: "oracle", Config: cfg, Run: func(ctx context.Context, _ []string) error { return run(ctx, cfg) }}.Main()
}

func run(ctx context.Context, cfg *Config) error {
	log, err := cli.Logger(os.Stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	log = log.With("component", "oracle")
	key, err := identity.Load(cfg.Key)
	if err != nil {
		return config.Errorf("key", "%v", err)
	}
	db, err := backend.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.AutoMigrate {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	bus, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: cfg.MQTT, ClientID: fmt.Sprintf("oracle-%d", os.Getpid()),
		Username: cfg.MQTTUsername, Password: cfg.MQTTPassword, Logger: log})
	if err != nil {
		return err
	}
	defer bus.Close()
	reg := metrics.NewRegistry()
	o, err := daemon.New(ctx, options(cfg, key, db, bus, reg, log))
	if err != nil {
		return err
	}
	return serve(ctx, cfg, o, reg, log)
}

func options(cfg *Config, key *identity.Key, db backend.Backend, bus *mqttclient.Client, reg *prometheus.Registry, log *slog.Logger) daemon.Options {
	genesis, _ := time.Parse(time.RFC3339, cfg.Genesis)
	rules := oracle.DefaultRules(key.Address())
	rules.Emission = cfg.Emission
	var chain payout.RPC
	if cfg.SolanaRPC != "" {
		chain = rpc.New(cfg.SolanaRPC)
	}
	return daemon.Options{
		Key: key, Store: db, Bus: bus, Solana: chain,
		Schedule: oracle.Schedule{Genesis: genesis, Length: cfg.Epoch, Grace: cfg.EpochGrace}, Rules: rules,
		RoundLength: cfg.Round, BeaconInterval: cfg.BeaconInterval, MintDecimals: 6, ShareGroup: cfg.ShareGroup,
		Clock: clock.Real{}, Logger: log, Registerer: reg,
		OnEpoch: func(ev daemon.Event) {
			if ev.Result != nil {
				log.Info("epoch closed", "epoch", ev.Epoch.Number, "root", fmt.Sprintf("%x", ev.Result.Root), "hotspots_paid", len(ev.Result.Manifest.Entries))
			}
		},
	}
}

// serve runs the oracle, its HTTP API and metrics until ctx ends.
func serve(ctx context.Context, cfg *Config, o *daemon.Oracle, reg *prometheus.Registry, log *slog.Logger) error {
	ms, err := metrics.Listen(cfg.MetricsListen, reg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.APIListen)
	if err != nil {
		return config.Errorf("api_listen", "%v", err)
	}
	srv := &http.Server{Handler: o.Handler(), ReadHeaderTimeout: 5 * time.Second}
	log.Info("oracle running", "api", "http://"+ln.Addr().String()+"/api/v1/epochs", "mint", o.Mint(), "version", version)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return o.Run(ctx) })
	g.Go(func() error { return ms.Run(ctx, log) })
	g.Go(func() error {
		go func() { <-ctx.Done(); srv.Close() }()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	return g.Wait()
}
