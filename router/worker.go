package router

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/router/gwmproute"
)

// work processes one shard's frames in order until ctx ends.
func (r *Router) work(ctx context.Context, ch <-chan job) {
	for {
		select {
		case j := <-ch:
			r.process(ctx, j)
		case <-ctx.Done():
			return
		}
	}
}

// drain processes whatever is still queued, after the workers stopped,
// then stops the GWMP routes' virtual gateways.
func (r *Router) drain(ctx context.Context) {
	for _, ch := range r.shards {
		for len(ch) > 0 {
			r.process(ctx, <-ch)
		}
	}
	r.gwmp.mu.Lock()
	if r.gwmp.fwd != nil {
		r.gwmp.fwd.Close()
	}
	r.gwmp.mu.Unlock()
}

// process handles one deduplicated frame by message type.
func (r *Router) process(ctx context.Context, j job) {
	defer r.finish()
	defer func() { r.m.latency.Observe(r.clock.Now().Sub(j.emittedAt).Seconds()) }()
	if j.phy.MHDR.Major != lorawan.LoRaWANR1 {
		r.drop(dropUnsupported, "dedup_id", j.frame.ID, "major", j.phy.MHDR.Major)
		return
	}
	if r.forwardGWMP(ctx, j) {
		return // bought by a GWMP route: the external network server handles it
	}
	switch j.phy.MHDR.MType {
	case lorawan.JoinRequest:
		r.handleJoin(ctx, j)
	case lorawan.UnconfirmedDataUp, lorawan.ConfirmedDataUp:
		r.handleData(ctx, j)
	case lorawan.Proprietary:
		r.drop(dropProprietary, "dedup_id", j.frame.ID)
	default:
		r.drop(dropUnsupported, "dedup_id", j.frame.ID, "mtype", j.phy.MHDR.MType)
	}
}

// finish marks a queued frame done: processed or dropped.
func (r *Router) finish() {
	r.release()
	r.pending.Done()
}

// storeFailed counts and logs a failed store call that cost a frame.
func (r *Router) storeFailed(op string, err error, j job) {
	r.m.storeErrors.WithLabelValues(op).Inc()
	r.m.dropped.WithLabelValues(dropStoreError).Inc()
	r.log.Error("store call failed; frame dropped", "op", op, "dedup_id", j.frame.ID, "err", err)
}

// publish sends one message (QoS 1) and counts it by type.
func (r *Router) publish(ctx context.Context, typ, topic string, payload []byte, j job) bool {
	r.toWebhook(ctx, topic, payload)
	if err := r.bus.Publish(ctx, topic, 1, false, payload); err != nil {
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("publish failed", "type", typ, "topic", topic, "dedup_id", j.frame.ID, "err", err)
		return false
	}
	r.m.published.WithLabelValues(typ).Inc()
	return true
}

// gwmpRefresh is how often the GWMP routes are reloaded from the store.
const gwmpRefresh = 10 * time.Second

// eventGWMPForward counts, in the published metric, frames forwarded to an
// external network server by a GWMP route.
const eventGWMPForward = "gwmp_forward"

// gwmpRoutes caches the GWMP routes and holds their virtual gateways. Its
// zero value is ready to use.
type gwmpRoutes struct {
	snap       atomic.Pointer[gwmpSnapshot]
	refreshing atomic.Bool // one worker reloads; the others use the old snapshot
	mu         sync.Mutex  // guards fwd
	fwd        *gwmproute.Forwarder
}

type gwmpSnapshot struct {
	routes   []Route
	loadedAt time.Time
}

