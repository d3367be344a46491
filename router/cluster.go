package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/store"
)

// Cluster lets several router instances share the uplinks (scale-out).
//
// Hotspots publish each frame to the shard of its device
// (hotspot.UplinkTopic); the shards are grouped into Partitions, and each
// partition is one persistent MQTT session (clean session off, client id
// "{Name}-p{i}of{n}") subscribed to its shards. An instance consumes a
// partition only while it holds the partition's claim (a PostgreSQL
// advisory lock), so one frame's copies, and one device's frames, reach one
// instance. The broker keeps a partition's session while nobody holds it
// and queues its QoS 1 messages, so a partition handed over, or left by an
// instance that died, loses nothing but the frames the old instance had
// taken and not finished: the new holder resumes the session.
//
// Every Interval each instance counts the live instances and holds
// ceil(Partitions / live) partitions: it claims free ones when it holds
// fewer and hands the surplus back when it holds more.
type Cluster struct {
	Claims Claims
	// Dial opens partition clientID's persistent MQTT session with every
	// message it receives going to h, including those the broker queued
	// while nobody held it (they arrive before any subscription is made).
	Dial func(ctx context.Context, clientID string, h func(topic string, payload []byte)) (PartitionSession, error)
	// Name prefixes the sessions' client ids; "": DefaultClusterName.
	Name string
	// Partitions must divide hotspot.UplinkShards; 0: DefaultPartitions.
	Partitions int
	// Interval is how often claims are rebalanced; 0: DefaultClaimInterval.
	Interval time.Duration
}

// Claims are exclusive claims on partitions shared by the instances of one
// cluster, and a count of the live instances (PostgreSQL advisory locks:
// pgstore.Claims). A claim ends when Release is called or the instance's
// connection ends, so a dead instance's partitions are free at once.
type Claims interface {
	// Members counts the live instances, this one included. An error means
	// the claims may be lost: the router stops consuming every partition.
	Members(ctx context.Context) (int, error)
	TryClaim(ctx context.Context, partition int) (bool, error)
	Release(ctx context.Context, partition int) error
}

// PartitionSession is a partition's persistent MQTT session.
type PartitionSession interface {
	Subscribe(ctx context.Context, topic string, qos byte, h func(topic string, payload []byte)) error
	Close()
}

// Cluster defaults.
const (
	DefaultClusterName   = "hexnet-router"
	DefaultPartitions    = 16
	DefaultClaimInterval = time.Second
)

// clusterRun is one instance's share of the cluster.
type clusterRun struct {
	c        Cluster
	handle   func(topic string, payload []byte)
	onChange func() // after partitions are gained or lost (nil: nothing)
	log      *slog.Logger
	held     map[int]PartitionSession
	start    int // where this instance starts looking for free partitions

	mu    sync.Mutex
	owned map[int]bool // by partition, for Owns

	heldGauge    prometheus.Gauge
	membersGauge prometheus.Gauge
	handovers    *prometheus.CounterVec
}

func newClusterRun(c Cluster, handle func(string, []byte), log *slog.Logger) (*clusterRun, error) {
	if c.Claims == nil || c.Dial == nil {
		return nil, fmt.Errorf("router: Cluster.Claims and Cluster.Dial are required")
	}
	if c.Name == "" {
		c.Name = DefaultClusterName
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	if c.Partitions < 1 || hotspot.UplinkShards%c.Partitions != 0 {
		return nil, fmt.Errorf("router: %d partitions do not divide the %d uplink shards (use 1, 2, 4, 8, 16, 32 or 64)", c.Partitions, hotspot.UplinkShards)
	}
	if c.Interval <= 0 {
		c.Interval = DefaultClaimInterval
	}
	return &clusterRun{
		c: c, handle: handle, log: log.With("cluster", c.Name), held: map[int]PartitionSession{}, owned: map[int]bool{},
		start: rand.IntN(c.Partitions),
		heldGauge: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "hexnet", Subsystem: "router",
			Name: "partitions_held", Help: "Uplink partitions this instance consumes."}),
		membersGauge: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "hexnet", Subsystem: "router",
			Name: "cluster_members", Help: "Live router instances in the cluster, as last counted."}),
		handovers: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "router",
			Name: "partition_changes_total", Help: "Partitions claimed, released, or lost with the claims connection."},
			[]string{"change"}),
	}, nil
}

func (cr *clusterRun) collectors() []prometheus.Collector {
	return []prometheus.Collector{cr.heldGauge, cr.membersGauge, cr.handovers}
}

// run rebalances every Interval until ctx ends, then hands every partition
// back so the other instances take them at once.
func (cr *clusterRun) run(ctx context.Context) {
	t := time.NewTicker(cr.c.Interval)
	defer t.Stop()
	for {
		cr.rebalance(ctx)
		select {
		case <-ctx.Done():
			cr.releaseDown(context.WithoutCancel(ctx), 0)
			return
		case <-t.C:
		}
	}
}

