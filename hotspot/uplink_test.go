package hotspot

import (
	"testing"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

func ptr[T any](v T) *T { return &v }

func TestSignal(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r         gwmp.RXPK
		rssi, snr float64
		ant       uint32
		ftime     uint64
	}{
		{"legacy", gwmp.RXPK{RSSI: -90, LSNR: 7}, -90, 7, 0, 0},
		{"sx1302 channel rssi, fine timestamp", gwmp.RXPK{RSSI: -104, RSSIC: ptr(-104.0), RSSIS: ptr(-110.0), LSNR: -3,
			Ant: ptr[uint32](1), FTime: ptr[uint32](5000)}, -104, -3, 1, 5000},
		{"v2 HAL rsig: strongest antenna", gwmp.RXPK{RSig: []gwmp.RSig{
			{Ant: 0, RSSIC: -120, LSNR: -10},
			{Ant: 1, RSSIC: -100, LSNR: 4, FTime: ptr[uint32](42)},
		}}, -100, 4, 1, 42},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Daemon{now: fixedClock}
			r := tc.r
			r.Stat, r.DatR, r.Modu = gwmp.StatCRCOK, gwmp.LoRa(7, 125), gwmp.ModuLoRa
			j, reason := d.jobOf(&r)
			up, ok := j.msg.(*hexnetpb.Uplink)
			if !ok {
				t.Fatalf("not forwarded: %s", reason)
			}
			if float64(up.GetRssi()) != tc.rssi || float64(up.GetSnr()) != tc.snr || up.GetAntenna() != tc.ant || up.GetFineTimestampNs() != tc.ftime {
				t.Errorf("uplink rssi %v snr %v ant %d ftime %d; want %v %v %d %d", up.GetRssi(), up.GetSnr(), up.GetAntenna(),
					up.GetFineTimestampNs(), tc.rssi, tc.snr, tc.ant, tc.ftime)
			}
		})
	}
}

func TestUplinkOfDrops(t *testing.T) {
	d := &Daemon{now: fixedClock}
	for _, tc := range []struct {
		r    gwmp.RXPK
		want string
	}{
		{gwmp.RXPK{Stat: -1, DatR: gwmp.LoRa(7, 125)}, DropCRCBad},
		{gwmp.RXPK{Stat: 0, DatR: gwmp.LoRa(7, 125)}, DropNoCRC},
		{gwmp.RXPK{Stat: 1, DatR: gwmp.DataRate{BitRate: 50000}}, DropNotLoRa},
		{gwmp.RXPK{Stat: 1, DatR: gwmp.LoRa(7, 125), Data: "!!", Size: 1}, DropBadPayload},
		{gwmp.RXPK{Stat: 1, DatR: gwmp.LoRa(7, 125), Data: "AQID", Size: 1}, DropSizeMismatch},
	} {
		if j, reason := d.jobOf(&tc.r); j.msg != nil || reason != tc.want {
			t.Errorf("jobOf(%+v) = %v, %q; want drop %q", tc.r, j.msg, reason, tc.want)
		}
	}
}
