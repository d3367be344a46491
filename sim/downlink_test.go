package sim

import (
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/sessionkeys"
	"github.com/hexnet/hexnet/sim/air"
)

// joinAccept builds and encrypts a LoRaWAN 1.0 join accept as a network
// server would.
func joinAccept(t *testing.T, d Device, ja lorawan.JoinAcceptPayload, devNonce lorawan.DevNonce) []byte {
	t.Helper()
	phy := lorawan.PHYPayload{
		MHDR:       lorawan.MHDR{MType: lorawan.JoinAccept, Major: lorawan.LoRaWANR1},
		MACPayload: &ja,
	}
	if err := phy.SetDownlinkJoinMIC(lorawan.JoinRequestType, d.JoinEUI, devNonce, d.AppKey); err != nil {
		t.Fatal(err)
	}
	if err := phy.EncryptJoinAcceptPayload(d.AppKey); err != nil {
		t.Fatal(err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bestHotspot is the hotspot that heard up loudest.
func bestHotspot(t *testing.T, up Uplink) int {
	t.Helper()
	if len(up.Receptions) == 0 {
		t.Fatalf("device %d: nobody heard the uplink", up.Device)
	}
	best := up.Receptions[0]
	for _, r := range up.Receptions {
		if r.SNR > best.SNR {
			best = r
		}
	}
	return best.Hotspot
}

// heardDevice finds a device of the kind whose first uplink is heard.
func heardDevice(t *testing.T, w *World, otaa bool) (Device, Uplink) {
	t.Helper()
	for _, d := range w.Devices() {
		if d.OTAA == otaa {
			if up := send(t, w, d.Index, t0); len(up.Receptions) > 0 {
				return d, up
			}
		}
	}
	t.Fatalf("no heard device with OTAA %v", otaa)
	return Device{}, Uplink{}
}

func rx1(up Uplink, delay time.Duration, b []byte) air.Transmission {
	return air.Transmission{PHYPayload: b, FrequencyHz: up.FrequencyHz, Modulation: up.Modulation,
		PowerDBm: 14, InvertPolarity: true, At: up.End.Add(delay)}
}

func TestOTAAJoin(t *testing.T) {
	cfg := testConfig(21)
	w := newTestWorld(t, cfg)
	d, up := heardDevice(t, w, true)
	ja := lorawan.JoinAcceptPayload{
		JoinNonce: 0x123456, HomeNetID: cfg.NetID, DevAddr: lorawan.DevAddr{0x26, 0x01, 0x02, 0x03},
		DLSettings: lorawan.DLSettings{RX2DataRate: 3}, RXDelay: 1,
		CFList: &lorawan.CFList{CFListType: lorawan.CFListChannel, Payload: &lorawan.CFListChannelPayload{
			Channels: [5]uint32{867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000}}},
	}
	w.Transmit(bestHotspot(t, up), rx1(up, JoinAcceptDelay1, joinAccept(t, d, ja, up.DevNonce)))
	if s := w.Stats(); s.JoinsAccepted != 1 || s.DownlinksHeard != 1 || s.DownlinksRejected != 0 {
		t.Fatalf("stats after join accept: %+v", s)
	}
	keys, err := sessionkeys.Derive1_0(d.AppKey, ja.JoinNonce, cfg.NetID, up.DevNonce)
	if err != nil {
		t.Fatal(err)
	}
	n := w.nodes[d.Index]
	if n.sess.nwkSKey != keys.NwkSKey || n.sess.appSKey != keys.AppSKey || n.sess.devAddr != ja.DevAddr || n.rx2SF != 9 || len(n.channels) != 8 {
		t.Errorf("session after join: %+v, rx2 SF%d, %d channels", n.sess, n.rx2SF, len(n.channels))
	}
	data := send(t, w, d.Index, t0.Add(time.Minute))
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(data.PHYPayload); err != nil {
		t.Fatal(err)
	}
	if ok, _ := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, keys.NwkSKey, keys.NwkSKey); !ok || data.Join || data.DevAddr != ja.DevAddr || data.FCnt != 0 {
		t.Errorf("first data uplink after join: %+v", data)
	}
}

func TestJoinAcceptRejected(t *testing.T) {
	w := newTestWorld(t, testConfig(21))
	d, up := heardDevice(t, w, true)
	ja := lorawan.JoinAcceptPayload{JoinNonce: 1, DevAddr: lorawan.DevAddr{1, 2, 3, 4}}
	wrongKey := d
	wrongKey.AppKey[0] ^= 0xff
	g := bestHotspot(t, up)
	w.Transmit(g, rx1(up, JoinAcceptDelay1, joinAccept(t, wrongKey, ja, up.DevNonce)))
	tampered := joinAccept(t, d, ja, up.DevNonce)
	tampered[3] ^= 0x01
	w.Transmit(g, rx1(up, JoinAcceptDelay1, tampered))
	if s := w.Stats(); s.JoinsAccepted != 0 || s.DownlinksRejected != 2 {
		t.Errorf("stats after bad accepts: %+v", s)
	}
	// Still listening: RX2 takes a good one.
	tx := air.Transmission{PHYPayload: joinAccept(t, d, ja, up.DevNonce), FrequencyHz: RX2FrequencyHz,
		Modulation: modulation(12), PowerDBm: 27, InvertPolarity: true, At: up.End.Add(JoinAcceptDelay2)}
	w.Transmit(g, tx)
	if s := w.Stats(); s.JoinsAccepted != 1 {
		t.Errorf("stats after RX2 accept: %+v", s)
	}
}

func TestDeliveryWindows(t *testing.T) {
	w := newTestWorld(t, testConfig(21))
	d, up := heardDevice(t, w, true)
	good := rx1(up, JoinAcceptDelay1, joinAccept(t, d, lorawan.JoinAcceptPayload{JoinNonce: 7, DevAddr: lorawan.DevAddr{1, 2, 3, 4}}, up.DevNonce))
	g := bestHotspot(t, up)
	tests := []struct {
		name string
		edit func(*air.Transmission)
	}{
		{"60 ms early", func(tx *air.Transmission) { tx.At = tx.At.Add(-60 * time.Millisecond) }},
		{"60 ms late", func(tx *air.Transmission) { tx.At = tx.At.Add(60 * time.Millisecond) }},
		{"data delay instead of join delay", func(tx *air.Transmission) { tx.At = up.End.Add(ReceiveDelay1) }},
		{"neighbouring channel", func(tx *air.Transmission) { tx.FrequencyHz += 200_000 }},
		{"RX2 time on the RX1 channel", func(tx *air.Transmission) { tx.At = up.End.Add(JoinAcceptDelay2) }},
		{"other spreading factor", func(tx *air.Transmission) { tx.Modulation = modulation(up.Modulation.SpreadingFactor%12 + 1) }},
		{"IQ not inverted", func(tx *air.Transmission) { tx.InvertPolarity = false }},
		{"too weak", func(tx *air.Transmission) { tx.PowerDBm = -120 }},
	}
	for _, tt := range tests {
		tx := good
		tt.edit(&tx)
		w.Transmit(g, tx)
		if s := w.Stats(); s.DownlinksHeard != 0 || s.JoinsAccepted != 0 {
			t.Fatalf("%s: heard (%+v)", tt.name, s)
		}
	}
	good.At = good.At.Add(45 * time.Millisecond)
	w.Transmit(g, good)
	if s := w.Stats(); s.JoinsAccepted != 1 {
		t.Fatalf("45 ms late within tolerance not accepted: %+v", s)
	}
	w.Transmit(g, good)
	if s := w.Stats(); s.DownlinksHeard != 1 {
		t.Errorf("a second downlink after the accept was heard: %+v", s)
	}
}

func dataDown(t *testing.T, d Device, mtype lorawan.MType, fcnt uint32, key lorawan.AES128Key) []byte {
	t.Helper()
	phy := lorawan.PHYPayload{
		MHDR:       lorawan.MHDR{MType: mtype, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{FHDR: lorawan.FHDR{DevAddr: d.DevAddr, FCnt: fcnt}},
	}
	if err := phy.SetDownlinkDataMIC(lorawan.LoRaWAN1_0, 0, key); err != nil {
		t.Fatal(err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDataDownlink(t *testing.T) {
	w := newTestWorld(t, testConfig(21))
	d, up := heardDevice(t, w, false)
	g := bestHotspot(t, up)
	w.Transmit(g, rx1(up, ReceiveDelay1, dataDown(t, d, lorawan.ConfirmedDataDown, 0, d.AppSKey)))
	if s := w.Stats(); s.DownlinksHeard != 1 || s.DownlinksRejected != 1 {
		t.Fatalf("downlink signed with the wrong key: %+v", s)
	}
	w.Transmit(g, rx1(up, ReceiveDelay1+time.Second, dataDown(t, d, lorawan.ConfirmedDataDown, 0, d.NwkSKey)))
	if s := w.Stats(); s.DownlinksHeard != 1 || s.DownlinksRejected != 1 {
		t.Fatalf("good downlink in RX2 timing on the RX1 channel was heard: %+v", s)
	}
	rx2 := air.Transmission{PHYPayload: dataDown(t, d, lorawan.ConfirmedDataDown, 0, d.NwkSKey), FrequencyHz: RX2FrequencyHz,
		Modulation: modulation(12), PowerDBm: 27, InvertPolarity: true, At: up.End.Add(ReceiveDelay1 + time.Second)}
	w.Transmit(g, rx2)
	if s := w.Stats(); s.DownlinksHeard != 2 || s.DownlinksRejected != 1 {
		t.Fatalf("stats after a good RX2 downlink: %+v", s)
	}
	next := send(t, w, d.Index, t0.Add(time.Minute))
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(next.PHYPayload); err != nil {
		t.Fatal(err)
	}
	if !phy.MACPayload.(*lorawan.MACPayload).FHDR.FCtrl.ACK {
		t.Error("the uplink after a confirmed downlink does not carry ACK")
	}
}

func TestFullFCnt(t *testing.T) {
	tests := []struct{ next, wire, want uint32 }{
		{0, 0, 0}, {5, 7, 7}, {0xfffe, 0x0001, 0x10001}, {0x10005, 0x0004, 0x10004}, {0x12345, 0x2346, 0x12346},
	}
	for _, tt := range tests {
		if got := fullFCnt(tt.next, tt.wire); got != tt.want {
			t.Errorf("fullFCnt(%#x, %#x) = %#x, want %#x", tt.next, tt.wire, got, tt.want)
		}
	}
}
