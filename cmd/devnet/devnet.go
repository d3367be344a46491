package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/metrics"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/sim"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/backend"
)

// netID is the LoRaWAN NetID of the devnet: 000001 is reserved for
// experimental and private networks.
var netID = [3]byte{0, 0, 1}

const internalUser = "devnet"

// devnet is one running local network.
type devnet struct {
	cfg      *Config
	log      *slog.Logger
	out      io.Writer
	broker   *broker.Broker
	password string
	db       backend.Backend
	tmpDir   string
	world    *sim.World
	watch    *watcher
	reg      *prometheus.Registry
	metrics  *metrics.Server
	started  time.Time
	chain    chain
	clients  []*mqttclient.Client
}

// start builds the broker, the store and the simulated world; the daemons
// start in wait.
func start(ctx context.Context, cfg *Config, log *slog.Logger, out io.Writer) (*devnet, error) {
	d := &devnet{cfg: cfg, log: log, out: &lineWriter{w: out}, watch: newWatcher(), reg: metrics.NewRegistry(), password: randomHex(16)}
	if err := d.startBroker(); err != nil {
		return nil, err
	}
	if err := d.openStore(ctx); err != nil {
		d.close()
		return nil, err
	}
	if err := d.buildWorld(ctx); err != nil {
		d.close()
		return nil, err
	}
	if err := d.startPoC(ctx); err != nil {
		d.close()
		return nil, err
	}
	ms, err := metrics.Listen(cfg.MetricsListen, d.reg)
	if err != nil {
		d.close()
		return nil, err
	}
	d.metrics = ms
	return d, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *devnet) startBroker() error {
	b, err := broker.Start(broker.Options{
		Listen:        d.cfg.MQTTListen,
		Users:         map[string]string{internalUser: d.password},
		AnonymousRead: []string{"hexnet/app/"},
		HotspotAuth:   &brokerauth.Verifier{},
		Logger:        d.log,
	})
	if err != nil {
		return err
	}
	d.broker = b
	return nil
}

func (d *devnet) openStore(ctx context.Context) error {
	url := d.cfg.DB
	if url == "" {
		dir, err := os.MkdirTemp("", "hexnet-devnet-")
		if err != nil {
			return fmt.Errorf("temporary store directory: %w", err)
		}
		d.tmpDir = dir
		url = "sqlite://" + filepath.Join(dir, "devnet.db")
	}
	db, err := backend.Open(ctx, url)
	if err != nil {
		return err
	}
	d.db = db
	return db.Migrate(ctx)
}

func (d *devnet) buildWorld(ctx context.Context) error {
	w, err := sim.NewWorld(sim.Config{
		City: d.cfg.City, Hotspots: d.cfg.Hotspots, Devices: d.cfg.Devices, Seed: d.cfg.Seed,
		UplinkInterval: d.cfg.UplinkInterval, OTAAShare: d.cfg.OTAAShare,
		Application: d.cfg.Application, NetID: netID, Logger: d.log.With("component", "sim"),
	})
	if err != nil {
		return err
	}
	d.world = w
	return d.register(ctx)
}

// register puts the simulated devices into the router's registry, as their
// owners would. A store kept from an earlier run (--db) already holds them
// with that run's sessions and used DevNonces; simulated devices start from
// scratch each run, so their registrations are replaced.
func (d *devnet) register(ctx context.Context) error {
	for _, r := range d.world.Registrations() {
		if err := d.replaceDevice(ctx, r.Device); err != nil {
			return fmt.Errorf("register device %s: %w", r.Device.DevEUI, err)
		}
		if r.Session != nil {
			if err := d.db.SaveSession(ctx, *r.Session); err != nil {
				return fmt.Errorf("ABP session of %s: %w", r.Device.DevEUI, err)
			}
		}
	}
	return nil
}

func (d *devnet) replaceDevice(ctx context.Context, dev router.Device) error {
	err := d.db.CreateDevice(ctx, dev)
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	if err := d.db.DeleteDevice(ctx, dev.DevEUI); err != nil {
		return err
	}
	return d.db.CreateDevice(ctx, dev)
}

// startPoC starts the Solana runtime, onboards the simulated hotspots and
// builds the oracle.
func (d *devnet) startPoC(ctx context.Context) error {
	d.chain.key = deriveKey(d.cfg.Seed, "oracle", 0)
	for i := 0; i < max(1, d.cfg.Hotspots/3); i++ {
		d.chain.owners = append(d.chain.owners, deriveKey(d.cfg.Seed, "owner", i))
	}
	d.chain.paid, d.chain.earned, d.chain.provedBy = map[uint64][]string{}, map[identity.Address]uint64{}, map[identity.Address]uint64{}
	if err := d.startSolana(ctx); err != nil {
		return err
	}
	if err := d.onboard(ctx); err != nil {
		return err
	}
	return d.startOracle(ctx)
}

func (d *devnet) close() {
	closeAll(d.clients)
	if d.chain.api != nil {
		d.chain.api.Close()
	}
	if d.chain.localnet != nil {
		d.chain.localnet.Close()
	}
	if d.db != nil {
		d.db.Close()
	}
	if d.broker != nil {
		d.broker.Close()
	}
	if d.tmpDir != "" {
		os.RemoveAll(d.tmpDir)
	}
}

func (d *devnet) connect(ctx context.Context, id, user, pass string) (*mqttclient.Client, error) {
	return mqttclient.Connect(ctx, mqttclient.Options{
		Broker: d.broker.URL(), ClientID: id, Username: user, Password: pass, Logger: d.log,
	})
}

