package router_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/sessionkeys"
)

var (
	otaaEUI = lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x00, 0x00, 0x42}
	joinEUI = lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x00, 0x00, 0x01}
	appKey  = lorawan.AES128Key{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
)

func otaaDevice() router.Device {
	return router.Device{DevEUI: otaaEUI, JoinEUI: joinEUI, Application: testApp, Name: "otaa-1",
		MACVersion: "1.0.3", OTAA: true, AppKey: appKey, CreatedAt: t0}
}

func TestJoinAccepted(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	must(t, h.st.CreateDevice(context.Background(), otaaDevice()))
	const devNonce = lorawan.DevNonce(0x1234)
	h.hear(t, joinRequest(t, joinEUI, otaaEUI, devNonce, appKey))

	msgs := h.bus.take()
	if len(msgs) != 2 {
		t.Fatalf("published %d messages, want downlink + join event", len(msgs))
	}
	best := h.hotspots[2] // highest SNR in hear
	if want := "hexnet/hotspot/" + string(best.Address()) + "/down"; msgs[0].Topic != want || msgs[0].QoS != 1 {
		t.Fatalf("downlink on %s QoS %d, want %s QoS 1", msgs[0].Topic, msgs[0].QoS, want)
	}
	var dl hexnetpb.Downlink
	must(t, proto.Unmarshal(msgs[0].Payload, &dl))
	checkJoinDownlink(t, &dl, 3_000_000)

	addr, keys := deviceSideJoin(t, dl.Items[0].PhyPayload, devNonce)
	sess, err := h.st.GetSession(context.Background(), otaaEUI)
	must(t, err)
	if sess.DevAddr != addr || sess.FNwkSIntKey != keys.NwkSKey || sess.NwkSEncKey != keys.NwkSKey ||
		sess.AppSKey != keys.AppSKey || sess.FCntUp != 0 {
		t.Errorf("stored session %+v does not match the device's view (DevAddr %s, keys %+v)", sess, addr, keys)
	}
	if !addr.IsNetID(testNet) {
		t.Errorf("DevAddr %s is outside NetID %s", addr, testNet)
	}
	var ev router.JoinEvent
	must(t, json.Unmarshal(msgs[1].Payload, &ev))
	if want := "hexnet/app/" + testApp + "/device/" + otaaEUI.String() + "/event/join"; msgs[1].Topic != want {
		t.Errorf("join event on %s, want %s", msgs[1].Topic, want)
	}
	if ev.DevAddr != addr.String() || ev.DeviceInfo.DevEUI != otaaEUI.String() || ev.DeviceInfo.DeviceName != "otaa-1" {
		t.Errorf("join event %+v", ev)
	}

	// The device now talks with its derived keys.
	h.hear(t, dataFrame(t, addr, 0, 3, []byte("after join"), keys.NwkSKey, keys.AppSKey, false))
	ups := h.bus.take()
	if len(ups) != 1 {
		t.Fatalf("published %d messages after the join, want 1 up event", len(ups))
	}
	var up router.UplinkEvent
	must(t, json.Unmarshal(ups[0].Payload, &up))
	if string(up.Data) != "after join" {
		t.Errorf("up data = %q, want %q", up.Data, "after join")
	}
}

// checkJoinDownlink checks RX1/RX2 timing and radio parameters for a best
// copy received at tmst on 868.1 MHz SF7BW125.
func checkJoinDownlink(t *testing.T, dl *hexnetpb.Downlink, tmst uint32) {
	t.Helper()
	if len(dl.Items) != 2 {
		t.Fatalf("downlink has %d items, want RX1 and RX2", len(dl.Items))
	}
	rx1, rx2 := dl.Items[0], dl.Items[1]
	if rx1.Tmst != tmst+5_000_000 || rx1.FrequencyHz != 868_100_000 || rx1.DataRate.SpreadingFactor != 7 ||
		rx1.DataRate.BandwidthKhz != 125 || rx1.PowerDbm != 14 || !rx1.InvertPolarity {
		t.Errorf("RX1 = %+v", rx1)
	}
	if rx2.Tmst != tmst+6_000_000 || rx2.FrequencyHz != 869_525_000 || rx2.DataRate.SpreadingFactor != 12 ||
		rx2.DataRate.BandwidthKhz != 125 || rx2.PowerDbm != 14 || !rx2.InvertPolarity {
		t.Errorf("RX2 = %+v", rx2)
	}
}

