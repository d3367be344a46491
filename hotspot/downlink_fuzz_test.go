package hotspot

import (
	"errors"
	"strings"
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
	late := goodItem()
	late.Tmst = 4_294_957_296 // 2^32 − 10 ms
	imme := goodItem()
	imme.Immediately, imme.PowerDbm = true, 36
	two, _ := proto.Marshal(&hexnetpb.Downlink{Id: 8, Items: []*hexnetpb.DownlinkItem{late, imme}})
	f.Add(two)
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

// FuzzTxAck feeds arbitrary datagrams to a daemon with one downlink
// awaiting its TX_ACK: nothing panics, the pending table never grows, and
// the downlink is answered at most once.
func FuzzTxAck(f *testing.F) {
	for _, body := range []string{"", `{"txpk_ack":{"error":"NONE"}}`, `{"txpk_ack":{"warn":"TX_POWER","value":20}}`,
		`{"txpk_ack":{"error":"TOO_LATE"}}`, `{"txpk_ack":"x"}`, "{\"txpk_ack\":{}}\x00", `{"txpk_ack":{"error":"` + strings.Repeat("A", 100) + `"}}`} {
		f.Add(txAck(2, 0x1234, body))
	}
	f.Add([]byte{2, 0x12, 0x34, byte(gwmp.PullResp), '{', '}'})
	f.Add([]byte{1, 0, 0, byte(gwmp.TxAck)})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := newRig(t, func(o *Options) { o.Registerer = nil })
		r.pull(gwmp.Version2)
		r.request(item(5_000_000), rx2(6_000_000))
		r.conn.sent = nil
		if len(raw) >= 3 {
			for tok := range r.d.pending.m { // aim at the real token
				raw[1], raw[2] = byte(tok>>8), byte(tok)
			}
		}
		r.datagram(raw)
		if len(r.d.pending.m) > 1 || len(r.got) > 1 {
			t.Fatalf("%d pending, %d answers", len(r.d.pending.m), len(r.got))
		}
		if len(r.got) == 1 && ackCode(gwmp.ErrorCode(r.got[0].code)) != gwmp.ErrorCode(r.got[0].code) {
			t.Fatalf("answer %q is not a code", r.got[0].code)
		}
	})
}
