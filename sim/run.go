package sim

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/sim/air"
	"github.com/hexnet/hexnet/sim/forwarder"
)

// Run starts one virtual packet forwarder per hotspot, pointed at
// gwmpServers[i] (a single address serves every hotspot), and drives the
// devices through them until ctx ends; then everything stops and Run
// returns nil. A forwarder's failure stops the world and is returned.
func (w *World) Run(ctx context.Context, gwmpServers []string) error {
	fwds, err := w.forwarders(gwmpServers)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	gateways := make([]air.Gateway, len(fwds))
	for i, f := range fwds {
		gateways[i] = f
		g.Go(func() error { return f.Run(gctx) })
	}
	g.Go(func() error { return w.RunWith(gctx, gateways) })
	err = g.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err())) {
		return nil
	}
	return err
}

// forwarders builds one forwarder per hotspot.
func (w *World) forwarders(servers []string) ([]*forwarder.Forwarder, error) {
	if len(servers) != 1 && len(servers) != len(w.hotspots) {
		return nil, fmt.Errorf("sim: %d GWMP servers for %d hotspots; give one, or one per hotspot", len(servers), len(w.hotspots))
	}
	out := make([]*forwarder.Forwarder, len(w.hotspots))
	for i, h := range w.hotspots {
		f, err := forwarder.New(forwarder.Options{
			Index: i, GatewayEUI: h.GatewayEUI, Server: servers[min(i, len(servers)-1)], Medium: w,
			Seed: w.cfg.Seed, Logger: w.log.With("hotspot", i), Clock: w.cfg.Clock,
		})
		if err != nil {
			return nil, fmt.Errorf("hotspot %d forwarder: %w", i, err)
		}
		out[i] = f
	}
	return out, nil
}
