package hotspot

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

func goodItem() *hexnetpb.DownlinkItem {
	return &hexnetpb.DownlinkItem{
		PhyPayload: []byte{0x20, 1, 2, 3}, FrequencyHz: 868_100_000, PowerDbm: 14, Tmst: 5_000_000, InvertPolarity: true,
		DataRate: &hexnetpb.DataRate{SpreadingFactor: 7, BandwidthKhz: 125, CodingRate: "4/5"},
	}
}

func TestCheckItem(t *testing.T) {
	cases := map[string]func(it *hexnetpb.DownlinkItem){
		"no data rate":   func(it *hexnetpb.DownlinkItem) { it.DataRate = nil },
		"empty payload":  func(it *hexnetpb.DownlinkItem) { it.PhyPayload = nil },
		"oversize":       func(it *hexnetpb.DownlinkItem) { it.PhyPayload = make([]byte, 256) },
		"SF 13":          func(it *hexnetpb.DownlinkItem) { it.DataRate.SpreadingFactor = 13 },
		"SF 0":           func(it *hexnetpb.DownlinkItem) { it.DataRate.SpreadingFactor = 0 },
		"bandwidth 100":  func(it *hexnetpb.DownlinkItem) { it.DataRate.BandwidthKhz = 100 },
		"frequency zero": func(it *hexnetpb.DownlinkItem) { it.FrequencyHz = 0 },
		"power 70000":    func(it *hexnetpb.DownlinkItem) { it.PowerDbm = 70000 },
		"power -40":      func(it *hexnetpb.DownlinkItem) { it.PowerDbm = -40 },
	}
	if _, err := txpkOf(goodItem()); err != nil {
		t.Fatalf("good item refused: %v", err)
	}
	for name, mutate := range cases {
		it := goodItem()
		mutate(it)
		if _, err := txpkOf(it); !errors.Is(err, errInvalidDownlink) {
			t.Errorf("%s: err = %v, want errInvalidDownlink", name, err)
		}
	}
}

// FuzzDownlink feeds arbitrary bytes as the MQTT payload of a downlink
// command: every item either becomes an encodable PULL_RESP or is refused.
func FuzzDownlink(f *testing.F) {
	good, _ := proto.Marshal(&hexnetpb.Downlink{Id: 7, Items: []*hexnetpb.DownlinkItem{goodItem()}})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x03, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var dl hexnetpb.Downlink
		if proto.Unmarshal(raw, &dl) != nil {
			return
		}
		for _, it := range dl.GetItems() {
			txpk, err := txpkOf(it)
			if err != nil {
				continue
			}
			if _, err := gwmp.Encode(&gwmp.Packet{Version: gwmp.Version2, Type: gwmp.PullResp, TXPK: txpk}); err != nil {
				t.Fatalf("accepted item does not encode: %v (%v)", err, it)
			}
		}
	})
}