// gwmpRoutesFor returns the cached GWMP routes (reloading them every
// gwmpRefresh) and the forwarder, nil when there are none.
func (r *Router) gwmpRoutesFor(ctx context.Context) ([]Route, *gwmproute.Forwarder) {
	g := &r.gwmp
	now := r.clock.Now()
	s := g.snap.Load()
	if (s == nil || now.Sub(s.loadedAt) >= gwmpRefresh) && g.refreshing.CompareAndSwap(false, true) {
		next := &gwmpSnapshot{loadedAt: now} // a failing store is retried after gwmpRefresh too
		all, err := r.store.ListRoutes(ctx, "")
		if err != nil {
			r.m.storeErrors.WithLabelValues("list_routes").Inc()
			r.log.Error("load GWMP routes", "err", err)
			if s != nil {
				next.routes = s.routes
			}
		}
		for _, rt := range all {
			if rt.Destination == DestinationGWMP && rt.GWMPAddress != "" {
				next.routes = append(next.routes, rt)
			}
		}
		g.snap.Store(next)
		g.refreshing.Store(false)
		s = next
	}
	if s == nil || len(s.routes) == 0 {
		return nil, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fwd == nil {
		g.fwd = gwmproute.New(gwmproute.Options{Bus: r.bus, Log: r.log.With("component", "gwmproute")})
	}
	return s.routes, g.fwd
}

// forwardGWMP hands j's frame to the first GWMP route that buys it (data
// uplinks by DevAddr range, join requests by EUI pair) and reports whether
// one did; such frames skip the built-in network server, also when the
// route's organisation cannot pay for them.
func (r *Router) forwardGWMP(ctx context.Context, j job) bool {
	routes, fwd := r.gwmpRoutesFor(ctx)
	if fwd == nil {
		return false
	}
	rt, ok := gwmpRouteFor(routes, j.phy)
	if !ok {
		return false
	}
	if err := fwd.Dial(rt.ID, rt.GWMPAddress); err != nil { // before charging: an unreachable route costs nothing
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("GWMP route: start virtual gateway", "route", rt.ID, "address", rt.GWMPAddress, "dedup_id", j.frame.ID, "err", err)
		return true
	}
	f, ok := r.buyGWMP(ctx, j, rt)
	if !ok {
		return true
	}
	if err := fwd.Forward(ctx, rt.ID, rt.GWMPAddress, f, 0); err != nil {
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("GWMP route: forward", "route", rt.ID, "dedup_id", j.frame.ID, "err", err)
		return true
	}
	r.m.published.WithLabelValues(eventGWMPForward).Inc()
	return true
}

// gwmpRouteFor returns the first of routes that buys the frame: a data
// uplink by its DevAddr, a join request by its JoinEUI and DevEUI.
func gwmpRouteFor(routes []Route, phy lorawan.PHYPayload) (Route, bool) {
	var match func(Route) bool
	switch pl := phy.MACPayload.(type) {
	case *lorawan.MACPayload:
		if phy.MHDR.MType != lorawan.UnconfirmedDataUp && phy.MHDR.MType != lorawan.ConfirmedDataUp {
			return Route{}, false
		}
		match = func(rt Route) bool {
			return slices.ContainsFunc(rt.DevAddrRanges, func(rg DevAddrRange) bool { return rg.Contains(pl.FHDR.DevAddr) })
		}
	case *lorawan.JoinRequestPayload:
		match = func(rt Route) bool {
			return slices.ContainsFunc(rt.EUIPairs, func(p EUIPair) bool { return p.Matches(pl.JoinEUI, pl.DevEUI) })
		}
	default:
		return Route{}, false
	}
	i := slices.IndexFunc(routes, match)
	if i < 0 {
		return Route{}, false
	}
	return routes[i], true
}

// buyGWMP buys j's frame for GWMP route rt and records the copies bought in
// the ledger, like the built-in network server's: a data uplink's copies
// (the route's max copies) are charged to the route's organisation, a join
// request's are free. It returns the frame with the copies to forward;
// false when nothing may be forwarded: the store failed or the balance is
// gone. Routes have no event topic, so an unpaid frame is only counted
// (no_credits) and logged.
func (r *Router) buyGWMP(ctx context.Context, j job, rt Route) (dedup.Frame, bool) {
	f := j.frame
	var lf LedgerFrame
	switch pl := j.phy.MACPayload.(type) {
	case *lorawan.JoinRequestPayload:
		f.Copies = routeCopies(rt, f.Copies)
		lf = ledgerFrame(f, pl.DevEUI, lorawan.DevAddr{}, 0)
	case *lorawan.MACPayload:
		p, err := ChargeRoute(ctx, r.store, rt, f, r.clock.Now())
		if err != nil {
			r.storeFailed("charge", err, j)
			return f, false
		}
		if p.Exhausted {
			r.m.dropped.WithLabelValues(dropNoCredits).Inc()
			r.log.Warn("GWMP route: data-credit balance exhausted; frame not forwarded", "route", rt.ID,
				"organisation", p.Organisation, "dc", p.DC, "balance", p.Balance, "dedup_id", f.ID)
			return f, false
		}
		f.Copies = p.Copies
		lf = ledgerFrame(f, lorawan.EUI64{}, pl.FHDR.DevAddr, pl.FHDR.FCnt)
	}
	r.ledger.add(lf)
	return f, true
}

// gwmpTxAck passes a hotspot's TX ack to the GWMP routes' forwarder; true
// when it answered one of their downlinks.
func (r *Router) gwmpTxAck(topic string, payload []byte) bool {
	r.gwmp.mu.Lock()
	fwd := r.gwmp.fwd
	r.gwmp.mu.Unlock()
	return fwd != nil && fwd.HandleTxAck(topic, payload)
}
