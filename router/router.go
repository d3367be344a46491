// Package router is hexnet's packet router and built-in LoRaWAN 1.0.x
// network server (EU868): it takes signed uplinks from hotspots over MQTT,
// deduplicates the copies of each frame, answers joins, checks MICs and
// frame counters, decrypts payloads, publishes ChirpStack-shaped application
// events and keeps the data-transfer ledger.
//
// The pipeline: HandleUplink (verify the hotspot's signature, deduplicate;
// cheap, runs on the MQTT callback) → dedup window → a bounded queue per
// shard (by DevAddr or DevEUI, so one device's frames stay in order) →
// workers (store lookups, publishing) → ledger batches.
package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity/keycache"
	"github.com/hexnet/hexnet/region"
	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/router/integration"
)

// Bus is the message bus the router speaks: MQTT in production
// (*mqttclient.Client satisfies it), an in-memory fake in tests.
type Bus interface {
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
	Subscribe(ctx context.Context, topic string, qos byte, h func(topic string, payload []byte)) error
}

// Defaults for Options.
const (
	DefaultWorkers       = 4
	DefaultQueueSize     = 256
	DefaultFlushInterval = time.Second
	DefaultFlushFrames   = 500
	// ShutdownTimeout bounds the work Run does after its context ends:
	// draining queued frames and the last ledger flush.
	ShutdownTimeout = 5 * time.Second
)

// Options configure a Router. Store and Bus are required.
type Options struct {
	Store       Store
	Bus         Bus
	Clock       clock.Clock   // nil: the real clock
	DedupWindow time.Duration // 0: dedup.DefaultWindow
	// LateGrace is how long after a window closes late copies are still
	// recognised (and dropped); 0: dedup.DefaultGrace.
	LateGrace time.Duration
	NetID     lorawan.NetID
	// CacheTTL is how long devices and their sessions are served from
	// memory (changes made elsewhere are seen after it); 0:
	// DefaultCacheTTL, < 0: no cache.
	CacheTTL time.Duration
	// Cluster, when set, shares the uplink shards with the other instances
	// of a cluster; nil consumes every shard (hexnet/up/+/+).
	Cluster    *Cluster
	Logger     *slog.Logger          // nil: discard
	Registerer prometheus.Registerer // nil: metrics are not registered
	Workers    int                   // 0: DefaultWorkers
	QueueSize  int                   // per worker; 0: DefaultQueueSize
	// FlushInterval and FlushFrames bound how long and how many ledger
	// frames accumulate before a write; 0: the defaults.
	FlushInterval time.Duration
	FlushFrames   int
	// MaxInFlight bounds the frames open in deduplication or waiting for a
	// worker; beyond it HandleUplink blocks, so back-pressure reaches the
	// MQTT client (unacknowledged QoS 1 messages) instead of memory
	// growing. 0: 4 × Workers × QueueSize.
	MaxInFlight int
	// Region is the regional plan of data downlinks (RX2); "": EU868, the
	// only one supported so far.
	Region string
	// RX1Delay is the devices' RECEIVE_DELAY1 for data downlinks; 0:
	// DefaultRX1Delay (what the join accept sets).
	RX1Delay time.Duration
	// DevStatusInterval is how often devices are asked for their battery
	// and margin (DevStatusReq); 0: DefaultDevStatusInterval, < 0: never.
	DevStatusInterval time.Duration
}

// Router is the packet router and network server. Create it with New and
// start it with Run.
type Router struct {
	store    Store
	bus      Bus
	clock    clock.Clock
	netID    lorawan.NetID
	cluster  *clusterRun     // nil: every shard
	cache    *cachedStore    // nil: every read goes to the store
	keys     *keycache.Cache // hotspots' expanded public keys, for the copies' signatures
	log      *slog.Logger
	m        *metrics
	band     band.Band
	dedup    *dedup.Deduplicator
	shards   []chan job
	done     chan struct{} // closed when Run stops taking frames
	ledger   *ledger
	acks     *acks
	pending  sync.WaitGroup // frames emitted and not yet processed
	inFlight chan struct{}  // one token per frame from dedup open to processed
	running  atomic.Bool
	nextID   atomic.Uint32 // downlink ids

	plan              region.Plan
	rx1Delay          time.Duration
	devStatusInterval time.Duration
	maxADRDataRate    int         // fastest LoRa 125 kHz uplink data rate
	states            *devStates  // per-device MAC state and the downlink awaiting its TX ack (the queue is in the store)
	txPending         *pendingTxs // downlinks awaiting a TX ack
	gwmp              gwmpRoutes  // GWMP routes and their virtual gateways (worker.go)
	dm                *downlinkMetrics
	webhook           *integration.Webhook // application webhooks (router/webhook.go)
}

