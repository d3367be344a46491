package api

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// closedEpochsCached bounds how many closed epochs' witness tallies are
// kept in memory (the map's epoch selector moves between a few).
const closedEpochsCached = 8

// witnessTally is one hotspot's valid witnesses in an epoch.
type witnessTally struct {
	valid    int
	bestRSSI float32
}

func (t witnessTally) add(rssi float32) witnessTally {
	if t.valid == 0 || rssi > t.bestRSSI {
		t.bestRSSI = rssi
	}
	t.valid++
	return t
}

// witnessRSSI reads a stored witness report's RSSI without verifying its
// signature again: ingest verified it, and an epoch may hold millions
// (~52 µs each to verify). The per-hotspot reports endpoint does verify.
func witnessRSSI(raw []byte) (float32, error) {
	var env hexnetpb.Signed
	var w hexnetpb.WitnessReport
	if err := proto.Unmarshal(raw, &env); err != nil {
		return 0, fmt.Errorf("stored witness report: %w", err)
	}
	if identity.Kind(env.GetKind()) != identity.KindWitness {
		return 0, fmt.Errorf("stored witness report is of kind %q", env.GetKind())
	}
	if err := proto.Unmarshal(env.GetBody(), &w); err != nil {
		return 0, fmt.Errorf("stored witness report body: %w", err)
	}
	return w.GetRssi(), nil
}

// witnessCache keeps the witness tallies of closed epochs, which never
// change: the coverage endpoint reads an epoch's reports once, not per
// request. Concurrent requests for one epoch share one computation.
type witnessCache struct {
	mu      sync.Mutex
	max     int
	entries map[uint64]*tallyEntry
	order   []uint64 // epochs by insertion, oldest first
}

type tallyEntry struct {
	done  chan struct{}
	tally map[identity.Address]witnessTally
	err   error
}

type tallyFunc func(ctx context.Context, epoch uint64) (map[identity.Address]witnessTally, error)

func newWitnessCache(max int) *witnessCache {
	return &witnessCache{max: max, entries: map[uint64]*tallyEntry{}}
}

// get returns epoch's tally, computing it with compute on a miss. Failures
// are not kept.
func (c *witnessCache) get(ctx context.Context, epoch uint64, compute tallyFunc) (map[identity.Address]witnessTally, error) {
	c.mu.Lock()
	e, hit := c.entries[epoch]
	if !hit {
		e = &tallyEntry{done: make(chan struct{})}
		c.insert(epoch, e)
	}
	c.mu.Unlock()
	if hit {
		select {
		case <-e.done:
			return e.tally, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e.tally, e.err = compute(ctx, epoch)
	if e.err != nil {
		c.remove(epoch, e)
	}
	close(e.done)
	return e.tally, e.err
}

// insert adds an entry, evicting the oldest beyond max; c.mu is held.
func (c *witnessCache) insert(epoch uint64, e *tallyEntry) {
	c.entries[epoch] = e
	c.order = append(c.order, epoch)
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *witnessCache) remove(epoch uint64, e *tallyEntry) {
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