// rebalance claims or releases partitions towards this instance's share.
func (cr *clusterRun) rebalance(ctx context.Context) {
	n, err := cr.c.Claims.Members(ctx)
	if err != nil {
		if len(cr.held) > 0 {
			cr.log.Error("claims unreachable: stopping every partition until they are back", "err", err)
		}
		cr.closeAll("lost")
		return
	}
	cr.membersGauge.Set(float64(n))
	share := (cr.c.Partitions + n - 1) / max(n, 1)
	if len(cr.held) > share {
		cr.releaseDown(ctx, share)
		return
	}
	for i := 0; i < cr.c.Partitions && len(cr.held) < share && ctx.Err() == nil; i++ {
		p := (cr.start + i) % cr.c.Partitions
		if cr.held[p] == nil {
			cr.claim(ctx, p)
		}
	}
}

// claim takes partition p if it is free and opens its session.
func (cr *clusterRun) claim(ctx context.Context, p int) {
	ok, err := cr.c.Claims.TryClaim(ctx, p)
	if err != nil || !ok {
		if err != nil {
			cr.log.Warn("claim partition", "partition", p, "err", err)
		}
		return
	}
	s, err := cr.open(ctx, p)
	if err != nil {
		cr.log.Error("partition claimed but its MQTT session failed; releasing it", "partition", p, "err", err)
		if err := cr.c.Claims.Release(ctx, p); err != nil {
			cr.log.Warn("release partition", "partition", p, "err", err)
		}
		return
	}
	cr.held[p] = s
	cr.setOwned(p, true)
	cr.handovers.WithLabelValues("claimed").Inc()
	cr.log.Info("partition claimed", "partition", p, "held", len(cr.held))
}

// open connects partition p's session and subscribes it to its shards
// (already so on the broker, unless the session is new).
func (cr *clusterRun) open(ctx context.Context, p int) (PartitionSession, error) {
	s, err := cr.c.Dial(ctx, cr.clientID(p), cr.handle)
	if err != nil {
		return nil, err
	}
	for shard := p; shard < hotspot.UplinkShards; shard += cr.c.Partitions {
		if err := s.Subscribe(ctx, hotspot.ShardFilter(shard), 1, cr.handle); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (cr *clusterRun) clientID(p int) string {
	return fmt.Sprintf("%s-p%dof%d", cr.c.Name, p, cr.c.Partitions)
}

// releaseDown hands partitions back until keep are held: the session is
// closed first (the broker queues for it from then on), the claim after.
func (cr *clusterRun) releaseDown(ctx context.Context, keep int) {
	ps := cr.heldPartitions()
	for _, p := range ps[min(keep, len(ps)):] {
		cr.held[p].Close()
		delete(cr.held, p)
		cr.setOwned(p, false)
		if err := cr.c.Claims.Release(ctx, p); err != nil {
			cr.log.Warn("release partition", "partition", p, "err", err)
		}
		cr.handovers.WithLabelValues("released").Inc()
		cr.log.Info("partition released", "partition", p, "held", len(cr.held))
	}
}

// closeAll stops consuming every partition without touching the claims
// (they are gone with the connection, or will be).
func (cr *clusterRun) closeAll(change string) {
	for p, s := range cr.held {
		s.Close()
		delete(cr.held, p)
		cr.setOwned(p, false)
		cr.handovers.WithLabelValues(change).Inc()
	}
}

func (cr *clusterRun) heldPartitions() []int {
	ps := make([]int, 0, len(cr.held))
	for p := range cr.held {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	return ps
}

func (cr *clusterRun) setOwned(p int, owned bool) {
	cr.mu.Lock()
	if owned {
		cr.owned[p] = true
	} else {
		delete(cr.owned, p)
	}
	cr.heldGauge.Set(float64(len(cr.owned)))
	cr.mu.Unlock()
	if cr.onChange != nil {
		cr.onChange()
	}
}

// ownsShard reports whether this instance consumes the uplink shard now.
func (cr *clusterRun) ownsShard(shard int) bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.owned[shard%cr.c.Partitions]
}

// ownsDevice reports whether this instance consumes the shard of the
// device's data uplinks (of its join requests while it has no session);
// always true outside a cluster. When the session cannot be read, the
// shard of the DevEUI decides, so one instance still answers, once.
func (r *Router) ownsDevice(ctx context.Context, devEUI lorawan.EUI64) bool {
	if r.cluster == nil {
		return true
	}
	key := make([]byte, 8)
	for i, b := range devEUI { // on the air (little-endian)
		key[7-i] = b
	}
	s, err := r.store.GetSession(ctx, devEUI)
	switch {
	case err == nil:
		key = []byte{s.DevAddr[3], s.DevAddr[2], s.DevAddr[1], s.DevAddr[0]}
	case !errors.Is(err, store.ErrNotFound):
		r.log.Warn("device session lookup", "dev_eui", devEUI, "err", err)
	}
	return r.cluster.ownsShard(hotspot.ShardOf(key))
}
