package sim

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"

	"github.com/hexnet/hexnet/sim/air"
)

// World is a city of simulated hotspots and devices. It is an air.Medium:
// gateways' transmissions reach the devices listening for them, and their
// beacons the other hotspots in range.
type World struct {
	cfg      Config
	city     City
	log      *slog.Logger
	hotspots []Hotspot
	nodes    []*node
	sched    *schedule

	mu        sync.Mutex // guards the fields below
	stats     Stats
	heard     []HeardFrame
	listening map[int]struct{} // devices with open receive windows
	beacons   map[int][]Beacon // by transmitting hotspot
	gateways  []air.Gateway    // while RunWith runs
	downlinks []ReceivedDownlink
}

// NewWorld places cfg.Hotspots hotspots and cfg.Devices devices in the
// city, all from cfg.Seed: the same config gives the same world.
func NewWorld(cfg Config) (*World, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	city, err := LookupCity(cfg.City)
	if err != nil {
		return nil, fmt.Errorf("%w: City: %w", ErrConfig, err)
	}
	rng := stream(cfg.Seed, purposePlacement, 0)
	hs, err := placeHotspots(cfg, city, rng)
	if err != nil {
		return nil, err
	}
	w := &World{
		cfg: cfg, city: city, hotspots: hs, sched: newSchedule(),
		log:       cfg.Logger.With("component", "sim"),
		listening: make(map[int]struct{}),
		beacons:   make(map[int][]Beacon),
	}
	w.nodes = placeNodes(cfg, city, hs, rng)
	return w, nil
}

func placeNodes(cfg Config, city City, hs []Hotspot, rng *rand.Rand) []*node {
	joinEUI := randomEUI(rng)
	nodes := make([]*node, cfg.Devices)
	for i := range nodes {
		d := placeDevice(i, cfg, city, joinEUI, rng)
		provisionVersion(&d, cfg)
		links := reachable(cfg, d, hs)
		d.SpreadingFactor = pickSF(cfg.Radio, d, hs, links)
		nodes[i] = newNode(d, cfg.Seed, links)
	}
	return nodes
}

// City is the city the world is placed in.
func (w *World) City() City { return w.city }

// Hotspots returns the hotspots, by index.
func (w *World) Hotspots() []Hotspot { return append([]Hotspot(nil), w.hotspots...) }

// Devices returns the devices' provisioned profiles, by index.
func (w *World) Devices() []Device {
	out := make([]Device, len(w.nodes))
	for i, n := range w.nodes {
		out[i] = n.Device
		out[i].Channels = append([]uint64(nil), n.Channels...)
	}
	return out
}