// wait runs the network until ctx ends, then drains and summarises.
func (d *devnet) wait(ctx context.Context) (summary, error) {
	defer d.close()
	runCtx, stopAll := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAll()
	g, gctx := errgroup.WithContext(runCtx)
	clients, gateways, err := d.startDaemons(gctx, g)
	defer closeAll(clients)
	if err != nil {
		return summary{}, err
	}
	d.banner()
	simCtx, stopSim := context.WithCancel(gctx)
	defer stopSim()
	d.started = time.Now()
	g.Go(func() error { return d.world.Run(simCtx, gateways) })
	g.Go(func() error { return d.chain.oracle.Run(gctx) })
	g.Go(func() error { return serveAPI(gctx, d.chain.api, d.chain.apiLn) })
	g.Go(func() error { return d.metrics.Run(gctx, d.log) })
	g.Go(func() error { d.progress(simCtx); return nil })
	select {
	case <-ctx.Done():
	case <-gctx.Done():
	}
	stopSim()
	d.drain(gctx)
	elapsed := time.Since(d.started)
	d.awaitPayment(gctx)
	d.verifyClosed(gctx)
	stopAll()
	if err := g.Wait(); err != nil {
		return summary{}, err
	}
	return d.summarise(elapsed), nil
}

// startDaemons starts the router, one hotspotd per simulated gateway and
// the watcher, returning the MQTT clients to close and each hotspotd's
// GWMP address.
func (d *devnet) startDaemons(ctx context.Context, g *errgroup.Group) ([]*mqttclient.Client, []string, error) {
	var clients []*mqttclient.Client
	rc, err := d.connect(ctx, "router", internalUser, d.password)
	if err != nil {
		return nil, nil, err
	}
	clients = append(clients, rc)
	r, err := router.New(router.Options{
		Store: d.db, Bus: rc, Clock: clock.Real{}, DedupWindow: d.cfg.DedupWindow, NetID: netID,
		Logger: d.log.With("component", "router"), Registerer: d.reg,
	})
	if err != nil {
		return clients, nil, err
	}
	g.Go(func() error { return r.Run(ctx) })
	gateways, hc, err := d.startHotspots(ctx, g)
	clients = append(clients, hc...)
	if err != nil {
		return clients, nil, err
	}
	wc, err := d.startWatcher(ctx)
	return append(clients, wc...), gateways, err
}

func (d *devnet) startHotspots(ctx context.Context, g *errgroup.Group) ([]string, []*mqttclient.Client, error) {
	var addrs []string
	var clients []*mqttclient.Client
	for _, h := range d.world.Hotspots() {
		log := d.log.With("component", "hotspotd", "hotspot", h.Address)
		// Each hotspot logs in as itself with a token signed by its key;
		// the broker lets it publish only under its own id.
		bus, err := hotspot.DialWith(ctx, hotspot.DialOptions{Key: h.Key, Broker: d.broker.URL(), Logger: log, Version: version})
		if err != nil {
			return addrs, clients, err
		}
		clients = append(clients, bus)
		hd, err := hotspot.New(hotspot.Options{
			Key: h.Key, GWMPListen: "127.0.0.1:0", Bus: bus, Logger: log, Version: version, Oracle: d.chain.key.Address(),
			Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"hotspot": h.Address.String()}, d.reg),
		})
		if err == nil {
			err = hd.Listen()
		}
		if err != nil {
			return addrs, clients, err
		}
		addrs = append(addrs, hd.Addr().String())
		g.Go(func() error { return hd.Run(ctx) })
	}
	return addrs, clients, nil
}

// startWatcher subscribes like an outside application: anonymously, to
// hexnet/app/#; hotspot states are read with the internal account.
func (d *devnet) startWatcher(ctx context.Context) ([]*mqttclient.Client, error) {
	app, err := d.connect(ctx, "devnet-watcher", "", "")
	if err != nil {
		return nil, err
	}
	state, err := d.connect(ctx, "devnet-state", internalUser, d.password)
	if err != nil {
		return []*mqttclient.Client{app}, err
	}
	return []*mqttclient.Client{app, state}, d.watch.subscribe(ctx, app, state)
}

func closeAll(clients []*mqttclient.Client) {
	for i := len(clients) - 1; i >= 0; i-- {
		clients[i].Close()
	}
}

// drain waits until deliveries stop arriving after the simulation stopped:
// frames already on their way get the dedup window and processing time.
func (d *devnet) drain(ctx context.Context) {
	deadline := time.Now().Add(5 * time.Second)
	last, quietSince := -1, time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n := d.watch.snapshot().Events
		if n != last {
			last, quietSince = n, time.Now()
		} else if time.Since(quietSince) > d.cfg.DedupWindow+700*time.Millisecond {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serveAPI serves the oracle's HTTP API until ctx ends.
func serveAPI(ctx context.Context, srv *http.Server, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("oracle API: %w", err)
	}
	return nil
}

// awaitPayment gives the payer up to 10 s to pay the epochs that closed,
// so the summary and the verification see them on chain.
func (d *devnet) awaitPayment(ctx context.Context) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		d.chain.mu.Lock()
		done := len(d.chain.paid) >= len(d.chain.closed)
		d.chain.mu.Unlock()
		if done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lineWriter serialises writes: progress, epoch and summary lines come from
// several goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
