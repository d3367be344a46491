// Command router is hexnet's packet router and built-in LoRaWAN network
// server: it takes signed uplinks from hotspots over MQTT, deduplicates,
// verifies and decrypts them, answers joins, and publishes application events.
//
//	router --mqtt tcp://HOST:PORT --db postgres://…|sqlite://PATH [--api-listen HOST:PORT [--api-admin-token-file FILE]]
//	router migrate --db URL
//	router config [flags]
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/brocaar/lorawan"
	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/internal/cli"
	"github.com/hexnet/hexnet/metrics"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/backend"
)

var version = "dev"

// Config is the router's configuration.
type Config struct {
	MQTT              string        `toml:"mqtt" help:"MQTT broker URL, tcp://HOST:PORT"`
	MQTTUsername      string        `toml:"mqtt_username" help:"MQTT username, if the broker asks for one"`
	MQTTPassword      string        `toml:"mqtt_password" help:"MQTT password"`
	DB                string        `toml:"db" help:"store URL: postgres://USER@HOST:PORT/DB or sqlite://PATH"`
	AutoMigrate       bool          `toml:"auto_migrate" help:"apply pending database migrations at start (otherwise run: router migrate)"`
	DedupWindow       time.Duration `toml:"dedup_window" help:"how long to gather copies of one frame from several hotspots"`
	NetID             string        `toml:"net_id" help:"LoRaWAN NetID (6 hex digits) that OTAA DevAddrs are allocated from"`
	Cluster           string        `toml:"cluster" help:"with a PostgreSQL store: the name routers sharing the uplinks use (their MQTT sessions and locks); empty consumes every uplink alone"`
	Partitions        int           `toml:"partitions" help:"with --cluster: how many parts the uplink shards are split into (1, 2, 4, 8, 16, 32 or 64; the same on every instance)"`
	MetricsListen     string        `toml:"metrics_listen" help:"address for Prometheus /metrics; empty disables"`
	APIListen         string        `toml:"api_listen" help:"address of the management API (/api/v1: organisations, applications, devices, routes, balances, API keys), e.g. 127.0.0.1:8081; empty disables. Off loopback it needs api_admin_token_file"`
	APIAdminTokenFile string        `toml:"api_admin_token_file" help:"file of the management API's admin bearer tokens, one per line, mode 0600 (create one with: (umask 077; hexnet apikey new > FILE)); empty: a loopback API takes requests without a token and any other address is refused"`
	LogLevel          string        `toml:"log_level" help:"debug, info, warn or error"`
}

func defaults() *Config {
	return &Config{
		MQTT:          "tcp://127.0.0.1:1883",
		DB:            "sqlite://hexnet-router.db",
		AutoMigrate:   true,
		DedupWindow:   200 * time.Millisecond,
		NetID:         "000001",
		Cluster:       "hexnet-router",
		Partitions:    router.DefaultPartitions,
		MetricsListen: "127.0.0.1:9102",
		LogLevel:      "info",
	}
}

// Validate checks every field before anything starts.
func (c *Config) Validate() error {
	if !strings.HasPrefix(c.MQTT, "tcp://") {
		return config.Errorf("mqtt", "%q: want tcp://HOST:PORT", c.MQTT)
	}
	if _, _, err := store.ParseURL(c.DB); err != nil {
		return config.Errorf("db", "%v", err)
	}
	if c.DedupWindow < 10*time.Millisecond || c.DedupWindow > 2*time.Second {
		return config.Errorf("dedup_window", "%s is outside 10ms..2s (RX1 opens 1 s after the uplink)", c.DedupWindow)
	}
	if _, err := parseNetID(c.NetID); err != nil {
		return config.Errorf("net_id", "%v", err)
	}
	if c.Partitions < 1 || hotspot.UplinkShards%c.Partitions != 0 {
		return config.Errorf("partitions", "%d does not divide the %d uplink shards: use 1, 2, 4, 8, 16, 32 or 64", c.Partitions, hotspot.UplinkShards)
	}
	return nil
}

func parseNetID(s string) (lorawan.NetID, error) {
	var id lorawan.NetID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 3 {
		return id, fmt.Errorf("%q is not 6 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

func main() {
	cfg := defaults()
	cli.Program{
		Name:     "router",
		Config:   cfg,
		Run:      func(ctx context.Context, _ []string) error { return run(ctx, cfg) },
		Commands: map[string]cli.Command{"migrate": migrate},
	}.Main()
}

func run(ctx context.Context, cfg *Config) error {
	log, err := cli.Logger(os.Stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	log = log.With("component", "router")
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
	reg := metrics.NewRegistry()
	ms, err := metrics.Listen(cfg.MetricsListen, reg)
	if err != nil {
		return err
	}
	bus, err := mqttclient.Connect(ctx, mqttclient.Options{
		Broker: cfg.MQTT, ClientID: fmt.Sprintf("router-%d", os.Getpid()),
		Username: cfg.MQTTUsername, Password: cfg.MQTTPassword, Logger: log,
	})
	if err != nil {
		return err
	}
	defer bus.Close()
	netID, _ := parseNetID(cfg.NetID)
	cluster, leave, err := clusterOf(cfg, db, log)
	if err != nil {
		return err
	}
	defer leave()
	r, err := router.New(router.Options{
		Store: db, Bus: bus, Clock: clock.Real{}, DedupWindow: cfg.DedupWindow,
		NetID: netID, Cluster: cluster, Logger: log, Registerer: reg,
	})
	if err != nil {
		return err
	}
	apiSrv, err := listenAPI(cfg.APIListen, cfg.APIAdminTokenFile, r.Store(), r, reg, log) // through the router's cache: its changes are seen at once
	if err != nil {
		return err
	}
	log.Info("router running", "mqtt", cfg.MQTT, "db", redact(cfg.DB), "version", version)
	if apiSrv != nil {
		log.Info("management API listening", "url", apiSrv.URL())
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return apiSrv.Run(ctx) })
	g.Go(func() error { return r.Run(ctx) })
	g.Go(func() error { return ms.Run(ctx, log) })
	return g.Wait()
}

func migrate(args []string) error {
	fs := flag.NewFlagSet("router migrate", flag.ContinueOnError)
	url := fs.String("db", os.Getenv("HEXNET_DB"), "store URL: postgres://… or sqlite://PATH")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	db, err := backend.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Println("migrations applied")
	return nil
}

// redact hides a password in a store URL for logging.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return url[:scheme+3] + user + ":***" + url[at:]
	}
	return url
}
