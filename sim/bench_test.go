package sim

import (
	"testing"
	"time"
)

func BenchmarkNewWorld(b *testing.B) {
	cfg := testConfig(1)
	cfg.Hotspots, cfg.Devices = 100, 1000
	for b.Loop() {
		if _, err := NewWorld(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSend measures one uplink: frame building, crypto and the link
// budget to every reachable hotspot.
func BenchmarkSend(b *testing.B) {
	cfg := testConfig(1)
	cfg.Hotspots, cfg.Devices, cfg.OTAAShare = 100, 100, 0
	w := newTestWorld(b, cfg)
	i := 0
	for b.Loop() {
		if _, err := w.Send(i%cfg.Devices, t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
