package pktfwd

import (
	"fmt"
	"slices"

	"github.com/hexnet/hexnet/region"
)

// Limits of the concentrators' front ends.
const (
	// multiSFChannels is the number of multi-SF LoRa demodulators (IF0–IF7).
	multiSFChannels = 8
	// maxIF is how far a 125 kHz channel may sit from its radio's centre:
	// the ±400 kHz window of Semtech's reference configurations.
	maxIF = 400_000
	// maxStdIF is how far the single-SF (250/500 kHz) channel may sit from
	// its radio's centre, as in Semtech's US915 reference (904.6 MHz on a
	// radio at 904.3 MHz).
	maxStdIF = 300_000
	narrowHz = 125_000
)

// IFChannel is one demodulator's channel: the radio it listens through
// and its offset from that radio's centre.
type IFChannel struct {
	FrequencyHz uint32
	Radio       int
	IFHz        int32
}

// StdChannel is the single-SF wide channel (chan_Lora_std).
type StdChannel struct {
	IFChannel
	BandwidthHz     int
	SpreadingFactor int
}

// Layout is where a plan's channels sit on the concentrator's two radios.
type Layout struct {
	// RadioHz are the centre frequencies of radio_0 and radio_1.
	RadioHz [2]uint32
	// MultiSF are the 125 kHz channels, at most 8, in frequency order.
	MultiSF []IFChannel
	// Std is the wide single-SF channel, nil when the plan has none that
	// fits next to the multi-SF channels.
	Std *StdChannel
}

// PlanLayout places the plan's 125 kHz uplink channels — its sub-band in
// a fixed-channel plan (US915, AU915: sub-band 2), otherwise its standard
// channels — on two radios, each covering ±400 kHz around its centre. A
// plan whose channels need more than two radios is refused.
func PlanLayout(p region.Plan) (Layout, error) {
	freqs := narrowChannels(p)
	if len(freqs) == 0 {
		return Layout{}, fmt.Errorf("%w: %s has no 125 kHz uplink channel", ErrLayout, p.Name)
	}
	if len(freqs) > multiSFChannels {
		freqs = freqs[:multiSFChannels]
	}
	groups := groupByWindow(freqs)
	if len(groups) > 2 {
		return Layout{}, fmt.Errorf("%w: %s channels %v span more than two radios of ±%d kHz", ErrLayout, p.Name, freqs, maxIF/1000)
	}
	var l Layout
	for r, g := range groups {
		l.RadioHz[r] = (g[0] + g[len(g)-1]) / 2
		for _, f := range g {
			l.MultiSF = append(l.MultiSF, IFChannel{FrequencyHz: f, Radio: r, IFHz: int32(int64(f) - int64(l.RadioHz[r]))})
		}
	}
	if len(groups) == 1 {
		// radio_1 must run (it clocks the SX1301 on most boards); it
		// listens just above radio_0 and no channel uses it.
		l.RadioHz[1] = l.RadioHz[0] + 2*maxIF
	}
	l.Std = stdChannel(p, l.RadioHz)
	return l, nil
}

// narrowChannels are the plan's 125 kHz beacon (listening) channels in
// frequency order.
func narrowChannels(p region.Plan) []uint32 {
	var out []uint32
	for _, c := range region.BeaconChannels(p) {
		if widest(p, c) == narrowHz {
			out = append(out, c.FrequencyHz)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// groupByWindow splits sorted frequencies into runs that fit one radio's
// window (2×maxIF wide).
func groupByWindow(freqs []uint32) [][]uint32 {
	var groups [][]uint32
	for _, f := range freqs {
		n := len(groups)
		if n > 0 && f-groups[n-1][0] <= 2*maxIF {
			groups[n-1] = append(groups[n-1], f)
			continue
		}
		groups = append(groups, []uint32{f})
	}
	return groups
}

// stdChannel is the first uplink channel with a wide (>125 kHz) uplink
// data rate that sits within maxStdIF of a radio centre.
func stdChannel(p region.Plan, radios [2]uint32) *StdChannel {
	for _, c := range p.UplinkChannels {
		dr, ok := wideDataRate(p, c)
		if !ok {
			continue
		}
		for r, centre := range radios {
			off := int64(c.FrequencyHz) - int64(centre)
			if off >= -maxStdIF && off <= maxStdIF {
				return &StdChannel{
					IFChannel:   IFChannel{FrequencyHz: c.FrequencyHz, Radio: r, IFHz: int32(off)},
					BandwidthHz: dr.BandwidthHz, SpreadingFactor: dr.SpreadingFactor,
				}
			}
		}
	}
	return nil
}

// widest is the widest bandwidth among the uplink data rates c allows.
func widest(p region.Plan, c region.Channel) int {
	w := 0
	for _, dr := range p.DataRates {
		if dr.Uplink && c.Allows(dr.Index) {
			w = max(w, dr.BandwidthHz)
		}
	}
	return w
}

// wideDataRate is c's uplink data rate wider than 125 kHz, if c only
// allows wide ones (a 250/500 kHz channel such as US915's 64–71).
func wideDataRate(p region.Plan, c region.Channel) (region.DataRate, bool) {
	for _, dr := range p.DataRates {
		if dr.Uplink && c.Allows(dr.Index) && dr.BandwidthHz > narrowHz {
			return dr, true
		}
	}
	return region.DataRate{}, false
}

// spreadingFactors are the SFs of the plan's 125 kHz uplink data rates,
// ascending: what the sx1302's multi-SF demodulators need to decode.
func spreadingFactors(p region.Plan) []int {
	var sfs []int
	for _, dr := range p.DataRates {
		if dr.Uplink && dr.BandwidthHz == narrowHz {
			sfs = append(sfs, dr.SpreadingFactor)
		}
	}
	slices.Sort(sfs)
	return slices.Compact(sfs)
}
