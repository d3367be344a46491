package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// closedEpochsCached bounds how many closed epochs' indexes are kept in
// memory (the map's epoch selector moves between a few).
const closedEpochsCached = 8

// witnessTally is one hotspot's valid witnesses in an epoch.
type witnessTally struct {
	valid    int
	bestRSSI float32
	rssi     []float32 // each valid witness's; sorted once the epoch is read
	last     time.Time // when the latest one was received
}

func (t witnessTally) add(rssi float32, at time.Time) witnessTally {
	if t.valid == 0 || rssi > t.bestRSSI {
		t.bestRSSI = rssi
	}
	if at.After(t.last) {
		t.last = at
	}
	t.valid++
	t.rssi = append(t.rssi, rssi)
	return t
}

// decodeWitness reads a stored witness report without verifying its
// signature again: ingest verified it, and an epoch may hold millions
// (~52 µs each to verify). The per-hotspot reports endpoint does verify.
func decodeWitness(raw []byte) (*hexnetpb.WitnessReport, error) {
	var env hexnetpb.Signed
	var w hexnetpb.WitnessReport
	if err := proto.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("stored witness report: %w", err)
	}
	if identity.Kind(env.GetKind()) != identity.KindWitness {
		return nil, fmt.Errorf("stored witness report is of kind %q", env.GetKind())
	}
	if err := proto.Unmarshal(env.GetBody(), &w); err != nil {
		return nil, fmt.Errorf("stored witness report body: %w", err)
	}
	return &w, nil
}

// indexCache keeps the indexes of closed epochs, which never change: the
// map's endpoints read an epoch's registry and reports once, not per
// request. Concurrent requests for one epoch share one computation.
type indexCache struct {
	mu      sync.Mutex
	max     int
	entries map[uint64]*indexEntry
	order   []uint64 // epochs by insertion, oldest first
}

type indexEntry struct {
	done chan struct{}
	ix   *index
	err  error
}

type indexFunc func(ctx context.Context) (*index, error)

func newIndexCache(max int) *indexCache {
	return &indexCache{max: max, entries: map[uint64]*indexEntry{}}
}

// get returns epoch's index, computing it with compute on a miss. The
// computation outlives a cancelled first request, so that the others
// waiting for it are not failed; failures are not kept.
func (c *indexCache) get(ctx context.Context, epoch uint64, compute indexFunc) (*index, error) {
	c.mu.Lock()
	e, hit := c.entries[epoch]
	if !hit {
		e = &indexEntry{done: make(chan struct{})}
		c.insert(epoch, e)
	}
	c.mu.Unlock()
	if hit {
		select {
		case <-e.done:
			return e.ix, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e.ix, e.err = compute(context.WithoutCancel(ctx))
	if e.err != nil {
		c.remove(epoch, e)
	}
	close(e.done)
	return e.ix, e.err
}

// ready returns epoch's index if it is built, without waiting or building.
func (c *indexCache) ready(epoch uint64) *index {
	c.mu.Lock()
	e := c.entries[epoch]
	c.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.done:
		return e.ix // nil after a failure
	default:
		return nil
	}
}

// insert adds an entry, evicting the oldest beyond max; c.mu is held.
func (c *indexCache) insert(epoch uint64, e *indexEntry) {
	c.entries[epoch] = e
	c.order = append(c.order, epoch)
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *indexCache) remove(epoch uint64, e *indexEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[epoch] != e {
		return
	}
	delete(c.entries, epoch)
	for i, n := range c.order {
		if n == epoch {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}
