package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// relayTopic is where the relay republishes; the application subscription
// (appFilter) matches it.
const relayTopic = "hexnet/app/" + application + "/device/relay/event/up"

// relay is the baseline: it stands where the router stands and subscribes
// the same way, but only keeps the first copy of each PHYPayload (by
// SHA-256, as the router's dedup keys frames) and republishes that copy
// untouched at QoS 1. No signature check, no window, no store.
type relay struct {
	bus *mqttclient.Client
	ctx context.Context

	mu   sync.Mutex
	seen map[[sha256.Size]byte]struct{}

	badCopies, dupCopies, publishErrors atomic.Int64
}

func newRelay(bus *mqttclient.Client) *relay {
	return &relay{bus: bus, seen: map[[sha256.Size]byte]struct{}{}}
}

// Run subscribes to every uplink shard and relays until ctx ends.
func (r *relay) Run(ctx context.Context) error {
	r.ctx = ctx
	if err := r.bus.Subscribe(ctx, hotspot.UplinkFilter, 1, r.handle); err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	<-ctx.Done()
	return nil
}

func (r *relay) handle(_ string, payload []byte) {
	phy, err := phyOfSigned(payload)
	if err != nil {
		r.badCopies.Add(1)
		return
	}
	if !r.first(sha256.Sum256(phy)) {
		r.dupCopies.Add(1)
		return
	}
	if err := r.bus.Publish(r.ctx, relayTopic, 1, false, payload); err != nil {
		r.publishErrors.Add(1)
	}
}

// first records a frame hash and reports whether it was new.
func (r *relay) first(k [sha256.Size]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[k]; ok {
		return false
	}
	r.seen[k] = struct{}{}
	return true
}

// problems lists what the relay lost.
func (r *relay) problems() []string {
	var out []string
	if n := r.badCopies.Load(); n > 0 {
		out = append(out, fmt.Sprintf("relay: %d undecodable copies", n))
	}
	if n := r.publishErrors.Load(); n > 0 {
		out = append(out, fmt.Sprintf("relay: %d publishes failed", n))
	}
	return out
}

func (r *relay) Close() error { return nil }

// phyOfSigned decodes a signed Uplink (without checking the signature) and
// returns its PHYPayload.
func phyOfSigned(payload []byte) ([]byte, error) {
	var env hexnetpb.Signed
	if err := proto.Unmarshal(payload, &env); err != nil {
		return nil, err
	}
	var up hexnetpb.Uplink
	if err := proto.Unmarshal(env.GetBody(), &up); err != nil {
		return nil, err
	}
	return up.GetPhyPayload(), nil
}
