package region

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"
)

// source is how one plan is built from the band package.
type source struct {
	name    string
	band    band.Name
	subBand int
}

// sources is the constant table of supported plans, sorted by name.
// Dwell time is not limited (lorawan.DwellTimeNoLimit): AS923 countries
// that impose 400 ms need their own plan.
var sources = []source{
	{"AS923-1", band.AS923, 0},
	{"AS923-2", band.AS923_2, 0},
	{"AS923-3", band.AS923_3, 0},
	{"AS923-4", band.AS923_4, 0},
	{"AU915", band.AU915, 2},
	{"CN779", band.CN779, 0},
	{"EU433", band.EU433, 0},
	{"EU868", band.EU868, 0},
	{"IN865", band.IN865, 0},
	{"KR920", band.KR920, 0},
	{"RU864", band.RU864, 0},
	{"US915", band.US915, 2},
}

// aliases maps other spellings to plan names (after upper-casing and
// turning '_' into '-').
func alias(name string) string {
	n := strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(name)), "_", "-")
	if n == "AS923" {
		return "AS923-1"
	}
	return n
}

// Names lists the known plan names, sorted.
func Names() []string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.name
	}
	return names
}

// Lookup returns the plan called name. Names are matched case-insensitively,
// '_' may stand for '-', and "AS923" means "AS923-1". Each call builds a
// fresh Plan, so callers may keep and change it.
func Lookup(name string) (Plan, error) {
	want := alias(name)
	for _, s := range sources {
		if s.name == want {
			return build(s)
		}
	}
	return Plan{}, fmt.Errorf("%w %q; known regions: %s", ErrUnknownRegion, name, strings.Join(Names(), ", "))
}

// Plans returns every known plan, sorted by name.
func Plans() ([]Plan, error) {
	plans := make([]Plan, 0, len(sources))
	for _, s := range sources {
		p, err := build(s)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// build converts the band package's view of one plan.
func build(s source) (Plan, error) {
	b, err := band.GetConfig(s.band, false, lorawan.DwellTimeNoLimit)
	if err != nil {
		return Plan{}, fmt.Errorf("region %s: %w", s.name, err)
	}
	chans, err := uplinkChannels(b)
	if err != nil {
		return Plan{}, fmt.Errorf("region %s: %w", s.name, err)
	}
	def := b.GetDefaults()
	return Plan{
		Name:           s.name,
		MaxEIRPDBm:     math.Round(float64(b.GetDefaultMaxUplinkEIRP())*100) / 100,
		UplinkChannels: chans,
		DataRates:      loraDataRates(b, chans),
		RX2:            RX2{FrequencyHz: def.RX2Frequency, DataRate: def.RX2DataRate},
		SubBand:        s.subBand,
	}, nil
}

func uplinkChannels(b band.Band) ([]Channel, error) {
	idx := b.GetStandardUplinkChannelIndices()
	sort.Ints(idx)
	out := make([]Channel, 0, len(idx))
	for _, i := range idx {
		c, err := b.GetUplinkChannel(i)
		if err != nil {
			return nil, fmt.Errorf("uplink channel %d: %w", i, err)
		}
		out = append(out, Channel{FrequencyHz: c.Frequency, MinDR: c.MinDR, MaxDR: c.MaxDR})
	}
	return out, nil
}

// maxDataRateIndex bounds the data-rate indices probed (LoRaWAN has 16).
const maxDataRateIndex = 15

func loraDataRates(b band.Band, chans []Channel) []DataRate {
	var out []DataRate
	for i := 0; i <= maxDataRateIndex; i++ {
		d, err := b.GetDataRate(i)
		if err != nil || d.Modulation != band.LoRaModulation {
			continue
		}
		size, err := b.GetMaxPayloadSizeForDataRateIndex("", "", i)
		if err != nil {
			continue
		}
		out = append(out, DataRate{
			Index: i, SpreadingFactor: d.SpreadFactor, BandwidthHz: d.Bandwidth * 1000,
			MaxPayload: size.N, MaxMACPayload: size.M, Uplink: anyAllows(chans, i),
		})
	}
	return out
}

func anyAllows(chans []Channel, dr int) bool {
	for _, c := range chans {
		if c.Allows(dr) {
			return true
		}
	}
	return false
}
