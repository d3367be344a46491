package queue

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// register adds the queue's metrics (hexnet_hotspot_queue_*) to reg.
func (q *Queue) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	gauge := func(name, help string, f func(Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "hexnet", Subsystem: "hotspot_queue", Name: name, Help: help},
			func() float64 { return f(q.Stats()) })
	}
	counter := func(name, help string, f func(Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "hotspot_queue", Name: name, Help: help},
			func() float64 { return float64(f(q.Stats())) })
	}
	for _, c := range []prometheus.Collector{
		gauge("depth", "Records waiting for the broker's acknowledgement.", func(s Stats) float64 { return float64(s.Depth) }),
		gauge("bytes", "Bytes of the queue's segment files.", func(s Stats) float64 { return float64(s.Bytes) }),
		gauge("oldest_age_seconds", "Age of the oldest record being published, 0 when none is.", func(s Stats) float64 {
			if s.Oldest.IsZero() {
				return 0
			}
			return time.Since(s.Oldest).Seconds()
		}),
		counter("appended_total", "Records appended since start.", func(s Stats) uint64 { return s.Appended }),
		counter("acked_total", "Records the broker acknowledged since start.", func(s Stats) uint64 { return s.Acked }),
		counter("dropped_total", "Records dropped because the disk budget was exhausted.", func(s Stats) uint64 { return s.Dropped }),
		counter("corrupt_total", "Corrupt records skipped.", func(s Stats) uint64 { return s.Corrupt }),
		counter("torn_total", "Torn last records truncated at start-up.", func(s Stats) uint64 { return s.Torn }),
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register queue metrics: %w", err)
		}
	}
	return nil
}
