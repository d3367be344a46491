package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hexnet/hexnet/mqttclient"
)

// drainTimeout bounds the wait for frames still in the pipeline after a
// phase: the dedup window plus whatever is queued.
const drainTimeout = 10 * time.Second

// flow is one pipeline to measure: what stands between the hotspots and
// the application, and how to tell which frame an application event is.
type flow struct {
	name    string
	newSink newSinkFunc
	decode  func(topic string, payload []byte) (int, bool)
}

// routerFlow is the system under test.
func routerFlow(cfg *config, f *fleet) flow {
	return flow{
		name: "e2e",
		newSink: func(ctx context.Context, bus *mqttclient.Client) (sink, error) {
			return newRouterSink(ctx, cfg.db, f, bus)
		},
		decode: func(_ string, payload []byte) (int, bool) {
			var ev struct {
				DeviceInfo struct {
					DevEUI string `json:"devEui"`
				} `json:"deviceInfo"`
				FCnt uint32 `json:"fCnt"`
			}
			if json.Unmarshal(payload, &ev) != nil {
				return 0, false
			}
			dev, ok := f.byEUI[ev.DeviceInfo.DevEUI]
			return f.index(dev, ev.FCnt), ok
		},
	}
}

// relayFlow is the baseline.
func relayFlow(f *fleet) flow {
	return flow{
		name: "relay",
		newSink: func(_ context.Context, bus *mqttclient.Client) (sink, error) {
			return newRelay(bus), nil
		},
		decode: func(_ string, payload []byte) (int, bool) {
			phy, err := phyOfSigned(payload)
			if err != nil {
				return 0, false
			}
			return f.indexOfPHY(phy)
		},
	}
}

// result is what one flow measured.
type result struct {
	rate     float64 // delivered frames per second, saturated
	p50, p99 time.Duration
	problems []string
}

// latencyRate picks the offered load of the latency phase from the
// throughput measured (0 when not measured); 0 skips the phase.
type latencyRate func(measured float64) float64

// run measures a flow on a fresh stack: throughput when wantRate, then
// latency at the rate latRate picks.
func (fl flow) run(ctx context.Context, cfg *config, f *fleet, wantRate bool, latRate latencyRate) (result, error) {
	tr := newTracker(len(f.frames), cfg.inflight)
	onEvent := func(topic string, payload []byte) {
		at := time.Now()
		i, ok := fl.decode(topic, payload)
		tr.deliver(i, ok, at)
	}
	progress("%s: starting broker, %d hotspotd, sink", fl.name, cfg.hotspots)
	st, ctx, err := startStack(ctx, cfg.hotspots, fl.newSink, onEvent)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", fl.name, err)
	}
	res, err := fl.measure(ctx, cfg, f, tr, st, wantRate, latRate)
	res.problems = append(res.problems, st.problems()...)
	if n := tr.dups.Load(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d frames delivered more than once", n))
	}
	if n := tr.strays.Load(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d application events for no frame sent", n))
	}
	return res, errors.Join(err, st.stop())
}

func (fl flow) measure(ctx context.Context, cfg *config, f *fleet, tr *tracker, st *stack, wantRate bool, latRate latencyRate) (result, error) {
	var res result
	g, err := newGenerator(f, tr, st.gwmpAddrs(), st.finished())
	if err != nil {
		return res, err
	}
	defer g.close()
	if err := probe(ctx, g, tr); err != nil {
		return res, fmt.Errorf("%s: %w", fl.name, err)
	}
	var lost []string
	if wantRate {
		res.rate, lost, err = fl.throughput(ctx, cfg, g, tr)
		res.problems = append(res.problems, lost...)
		if err != nil {
			return res, err
		}
	}
	if rate := latRate(res.rate); rate > 0 {
		res.p50, res.p99, lost, err = fl.latency(ctx, cfg, g, tr, rate)
		res.problems = append(res.problems, lost...)
	}
	progress("%s: %d frames sent, %d reached the application", fl.name, g.next, tr.deliveredIn(0, g.next))
	if n := g.acksMissing(); n > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d PUSH_DATA never acknowledged by hotspotd (UDP loss)", n))
	}
	return res, err
}

