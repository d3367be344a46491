// Package hotspot is the core of hotspotd, the daemon that runs on a LoRa
// gateway next to its packet forwarder. It serves Semtech's GWMP over UDP to
// the forwarder and bridges it to MQTT: every frame received with a good CRC
// is signed and published as an Uplink; Downlinks from the router are sent to
// the forwarder as PULL_RESP and the forwarder's TX_ACK comes back as a
// signed TxAck.
//
// Proof of coverage: a challenge signed by the configured oracle makes the
// hotspot transmit its beacon (through the same PULL_RESP/TX_ACK path) and
// publish a signed BeaconReport; a received frame of beacon shape is not an
// uplink but a signed WitnessReport. See challenge.go and witness.go.
//
// The UDP loop never waits on MQTT. With Options.QueueDir, uplinks, PoC
// reports and TX acks are sealed and appended to a durable on-disk queue
// (hotspot/queue) and published from it in order, each removed only once
// the broker acknowledged it: nothing the queue accepted is lost to a broker
// outage, a crash or a restart; only its disk budget drops (oldest first,
// counted). Without it, messages go through a bounded in-memory queue that
// a few publishers drain: uplinks whose publish times out (PublishTimeout)
// or that find the queue full are counted
// (hexnet_hotspot_drops_total{reason="publish_failed"|"queue_full"}) and
// logged at Warn. See publish.go.
//
// The package is CGO-free and imports no h3-go, pgx or solana-go: it is
// cross-compiled for gateway hardware.
package hotspot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

// Bus is the MQTT connection the daemon publishes and subscribes through;
// *mqttclient.Client satisfies it. (The handler parameter is
// mqttclient.Handler, i.e. func(topic string, payload []byte): Go needs the
// identical named type for *mqttclient.Client to implement the interface.)
type Bus interface {
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
	Subscribe(ctx context.Context, topic string, qos byte, h mqttclient.Handler) error
}

var _ Bus = (*mqttclient.Client)(nil)

// Defaults and limits.
const (
	DefaultGWMPListen    = "127.0.0.1:1700"
	DefaultStatsInterval = 30 * time.Second
	// PublishTimeout bounds how long one publish waits for the broker.
	PublishTimeout = 10 * time.Second
	// TxAckTimeout is how long a PULL_RESP waits for its TX_ACK before the
	// downlink is acknowledged with ErrNoTxAck.
	TxAckTimeout = 5 * time.Second
	queueSize    = 4096
	publishers   = 8
	flushTimeout = 2 * time.Second
)

// Options configure a Daemon.
type Options struct {
	// Key is the hotspot's identity; it signs everything published.
	Key *identity.Key
	// GWMPListen is the UDP address for the packet forwarder
	// (default 127.0.0.1:1700; "127.0.0.1:0" picks a free port).
	GWMPListen string
	Bus        Bus
	Logger     *slog.Logger
	// Registerer receives the daemon's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Version is reported in Stats.
	Version string
	// StatsInterval is how often Stats is published (default 30 s).
	StatsInterval time.Duration
	// Now tells time (default time.Now).
	Now func() time.Time
	// Oracle is the oracle whose signed challenges the hotspot obeys.
	// Empty: every challenge is refused (counted as "no_oracle").
	Oracle identity.Address
	// Region is the LoRaWAN region plan (region.Lookup): every transmission
	// is capped at its maximum EIRP minus AntennaGainDBi. Empty: no cap; an
	// unknown name is an error from New.
	Region string
	// AntennaGainDBi is the antenna gain in dBi.
	AntennaGainDBi float64
	// QueueDir, when set, is the directory of the durable on-disk queue
	// (hotspot/queue) every uplink, PoC report and TX ack goes through
	// before it is published (see publish.go). Empty: in-memory only.
	QueueDir string
	// QueueMaxBytes is the queue's disk budget (default 64 MiB).
	QueueMaxBytes int64
}

// Daemon is a running hotspot: GWMP server plus MQTT bridge.
type Daemon struct {
	o       Options
	addr    identity.Address
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	queue   chan job
	fwd     forwarderState
	pending *pendingTable
	tx      *txPath // JIT estimate, power cap (downlink.go)
	ready   chan struct{}

	challenges challengeLog // challenges obeyed, own beacons sent
	durable    *durable     // on-disk queue (Options.QueueDir), nil without (publish.go)
	health     health       // start time, last uplink (status.go)

	mu   sync.Mutex // guards conn
	conn net.PacketConn
	seq  uint64 // uplink sequence; only the UDP loop touches it
}

