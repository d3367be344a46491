package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
)

// Router-alone figures (issue 5): the load generator publishes pre-signed
// uplink envelopes straight to the broker (no hotspotd), three hotspots
// hearing every frame; the router (its own SQLite store, default options)
// deduplicates, checks the MIC, decrypts and publishes to the application.
// The baseline is the no-op relay in the router's place, same broker
// setup, same run.
const (
	figRouterUplinks = "router_uplinks"
	figRouterP50     = "router_latency_p50" // printed with router_uplinks
	figRouterP99     = "router_latency_p99" // printed with router_uplinks
	// figRouterBeyond is router_latency_p99 less the dedup window every
	// frame waits by design (to gather the copies the ledger buys and the
	// downlink chooses from): the router's own share of the latency.
	figRouterBeyond = "router_latency_p99_beyond_window"
)

// routerHotspots is how many hotspots hear every frame.
const routerHotspots = 3

// routerFrames caps the frames signed up front (three signatures each).
const routerFrames = 150_000

// signedFleet is the fleet with every frame sealed by every hotspot.
type signedFleet struct {
	*fleet
	hotspots []identity.Address
	copies   [][][]byte // [frame][hotspot]
}

func signFleet(f *fleet) (*signedFleet, error) {
	sf := &signedFleet{fleet: f, copies: make([][][]byte, len(f.frames))}
	keys := make([]*identity.Key, routerHotspots)
	for i := range keys {
		k, err := identity.Generate()
		if err != nil {
			return nil, err
		}
		keys[i] = k
		sf.hotspots = append(sf.hotspots, k.Address())
	}
	var g errgroup.Group
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		g.Go(func() error {
			for i := w; i < len(f.frames); i += workers {
				sf.copies[i] = make([][]byte, len(keys))
				for h, k := range keys {
					b, err := k.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
						PhyPayload: f.frames[i], FrequencyHz: 868_100_000,
						Rssi: -100 + float32(h*5), Snr: float32(h + 1), Tmst: uint32(i*1000 + h),
						DataRate: &hexnetpb.DataRate{SpreadingFactor: 7, BandwidthKhz: 125, CodingRate: "4/5"},
						Channel:  0,
					})
					if err != nil {
						return err
					}
					sf.copies[i][h] = b
				}
			}
			return nil
		})
	}
	return sf, g.Wait()
}

// routerUplinks measures both flows and prints router_uplinks and the two
// latency figures.
func routerUplinks(ctx context.Context, cfg *config, out io.Writer) error {
	start := time.Now()
	f, err := buildFleet(cfg.devices, min(cfg.frames, routerFrames))
	if err != nil {
		return err
	}
	sf, err := signFleet(f)
	if err != nil {
		return err
	}
	progress("%s: %d devices, %d frames × %d signed copies prepared in %s", figRouterUplinks, cfg.devices, len(f.frames), routerHotspots, time.Since(start).Round(time.Millisecond))
	latRate := 0.0
	rf := routerFlow(cfg, f)
	rf.name = "router"
	rt, err := runDirect(ctx, cfg, sf, rf, func(rate float64) float64 {
		latRate = cfg.latencyLoad * rate
		progress("router: latency is measured at %.0f frames/s for both flows", latRate)
		return latRate
	})
	if err != nil {
		return err
	}
	base, err := runDirect(ctx, cfg, sf, relayFlow(f), func(float64) float64 { return latRate })
	if err != nil {
		return err
	}
	fmt.Fprintln(out, line(figRouterUplinks, "uplinks/s", "%.1f", rt.rate, base.rate))
	fmt.Fprintln(out, line(figRouterP50, "ms", "%.2f", ms(rt.p50), ms(base.p50)))
	fmt.Fprintln(out, line(figRouterP99, "ms", "%.2f", ms(rt.p99), ms(base.p99)))
	fmt.Fprintln(out, line(figRouterBeyond, "ms", "%.2f", ms(rt.p99-dedup.DefaultWindow), ms(base.p99)))
	if code := reportProblems(rt, base); code != 0 {
		return errors.New("losses in the router-alone flows")
	}
	return nil
}

// directStack is a broker, the application subscriber, the sink and one
// publishing connection per hotspot.
type directStack struct {
	brk     *broker.Broker
	clients []*mqttclient.Client
	pubs    []*mqttclient.Client
	sink    sink
	g       *errgroup.Group
	cancel  context.CancelFunc
}

func (s *directStack) connect(ctx context.Context, id string) (*mqttclient.Client, error) {
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: s.brk.URL(), ClientID: id, Logger: logger("mqtt")})
	if err != nil {
		return nil, err
	}
	s.clients = append(s.clients, c)
	return c, nil
}

func (s *directStack) stop() error {
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

func startDirect(ctx context.Context, fl flow, onEvent mqttclient.Handler) (*directStack, context.Context, error) {
	brk, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Logger: logger("broker", slog.LevelError)})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &directStack{brk: brk, cancel: cancel}
	s.g, ctx = errgroup.WithContext(ctx)
	err = func() error {
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
		if s.sink, err = fl.newSink(ctx, bus); err != nil {
			return err
		}
		s.g.Go(func() error { return s.sink.Run(ctx) })
		for h := range routerHotspots {
			c, err := s.connect(ctx, fmt.Sprintf("bench-hotspot-%d", h))
			if err != nil {
				return err
			}
			s.pubs = append(s.pubs, c)
		}
		return nil
	}()
	if err != nil {
		return nil, nil, errors.Join(err, s.stop())
	}
	return s, ctx, nil
}