// deviceSideJoin decrypts a join accept as the device would and derives its
// session keys.
func deviceSideJoin(t *testing.T, b []byte, devNonce lorawan.DevNonce) (lorawan.DevAddr, sessionkeys.Keys1_0) {
	t.Helper()
	var phy lorawan.PHYPayload
	must(t, phy.UnmarshalBinary(b))
	must(t, phy.DecryptJoinAcceptPayload(appKey))
	ok, err := phy.ValidateDownlinkJoinMIC(lorawan.JoinRequestType, joinEUI, devNonce, appKey)
	if err != nil || !ok {
		t.Fatalf("join accept MIC does not verify: %v", err)
	}
	ja := phy.MACPayload.(*lorawan.JoinAcceptPayload)
	if ja.HomeNetID != testNet || ja.RXDelay != 1 || ja.DLSettings.RX1DROffset != 0 || ja.DLSettings.RX2DataRate != 0 {
		t.Errorf("join accept %+v", ja)
	}
	keys, err := sessionkeys.Derive1_0(appKey, ja.JoinNonce, ja.HomeNetID, devNonce)
	must(t, err)
	return ja.DevAddr, keys
}

func TestJoinRejected(t *testing.T) {
	abp := newABP(7, addrA, 0)
	abpJoin := otaaDevice()
	abpJoin.DevEUI, abpJoin.OTAA = abp.dev.DevEUI, false
	tests := []struct {
		name    string
		devices []router.Device
		frame   []byte
		want    string
	}{
		{"unknown DevEUI", nil, joinRequest(t, joinEUI, otaaEUI, 1, appKey), "unknown_deveui"},
		{"bad join MIC", []router.Device{otaaDevice()}, joinRequest(t, joinEUI, otaaEUI, 1, lorawan.AES128Key{1}), "join_mic_failed"},
		{"JoinEUI mismatch", []router.Device{otaaDevice()}, joinRequest(t, lorawan.EUI64{9}, otaaEUI, 1, appKey), "joineui_mismatch"},
		{"ABP device may not join", []router.Device{abpJoin}, joinRequest(t, joinEUI, abpJoin.DevEUI, 1, appKey), "not_otaa"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			for _, d := range tc.devices {
				must(t, h.st.CreateDevice(context.Background(), d))
			}
			h.hear(t, tc.frame)
			if got := h.dropped(tc.want); got != 1 {
				t.Errorf("dropped{%s} = %v, want 1", tc.want, got)
			}
			if msgs := h.bus.take(); len(msgs) != 0 {
				t.Errorf("published %d messages, want none", len(msgs))
			}
		})
	}
}

func TestJoinDevNonceReuse(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	must(t, h.st.CreateDevice(context.Background(), otaaDevice()))
	jr := joinRequest(t, joinEUI, otaaEUI, 77, appKey)
	h.hear(t, jr)
	first, err := h.st.GetSession(context.Background(), otaaEUI)
	must(t, err)
	h.bus.take()
	h.clk.Advance(dedup.DefaultGrace + time.Second) // dedup forgets the frame: this is a replay
	h.hear(t, jr)
	if got := h.dropped("devnonce_reused"); got != 1 {
		t.Errorf("dropped{devnonce_reused} = %v, want 1", got)
	}
	if msgs := h.bus.take(); len(msgs) != 0 {
		t.Errorf("published %d messages for a replayed join, want none", len(msgs))
	}
	again, err := h.st.GetSession(context.Background(), otaaEUI)
	must(t, err)
	if again.DevAddr != first.DevAddr || again.AppSKey != first.AppSKey {
		t.Errorf("replayed join replaced the session")
	}
}