// probe sends frames one at a time until one comes through: every
// subscription is then in place. Frames sent before that are written off.
func probe(ctx context.Context, g *generator, tr *tracker) error {
	for range 40 {
		if err := g.push(ctx); err != nil {
			return err
		}
		if tr.drain(ctx, 250*time.Millisecond) {
			return nil
		}
		tr.win.writeOff()
	}
	return errors.New("no frame reached the application in 10 s")
}

// throughput runs the generator unpaced (bounded by --inflight) for the
// warm-up and then --duration, and returns the delivered rate over the
// latter.
func (fl flow) throughput(ctx context.Context, cfg *config, g *generator, tr *tracker) (float64, []string, error) {
	first := g.next
	if err := g.run(ctx, time.Now().Add(cfg.warmup), 0); err != nil {
		return 0, nil, fmt.Errorf("%s warm-up: %w", fl.name, err)
	}
	c0, t0 := tr.delivered(), time.Now()
	err := g.run(ctx, t0.Add(cfg.duration), 0)
	c1, t1 := tr.delivered(), time.Now()
	if errors.Is(err, errPoolExhausted) {
		progress("%s: WARNING: frame pool exhausted after %s; rate measured over that", fl.name, t1.Sub(t0).Round(time.Millisecond))
		err = nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("%s throughput: %w", fl.name, err)
	}
	rate := float64(c1-c0) / t1.Sub(t0).Seconds()
	progress("%s: %.1f uplinks/s delivered over %s (%d frames sent in all, %d in flight at the end)",
		fl.name, rate, t1.Sub(t0).Round(time.Millisecond), g.next-first, tr.win.outstanding())
	return rate, settle(ctx, fl.name+" throughput", g, tr, first), nil
}

// latency paces the generator at rate frames per second for --latency-for
// and returns the p50 and p99 of first-copy-sent → application event,
// leaving out the first tenth of the phase.
func (fl flow) latency(ctx context.Context, cfg *config, g *generator, tr *tracker, rate float64) (p50, p99 time.Duration, lost []string, err error) {
	first, start := g.next, time.Now()
	if err := g.run(ctx, start.Add(cfg.latencyFor), rate); err != nil {
		return 0, 0, nil, fmt.Errorf("%s latency: %w", fl.name, err)
	}
	sent := g.next - first
	achieved := float64(sent) / time.Since(start).Seconds()
	lost = settle(ctx, fl.name+" latency", g, tr, first)
	if achieved < 0.95*rate {
		lost = append(lost, fmt.Sprintf("%s latency: offered only %.0f of %.0f frames/s (in-flight bound reached)", fl.name, achieved, rate))
	}
	ps := tr.percentiles(first+sent/10, g.next, 50, 99)
	progress("%s: latency at %.0f frames/s over %d frames: p50 %s, p99 %s", fl.name, achieved, sent, ps[0], ps[1])
	return ps[0], ps[1], lost, nil
}

// settle waits for the phase's frames to arrive and reports those that
// did not; they are then written off.
func settle(ctx context.Context, phase string, g *generator, tr *tracker, first int) []string {
	tr.drain(ctx, drainTimeout)
	var out []string
	if !g.quiesce(ctx, drainTimeout) {
		out = append(out, phase+": hotspotd still had copies to publish after "+drainTimeout.String())
	}
	missing := tr.missing(first, g.next)
	tr.win.writeOff()
	if missing > 0 {
		out = append(out, fmt.Sprintf("%s: %d of %d frames sent never reached the application", phase, missing, g.next-first))
	}
	return out
}

// progress writes one human-readable line to stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