// directGen publishes frames in order: frame i's copies go out on every
// hotspot's connection (QoS 1, asynchronous) once frame i has a place in
// the in-flight window.
type directGen struct {
	sf       *signedFleet
	tr       *tracker
	pubs     []*mqttclient.Client
	next     int
	mu       sync.Mutex
	pubErrs  int
	inFlight sync.WaitGroup
}

// push sends the next frame's copies.
func (g *directGen) push(ctx context.Context) error {
	if g.next >= len(g.sf.copies) {
		return errPoolExhausted
	}
	if err := g.tr.win.acquire(ctx, drainTimeout); err != nil {
		return err
	}
	i := g.next
	g.next++
	g.tr.markSent(i, time.Now())
	for h, c := range g.pubs {
		g.inFlight.Add(1)
		c.PublishAsync(hotspot.UplinkTopic(g.sf.hotspots[h], g.sf.frames[i]), 1, false, g.sf.copies[i][h], func(err error) {
			if err != nil {
				g.mu.Lock()
				g.pubErrs++
				g.mu.Unlock()
			}
			g.inFlight.Done()
		})
	}
	return nil
}

// run pushes until the deadline, paced at rate frames/s (0: as fast as
// the window allows).
func (g *directGen) run(ctx context.Context, until time.Time, rate float64) error {
	start, sent := time.Now(), 0
	for time.Now().Before(until) {
		if rate > 0 {
			due := start.Add(time.Duration(float64(sent) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		if err := g.push(ctx); err != nil {
			return err
		}
		sent++
	}
	return nil
}

// runDirect measures one flow: throughput (saturated, bounded by
// --inflight), then latency at the rate latRate picks.
func runDirect(ctx context.Context, cfg *config, sf *signedFleet, fl flow, latRate latencyRate) (result, error) {
	var res result
	tr := newTracker(len(sf.copies), cfg.inflight)
	onEvent := func(topic string, payload []byte) {
		at := time.Now()
		i, ok := fl.decode(topic, payload)
		tr.deliver(i, ok, at)
	}
	progress("%s (direct): starting broker, sink, %d publishers", fl.name, routerHotspots)
	st, ctx, err := startDirect(ctx, fl, onEvent)
	if err != nil {
		return res, fmt.Errorf("%s: %w", fl.name, err)
	}
	g := &directGen{sf: sf, tr: tr, pubs: st.pubs}
	err = func() error {
		probed := false
		for range 40 {
			if err := g.push(ctx); err != nil {
				return err
			}
			if tr.drain(ctx, 250*time.Millisecond) {
				probed = true
				break
			}
			tr.win.writeOff()
		}
		if !probed {
			return errors.New("no frame reached the application in 10 s")
		}
		first := g.next
		if err := g.run(ctx, time.Now().Add(cfg.warmup), 0); err != nil {
			return fmt.Errorf("%s warm-up: %w", fl.name, err)
		}
		c0, t0 := tr.delivered(), time.Now()
		err := g.run(ctx, t0.Add(cfg.duration), 0)
		c1, t1 := tr.delivered(), time.Now()
		if errors.Is(err, errPoolExhausted) {
			progress("%s: WARNING: frame pool exhausted after %s; rate measured over that", fl.name, t1.Sub(t0).Round(time.Millisecond))
			err = nil
		}
		if err != nil {
			return fmt.Errorf("%s throughput: %w", fl.name, err)
		}
		res.rate = float64(c1-c0) / t1.Sub(t0).Seconds()
		progress("%s: %.1f uplinks/s delivered over %s (%d in flight at the end)", fl.name, res.rate, t1.Sub(t0).Round(time.Millisecond), tr.win.outstanding())
		res.problems = append(res.problems, directSettle(ctx, fl.name+" throughput", g, tr, first)...)
		rate := latRate(res.rate)
		if rate <= 0 {
			return nil
		}
		first, start := g.next, time.Now()
		if err := g.run(ctx, start.Add(cfg.latencyFor), rate); err != nil {
			if !errors.Is(err, errPoolExhausted) {
				return fmt.Errorf("%s latency: %w", fl.name, err)
			}
			progress("%s: WARNING: frame pool exhausted during the latency phase", fl.name)
		}
		sent := g.next - first
		achieved := float64(sent) / time.Since(start).Seconds()
		res.problems = append(res.problems, directSettle(ctx, fl.name+" latency", g, tr, first)...)
		if achieved < 0.95*rate {
			res.problems = append(res.problems, fmt.Sprintf("%s latency: offered only %.0f of %.0f frames/s", fl.name, achieved, rate))
		}
		ps := tr.percentiles(first+sent/10, g.next, 50, 99)
		res.p50, res.p99 = ps[0], ps[1]
		progress("%s: latency at %.0f frames/s over %d frames: p50 %s, p99 %s", fl.name, achieved, sent, ps[0], ps[1])
		return nil
	}()
	g.inFlight.Wait()
	if g.pubErrs > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d publishes failed", g.pubErrs))
	}
	res.problems = append(res.problems, st.sink.problems()...)
	if n := st.brk.Dropped(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("broker dropped %d messages", n))
	}
	if n := tr.dups.Load(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d frames delivered more than once", n))
	}
	if n := tr.strays.Load(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d application events for no frame sent", n))
	}
	return res, errors.Join(err, st.stop())
}

// directSettle waits for the phase's frames and reports those missing.
func directSettle(ctx context.Context, phase string, g *directGen, tr *tracker, first int) []string {
	tr.drain(ctx, drainTimeout)
	missing := tr.missing(first, g.next)
	tr.win.writeOff()
	if missing > 0 {
		return []string{fmt.Sprintf("%s: %d of %d frames sent never reached the application", phase, missing, g.next-first)}
	}
	return nil
}