// New checks the options and builds a daemon; it binds nothing yet.
func New(o Options) (*Daemon, error) {
	if o.Key == nil {
		return nil, errors.New("hotspot: no identity key (Options.Key)")
	}
	if o.Bus == nil {
		return nil, errors.New("hotspot: no MQTT bus (Options.Bus)")
	}
	if o.Oracle != "" && !o.Oracle.Valid() {
		return nil, fmt.Errorf("hotspot: oracle address %q is not a base58 ed25519 public key (Options.Oracle)", o.Oracle)
	}
	withDefaults(&o)
	tx, err := newTxPath(o)
	if err != nil {
		return nil, err
	}
	d := &Daemon{
		o:       o,
		addr:    o.Key.Address(),
		log:     o.Logger.With("component", "hotspot"),
		now:     o.Now,
		queue:   make(chan job, queueSize),
		pending: newPendingTable(),
		tx:      tx,
		ready:   make(chan struct{}),
	}
	d.health.started = o.Now()
	m, err := newMetrics(o.Registerer, d.queueLen)
	if err != nil {
		return nil, err
	}
	d.metrics = m
	if err := d.openQueue(); err != nil {
		return nil, err
	}
	return d, nil
}

func withDefaults(o *Options) {
	if o.GWMPListen == "" {
		o.GWMPListen = DefaultGWMPListen
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.StatsInterval <= 0 {
		o.StatsInterval = DefaultStatsInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Address is the hotspot's address (its key's).
func (d *Daemon) Address() identity.Address { return d.addr }

// Listen binds the GWMP UDP socket, so that Addr works before Run. Calling
// it again does nothing.
func (d *Daemon) Listen() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return nil
	}
	conn, err := net.ListenPacket("udp", d.o.GWMPListen)
	if err != nil {
		return fmt.Errorf("hotspot: listen for the packet forwarder on udp %s: %w (is another hotspotd or a bridge running?)", d.o.GWMPListen, err)
	}
	d.conn = conn
	return nil
}

// Ready is closed once Run has subscribed to downlinks and challenges and
// serves the packet forwarder.
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Addr is the bound GWMP address, nil before Listen.
func (d *Daemon) Addr() net.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return nil
	}
	return d.conn.LocalAddr()
}

// Run serves until ctx ends, then closes the socket and flushes what it can
// of the publish queue (for up to 2 s). It listens first if Listen was not
// called. It returns nil after a clean shutdown. Call it once.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.Listen(); err != nil {
		return err
	}
	if err := d.o.Bus.Subscribe(ctx, Topic(d.addr, LeafDown), 1, d.onDownlink); err != nil {
		d.conn.Close()
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("hotspot: subscribe to downlinks: %w", err)
	}
	if err := d.o.Bus.Subscribe(ctx, Topic(d.addr, LeafChallenge), 1, d.onChallenge); err != nil {
		d.conn.Close()
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("hotspot: subscribe to challenges: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.log.Info("hotspot running", "address", d.addr, "gwmp", d.conn.LocalAddr().String(), "version", d.o.Version, "oracle", d.o.Oracle)
	var wg sync.WaitGroup
	defer d.closeQueue() // runs after wg.Wait: nothing appends any more
	d.startPublishers(ctx, &wg)
	wg.Go(func() { d.statsLoop(ctx) })
	wg.Go(func() { d.sweepLoop(ctx) })
	wg.Go(func() {
		<-ctx.Done()
		d.conn.Close()
	})
	close(d.ready)
	err := d.readLoop(ctx)
	cancel()
	wg.Wait()
	return err
}

// readLoop handles datagrams until the socket is closed.
func (d *Daemon) readLoop(ctx context.Context) error {
	buf := make([]byte, 65536)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("hotspot: read GWMP socket: %w", err)
		}
		d.handleDatagram(buf[:n], from)
	}
}

// send writes one datagram to the forwarder.
func (d *Daemon) send(b []byte, to net.Addr) error {
	if _, err := d.conn.WriteTo(b, to); err != nil {
		return fmt.Errorf("send to packet forwarder %s: %w", to, err)
	}
	return nil
}
