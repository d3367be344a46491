package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/web"
)

func (d *devnet) banner() {
	port := d.broker.Addr()
	fmt.Fprintf(d.out, "hexnet devnet: %s, %d hotspots, %d devices, seed %d\n", d.world.City().Name, d.cfg.Hotspots, d.cfg.Devices, d.cfg.Seed)
	fmt.Fprintf(d.out, "  MQTT broker     %s (anonymous clients may read hexnet/app/#)\n", d.broker.URL())
	fmt.Fprintf(d.out, "  watch uplinks   mosquitto_sub -h %s -p %s -t 'hexnet/app/%s/device/+/event/#' -v\n", hostOf(port), portOf(port), d.cfg.Application)
	if d.metrics != nil {
		fmt.Fprintf(d.out, "  metrics         http://%s/metrics\n", d.metrics.Addr())
	}
	fmt.Fprintf(d.out, "  coverage map    http://%s/%s\n", d.chain.apiLn.Addr(), mapNote())
	fmt.Fprintf(d.out, "  oracle API      http://%s/api/v1/epochs (oracle %s)\n", d.chain.apiLn.Addr(), d.chain.key.Address())
	fmt.Fprintf(d.out, "  Solana RPC      %s (reward mint %s)\n", d.chain.localnet.URL(), d.chain.oracle.Mint())
	fmt.Fprintf(d.out, "  epochs          every %s (+%s grace); a challenge round every %s\n", d.cfg.Epoch, d.cfg.EpochGrace, d.cfg.Round)
	if d.cfg.For > 0 {
		fmt.Fprintf(d.out, "  stopping after  %s\n", d.cfg.For)
	} else {
		fmt.Fprintln(d.out, "  stop with       Ctrl-C")
	}
}

// mapNote warns when the binary was built without the map page.
func mapNote() string {
	if web.Built() {
		return ""
	}
	return " (a placeholder: this binary was built before the page; run make web, then rebuild)"
}

func hostOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i]
		}
	}
	return addr
}

func portOf(addr string) string { return addr[len(hostOf(addr))+1:] }

// progress prints one line every cfg.Progress until ctx ends.
func (d *devnet) progress(ctx context.Context) {
	t := time.NewTicker(d.cfg.Progress)
	defer t.Stop()
	lastUps, lastAt := 0, time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s, st := d.watch.snapshot(), d.world.Stats()
			rate := float64(s.Ups-lastUps) / now.Sub(lastAt).Seconds()
			lastUps, lastAt = s.Ups, now
			fmt.Fprintf(d.out, "[%5.0fs] hotspots online %d/%d · uplinks %.1f/s (%d delivered of %d heard) · copies/frame %.2f · joins %d/%d\n",
				time.Since(d.started).Seconds(), s.Online, d.cfg.Hotspots, rate, s.Ups, st.FramesHeard-st.JoinRequests, s.CopiesPerFrame, s.Joins, d.otaaDevices())
		}
	}
}

func (d *devnet) otaaDevices() int {
	n := 0
	for _, r := range d.world.Registrations() {
		if r.Device.OTAA {
			n++
		}
	}
	return n
}

// summary is the devnet's closing report; its JSON is the last line printed.
type summary struct {
	City             string   `json:"city"`
	Seed             int64    `json:"seed"`
	Hotspots         int      `json:"hotspots"`
	Devices          int      `json:"devices"`
	Seconds          float64  `json:"seconds"`
	FramesSent       int64    `json:"frames_sent"`
	FramesHeard      int64    `json:"frames_heard"`
	DataFramesHeard  int      `json:"data_frames_heard"`
	Copies           int64    `json:"copies"`
	AppEvents        int      `json:"app_events"`
	UplinksDelivered int      `json:"uplinks_delivered"`
	Missing          int      `json:"missing"`
	Mismatched       int      `json:"mismatched"`
	Duplicates       int      `json:"duplicates"`
	JoinRequests     int64    `json:"join_requests"`
	OTAADevices      int      `json:"otaa_devices"`
	Joins            int      `json:"joins"`
	JoinsAccepted    int64    `json:"joins_accepted_by_devices"`
	CopiesPerFrame   float64  `json:"copies_per_frame"`
	HotspotsOnline   int      `json:"hotspots_online"`
	BrokerDropped    int64    `json:"broker_dropped"`
	EpochsClosed     int      `json:"epochs_closed"`
	EpochsPaid       int      `json:"epochs_paid"`
	Beacons          int      `json:"beacons"`
	ValidBeacons     int      `json:"valid_beacons"`
	Witnesses        int      `json:"witnesses"`
	ValidWitnesses   int      `json:"valid_witnesses"`
	TokensMinted     uint64   `json:"tokens_minted"` // base units (6 decimals) of closed epochs
	HotspotsEarning  int      `json:"hotspots_earning"`
	Roots            []string `json:"roots"` // hex, per closed epoch
	EpochsVerified   int      `json:"epochs_verified"`
	LinkedHotspots   int      `json:"hotspots_with_neighbours"`
	LinkedEarning    int      `json:"hotspots_with_neighbours_earning"`
}

func (d *devnet) summarise(elapsed time.Duration) summary {
	s, st := d.watch.snapshot(), d.world.Stats()
	sum := summary{
		City: d.world.City().Name, Seed: d.cfg.Seed, Hotspots: d.cfg.Hotspots, Devices: d.cfg.Devices,
		Seconds: elapsed.Seconds(), FramesSent: st.FramesSent, FramesHeard: st.FramesHeard, Copies: st.Copies,
		AppEvents: s.Events, UplinksDelivered: s.Ups, Duplicates: s.Dupes, JoinRequests: st.JoinRequests,
		OTAADevices: d.otaaDevices(), Joins: s.Joins, JoinsAccepted: st.JoinsAccepted, CopiesPerFrame: s.CopiesPerFrame,
		HotspotsOnline: s.Online, BrokerDropped: d.broker.Dropped(),
	}
	d.chain.tally(&sum)
	sum.LinkedHotspots, sum.LinkedEarning = d.neighbours()
	for _, f := range d.world.HeardFrames() {
		sum.DataFramesHeard++
		got, ok := d.watch.payload(frameKey{DevEUI: f.DevEUI.String(), FCnt: f.FCnt})
		switch {
		case !ok:
			sum.Missing++
		case string(got) != string(f.Payload):
			sum.Mismatched++
		}
	}
	return sum
}

// tally adds the PoC figures of the closed epochs to the summary.
func (c *chain) tally(s *summary) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.EpochsClosed, s.EpochsPaid = len(c.closed), len(c.paid)
	for _, r := range c.closed {
		s.TokensMinted += r.Manifest.Sum()
		s.Roots = append(s.Roots, fmt.Sprintf("%x", r.Root))
		for _, v := range r.Verdicts {
			switch {
			case v.Kind == oracle.KindBeacon:
				s.Beacons++
				s.ValidBeacons += b2i(v.Valid)
			default:
				s.Witnesses++
				s.ValidWitnesses += b2i(v.Valid)
			}
		}
	}
	for _, v := range c.verified {
		if v.OK() {
			s.EpochsVerified++
		}
	}
	for _, total := range c.earned {
		if total > 0 {
			s.HotspotsEarning++
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
