package hotspot

import (
	"errors"
	"testing"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/region"
)

// TestPowerCap: every transmission is capped at the region's maximum EIRP
// minus the antenna gain, counted; the beacon's item reports the power
// really used.
func TestPowerCap(t *testing.T) {
	tests := []struct {
		region  string
		gain    float64
		ask     int32
		want    int32
		clamped bool
	}{
		{"EU868", 0, 14, 14, false}, // limit 16
		{"EU868", 3, 14, 13, true},  // 16 − 3
		{"EU868", 2.3, 27, 13, true},
		{"EU868", 3, 10, 10, false},
		{"US915", 6, 30, 24, true}, // 30 − 6
		{"US915", -1.5, 30, 30, false},
		{"", 3, 30, 30, false}, // no region: no cap
	}
	for _, tc := range tests {
		r := newRig(t, func(o *Options) { o.Region, o.AntennaGainDBi = tc.region, tc.gain })
		r.pull(gwmp.Version2)
		it := item(5_000_000)
		it.PowerDbm = tc.ask
		r.request(it)
		p := r.only()
		if int32(p.TXPK.Powe) != tc.want || it.PowerDbm != tc.want {
			t.Errorf("%s %v dBi, %d dBm asked: sent %d dBm, item says %d; want %d", tc.region, tc.gain, tc.ask, p.TXPK.Powe, it.PowerDbm, tc.want)
		}
		want := 0.0
		if tc.clamped {
			want = 1
		}
		if got := value(t, r.d.tx.clamped); got != want {
			t.Errorf("%s %v dBi, %d dBm: tx_power_capped_total = %v, want %v", tc.region, tc.gain, tc.ask, got, want)
		}
	}
}

// TestUnknownRegionRefused: a misspelt region stops the daemon at start.
func TestUnknownRegionRefused(t *testing.T) {
	r := newRig(t, nil)
	o := r.d.o
	o.Region, o.Registerer = "EU686", nil
	if _, err := New(o); !errors.Is(err, region.ErrUnknownRegion) {
		t.Errorf("New with region EU686: %v, want region.ErrUnknownRegion", err)
	}
	o.Region = "eu868"
	if _, err := New(o); err != nil {
		t.Errorf("New with region eu868: %v", err)
	}
}