// New checks o and builds a Router.
func New(o Options) (*Router, error) {
	if o.Store == nil || o.Bus == nil {
		return nil, errors.New("router: Options.Store and Options.Bus are required")
	}
	b, err := band.GetConfig(band.EU868, false, lorawan.DwellTimeNoLimit)
	if err != nil {
		return nil, fmt.Errorf("router: EU868 band: %w", err)
	}
	o = withDefaults(o)
	r := &Router{
		store: o.Store, bus: o.Bus, clock: o.Clock, netID: o.NetID, band: b,
		log:      o.Logger.With("component", "router"),
		done:     make(chan struct{}),
		keys:     keycache.New(0),
		acks:     newAcks(),
		inFlight: make(chan struct{}, o.MaxInFlight),
	}
	r.m = newMetrics(r.queueDepth)
	if err := r.m.register(o.Registerer); err != nil {
		return nil, err
	}
	if o.CacheTTL >= 0 {
		r.cache = newCachedStore(o.Store, o.Clock, o.CacheTTL)
		r.store = r.cache
	}
	if o.Cluster != nil {
		if r.cluster, err = newClusterRun(*o.Cluster, r.HandleUplink, r.log); err != nil {
			return nil, err
		}
		r.cluster.onChange = r.forgetAll
		if err := registerAll(o.Registerer, r.cluster.collectors()...); err != nil {
			return nil, err
		}
	}
	if err := r.setupDownlinks(o); err != nil {
		return nil, err
	}
	r.shards = make([]chan job, o.Workers)
	for i := range r.shards {
		r.shards[i] = make(chan job, o.QueueSize)
	}
	r.dedup = dedup.New(dedup.Options{Clock: o.Clock, Window: o.DedupWindow, Grace: o.LateGrace, Emit: r.onFrame})
	r.ledger = newLedger(o.Store, o.Clock, r.log, r.m, o.FlushInterval, o.FlushFrames)
	r.webhook = integration.New(integration.Options{Registerer: o.Registerer})
	return r, nil
}

func withDefaults(o Options) Options {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.FlushFrames <= 0 {
		o.FlushFrames = DefaultFlushFrames
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 4 * o.Workers * o.QueueSize
	}
	return o
}

// registerAll registers cs with reg (nil: none).
func registerAll(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	if reg == nil {
		return nil
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("router: register metrics: %w", err)
		}
	}
	return nil
}

// Run starts the workers and the ledger flusher, subscribes to hotspot
// uplinks and processes them until ctx ends. Then it finishes queued frames
// and flushes the ledger (bounded by ShutdownTimeout) and returns nil, or
// the error that stopped it. Run may be called once.
func (r *Router) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("router: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, ch := range r.shards {
		wg.Add(1)
		go func() { defer wg.Done(); r.work(ctx, ch) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); r.ledger.run(ctx) }()
	wg.Add(1)
	go func() { defer wg.Done(); r.webhook.Run(ctx) }()
	var err error
	if r.cluster != nil {
		wg.Add(1)
		go func() { defer wg.Done(); r.cluster.run(ctx) }()
	} else {
		err = r.bus.Subscribe(ctx, hotspot.UplinkFilter, 1, r.HandleUplink)
	}
	if err == nil {
		err = r.bus.Subscribe(ctx, txAckTopic, 1, r.HandleTxAck)
	}
	if err == nil {
		err = r.bus.Subscribe(ctx, commandTopic, 1, r.HandleCommand)
	}
	if err != nil {
		err = fmt.Errorf("router: subscribe: %w", err)
		cancel()
	} else {
		r.log.Info("router running", "clustered", r.cluster != nil, "workers", len(r.shards))
	}
	<-ctx.Done()
	wg.Wait()
	return errors.Join(err, r.shutdown(ctx))
}

// shutdown stops taking frames, processes what is queued and writes the
// ledger one last time.
func (r *Router) shutdown(ctx context.Context) error {
	close(r.done)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	r.drain(sctx)
	if err := r.ledger.flush(sctx); err != nil {
		return fmt.Errorf("router: final ledger flush: %w", err)
	}
	r.log.Info("router stopped")
	return nil
}

func (r *Router) queueDepth() float64 {
	n := 0
	for _, ch := range r.shards {
		n += len(ch)
	}
	return float64(n)
}

// acquire takes an in-flight token, waiting while MaxInFlight frames are
// open or queued; false once the router has stopped.
func (r *Router) acquire() bool {
	select {
	case r.inFlight <- struct{}{}:
		return true
	case <-r.done:
		return false
	}
}

// release returns an in-flight token.
func (r *Router) release() {
	select {
	case <-r.inFlight:
	default:
	}
}

// drop counts a dropped copy or frame and logs why at Debug.
func (r *Router) drop(reason string, args ...any) {
	r.m.dropped.WithLabelValues(reason).Inc()
	r.log.Debug("dropped", append([]any{"reason", reason}, args...)...)
}
