package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

// appFilter is what the application subscribes to.
const appFilter = "hexnet/app/+/device/+/event/up"

// sink stands between the hotspots and the application: the router, or
// the relay of the baseline.
type sink interface {
	Run(ctx context.Context) error
	problems() []string
	Close() error
}

// newSinkFunc builds a sink on its own MQTT connection.
type newSinkFunc func(ctx context.Context, bus *mqttclient.Client) (sink, error)

// stack is one running pipeline: embedded broker, hotspotd instances (each
// with its own MQTT connection), the sink and an application subscriber.
type stack struct {
	brk      *broker.Broker
	clients  []*mqttclient.Client
	hotspots []*hotspot.Daemon
	regs     []*prometheus.Registry
	sink     sink
	g        *errgroup.Group
	cancel   context.CancelFunc
}

// startStack starts everything and returns once every hotspotd serves GWMP;
// onEvent receives every application event.
func startStack(ctx context.Context, hotspots int, newSink newSinkFunc, onEvent mqttclient.Handler) (*stack, context.Context, error) {
	// The broker logs every connection closed at shutdown as a warning.
	brk, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Logger: logger("broker", slog.LevelError)})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &stack{brk: brk, cancel: cancel}
	s.g, ctx = errgroup.WithContext(ctx)
	if err := s.start(ctx, hotspots, newSink, onEvent); err != nil {
		return nil, nil, errors.Join(err, s.stop())
	}
	return s, ctx, nil
}

func (s *stack) start(ctx context.Context, hotspots int, newSink newSinkFunc, onEvent mqttclient.Handler) error {
	app, err := s.connect(ctx, "bench-app")
	if err != nil {
		return err
	}
	if err := app.Subscribe(ctx, appFilter, 1, onEvent); err != nil {
		return err
	}
	bus, err := s.connect(ctx, "bench-sink")
	if err != nil {
		return err
	}
	if s.sink, err = newSink(ctx, bus); err != nil {
		return err
	}
	s.g.Go(func() error { return s.sink.Run(ctx) })
	for range hotspots {
		if err := s.startHotspot(ctx); err != nil {
			return err
		}
	}
	return s.ready(ctx)
}

func (s *stack) connect(ctx context.Context, id string) (*mqttclient.Client, error) {
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: s.brk.URL(), ClientID: id, Logger: logger("mqtt")})
	if err != nil {
		return nil, err
	}
	s.clients = append(s.clients, c)
	return c, nil
}

// startHotspot runs one hotspotd with a fresh key on a free UDP port.
func (s *stack) startHotspot(ctx context.Context) error {
	key, err := identity.Generate()
	if err != nil {
		return err
	}
	bus, err := hotspot.Dial(ctx, key, s.brk.URL(), logger("mqtt"), "bench")
	if err != nil {
		return err
	}
	s.clients = append(s.clients, bus)
	reg := prometheus.NewRegistry()
	d, err := hotspot.New(hotspot.Options{
		Key: key, GWMPListen: "127.0.0.1:0", Bus: bus, Logger: logger("hotspot"), Registerer: reg, Version: "bench",
	})
	if err != nil {
		return err
	}
	if err := d.Listen(); err != nil {
		return err
	}
	s.hotspots = append(s.hotspots, d)
	s.regs = append(s.regs, reg)
	s.g.Go(func() error { return d.Run(ctx) })
	return nil
}

// ready waits for every hotspotd to serve.
func (s *stack) ready(ctx context.Context) error {
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	for _, d := range s.hotspots {
		select {
		case <-d.Ready():
		case <-ctx.Done():
			return fmt.Errorf("stack stopped while starting: %w", s.g.Wait())
		case <-t.C:
			return errors.New("hotspotd not ready after 10 s")
		}
	}
	return nil
}

// gwmpAddrs are the hotspots' GWMP addresses.
func (s *stack) gwmpAddrs() []net.Addr {
	out := make([]net.Addr, len(s.hotspots))
	for i, d := range s.hotspots {
		out[i] = d.Addr()
	}
	return out
}

// finished returns, per hotspotd, how many received uplinks it has
// published or dropped.
func (s *stack) finished() []func() uint64 {
	out := make([]func() uint64, len(s.hotspots))
	for i, d := range s.hotspots {
		out[i] = func() uint64 {
			st := d.Stats()
			n := st.GetRxForwarded()
			for _, v := range st.GetDropped() {
				n += v
			}
			return n
		}
	}
	return out
}

// problems lists every drop the components counted.
func (s *stack) problems() []string {
	var out []string
	for i, reg := range s.regs {
		for reason, n := range counters(reg, "hexnet_hotspot_drops_total", "reason") {
			out = append(out, fmt.Sprintf("hotspot %d dropped %.0f (%s)", i, n, reason))
		}
	}
	if s.sink != nil {
		out = append(out, s.sink.problems()...)
	}
	if n := s.brk.Dropped(); n > 0 {
		out = append(out, fmt.Sprintf("broker dropped %d messages", n))
	}
	return out
}

// stop shuts everything down: daemons first, then connections and broker.
func (s *stack) stop() error {
	s.cancel()
	var err error
	if s.g != nil {
		err = s.g.Wait()
	}
	for _, c := range s.clients {
		c.Close()
	}
	if s.sink != nil {
		err = errors.Join(err, s.sink.Close())
	}
	return errors.Join(err, s.brk.Close())
}

// counters reads a counter vector from a registry: value by label.
func counters(g prometheus.Gatherer, name, label string) map[string]float64 {
	out := map[string]float64{}
	mfs, err := g.Gather()
	if err != nil {
		return out
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && m.GetCounter().GetValue() > 0 {
					out[lp.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// logger is a component's logger to stderr, at warning level unless a level
// is given.
func logger(component string, level ...slog.Level) *slog.Logger {
	l := slog.LevelWarn
	if len(level) > 0 {
		l = level[0]
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})
	return slog.New(h).With("component", component)
}
