package sim

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hexnet/hexnet/geo"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// firstDevice is the index of the first device with the given activation.
func firstDevice(t testing.TB, w *World, otaa bool) Device {
	t.Helper()
	for _, d := range w.Devices() {
		if d.OTAA == otaa {
			return d
		}
	}
	t.Fatalf("no device with OTAA %v", otaa)
	return Device{}
}

func send(t testing.TB, w *World, dev int, end time.Time) Uplink {
	t.Helper()
	up, err := w.Send(dev, end)
	if err != nil {
		t.Fatalf("Send(%d): %v", dev, err)
	}
	return up
}

func TestABPUplinkDecodes(t *testing.T) {
	w := newTestWorld(t, testConfig(11))
	d := firstDevice(t, w, false)
	for fcnt := uint32(0); fcnt < 3; fcnt++ {
		up := send(t, w, d.Index, t0.Add(time.Duration(fcnt)*time.Minute))
		var phy lorawan.PHYPayload
		if err := phy.UnmarshalBinary(up.PHYPayload); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		mac := phy.MACPayload.(*lorawan.MACPayload)
		if phy.MHDR.MType != lorawan.UnconfirmedDataUp || phy.MHDR.Major != lorawan.LoRaWANR1 {
			t.Errorf("MHDR %+v", phy.MHDR)
		}
		if mac.FHDR.DevAddr != d.DevAddr || mac.FHDR.FCnt != fcnt || up.FCnt != fcnt || *mac.FPort != d.FPort {
			t.Errorf("frame %d: DevAddr %s FCnt %d FPort %d", fcnt, mac.FHDR.DevAddr, mac.FHDR.FCnt, *mac.FPort)
		}
		if ok, err := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, d.NwkSKey, d.NwkSKey); err != nil || !ok {
			t.Errorf("frame %d: MIC does not verify with NwkSKey (%v)", fcnt, err)
		}
		if err := phy.DecryptFRMPayload(d.AppSKey); err != nil {
			t.Fatalf("decrypt: %v", err)
		}
		plain := mac.FRMPayload[0].(*lorawan.DataPayload).Bytes
		if !cmp.Equal(plain, up.Payload) || binary.BigEndian.Uint32(plain) != fcnt {
			t.Errorf("frame %d: payload %x, recorded %x", fcnt, plain, up.Payload)
		}
	}
}

func TestJoinRequestDecodes(t *testing.T) {
	w := newTestWorld(t, testConfig(11))
	d := firstDevice(t, w, true)
	for i := 0; i < 3; i++ {
		up := send(t, w, d.Index, t0.Add(time.Duration(i)*time.Minute))
		var phy lorawan.PHYPayload
		if err := phy.UnmarshalBinary(up.PHYPayload); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		jr := phy.MACPayload.(*lorawan.JoinRequestPayload)
		want := lorawan.DevNonce(d.DevNonceStart + uint16(i))
		if !up.Join || jr.DevEUI != d.DevEUI || jr.JoinEUI != d.JoinEUI || jr.DevNonce != want || up.DevNonce != want {
			t.Errorf("join request %d: %+v, want DevNonce %d", i, jr, want)
		}
		if ok, err := phy.ValidateUplinkJoinMIC(d.AppKey); err != nil || !ok {
			t.Errorf("join request %d: MIC does not verify with AppKey (%v)", i, err)
		}
		if !inJoinChannels(up.FrequencyHz) {
			t.Errorf("join request on %d Hz", up.FrequencyHz)
		}
	}
}

func inJoinChannels(f uint64) bool {
	for _, c := range JoinChannels() {
		if c == f {
			return true
		}
	}
	return false
}

func TestUplinkTiming(t *testing.T) {
	w := newTestWorld(t, testConfig(11))
	d := firstDevice(t, w, false)
	up := send(t, w, d.Index, t0)
	want, _ := geo.TimeOnAir(geo.LoRa{SpreadingFactor: d.SpreadingFactor, BandwidthHz: 125000, CodingRate: 1, CRC: true}, len(up.PHYPayload))
	if up.End != t0 || up.End.Sub(up.Start) != want || up.Modulation != modulation(d.SpreadingFactor) {
		t.Errorf("uplink on air %v–%v (%v), want %v", up.Start, up.End, up.End.Sub(up.Start), want)
	}
}

// TestFrameSequenceIsDeterministic sends the same frames from two worlds
// with one seed at different times: everything but the timing matches.
func TestFrameSequenceIsDeterministic(t *testing.T) {
	run := func(seed int64, offset time.Duration) []Uplink {
		w := newTestWorld(t, testConfig(seed))
		var ups []Uplink
		for round := 0; round < 3; round++ {
			for dev := range w.Devices() {
				end := t0.Add(offset + time.Duration(round*1000+dev)*time.Second)
				ups = append(ups, send(t, w, dev, end))
			}
		}
		return ups
	}
	a, b := run(5, 0), run(5, 17*time.Hour+time.Millisecond)
	noTime := cmpopts.IgnoreFields(Uplink{}, "Start", "End")
	if d := cmp.Diff(a, b, noTime); d != "" {
		t.Errorf("same seed, different frames (-a +b):\n%s", d)
	}
	if cmp.Equal(a, run(6, 0), noTime) {
		t.Error("seeds 5 and 6 sent the same frames")
	}
}

func TestStatsAndHeardFrames(t *testing.T) {
	w := newTestWorld(t, testConfig(2))
	var sent, heard, copies, joins int64
	var data []Uplink
	for dev := range w.Devices() {
		up := send(t, w, dev, t0.Add(time.Duration(dev)*time.Second))
		sent++
		copies += int64(len(up.Receptions))
		if len(up.Receptions) > 0 {
			heard++
			if !up.Join {
				data = append(data, up)
			}
		}
		if up.Join {
			joins++
		}
	}
	want := Stats{FramesSent: sent, FramesHeard: heard, Copies: copies, JoinRequests: joins}
	if d := cmp.Diff(want, w.Stats()); d != "" {
		t.Errorf("stats (-want +got):\n%s", d)
	}
	got := w.HeardFrames()
	if len(got) != len(data) {
		t.Fatalf("%d heard frames, want %d", len(got), len(data))
	}
	for i, up := range data {
		h := got[i]
		if h.DevEUI != up.DevEUI || h.FCnt != up.FCnt || h.FPort != up.FPort || !cmp.Equal(h.Payload, up.Payload) || len(h.Hotspots) != len(up.Receptions) || !h.At.Equal(up.End) {
			t.Errorf("heard frame %d: %+v for uplink %+v", i, h, up)
		}
	}
	if heard < sent*8/10 {
		t.Errorf("only %d of %d frames heard by 12 hotspots in Lisbon", heard, sent)
	}
}
