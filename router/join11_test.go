package router_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
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
	nwkKey      = lorawan.AES128Key{0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88, 0x79, 0x6a, 0x5b, 0x4c, 0x3d, 0x2e, 0x1f, 0x00}
	macVersions = []string{"1.0.2", "1.0.3", "1.0.4", "1.1.0"}
)

func is1_1(version string) bool { return version == "1.1.0" }

// versionedDevice is the OTAA test device speaking version; 1.1 devices
// also carry a NwkKey.
func versionedDevice(version string) router.Device {
	d := otaaDevice()
	d.MACVersion = version
	if is1_1(version) {
		d.NwkKey = nwkKey
	}
	return d
}

// deviceSession is what the device holds after a join: 1.0 devices use
// NwkSKey for all three network keys.
type deviceSession struct {
	addr      lorawan.DevAddr
	joinNonce lorawan.JoinNonce
	keys      sessionkeys.Keys1_1
}

// joinRequestFor builds dev's join request (MIC'd with NwkKey in 1.1).
func joinRequestFor(t *testing.T, dev router.Device, nonce lorawan.DevNonce) []byte {
	key := dev.AppKey
	if is1_1(dev.MACVersion) {
		key = dev.NwkKey
	}
	return joinRequest(t, dev.JoinEUI, dev.DevEUI, nonce, key)
}

// acceptJoinAs decrypts and checks a join accept the way dev would, and
// derives its session.
func acceptJoinAs(t *testing.T, dev router.Device, b []byte, nonce lorawan.DevNonce) deviceSession {
	t.Helper()
	v11 := is1_1(dev.MACVersion)
	encKey, micKey := dev.AppKey, dev.AppKey
	if v11 {
		js, err := sessionkeys.JSIntKey(dev.NwkKey, dev.DevEUI)
		must(t, err)
		encKey, micKey = dev.NwkKey, js
	}
	var phy lorawan.PHYPayload
	must(t, phy.UnmarshalBinary(b))
	must(t, phy.DecryptJoinAcceptPayload(encKey))
	ja := phy.MACPayload.(*lorawan.JoinAcceptPayload)
	if ja.DLSettings.OptNeg != v11 {
		t.Fatalf("%s: OptNeg = %v", dev.MACVersion, ja.DLSettings.OptNeg)
	}
	if ok, err := phy.ValidateDownlinkJoinMIC(lorawan.JoinRequestType, dev.JoinEUI, nonce, micKey); err != nil || !ok {
		t.Fatalf("%s: join accept MIC does not verify: %v", dev.MACVersion, err)
	}
	if ja.CFList == nil || ja.CFList.CFListType != lorawan.CFListChannel {
		t.Fatalf("%s: join accept has no channel CFList", dev.MACVersion)
	}
	if got := ja.CFList.Payload.(*lorawan.CFListChannelPayload).Channels; got != [5]uint32{867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000} {
		t.Errorf("%s: CFList channels %v, want EU868's 867.1–867.9 MHz", dev.MACVersion, got)
	}
	s := deviceSession{addr: ja.DevAddr, joinNonce: ja.JoinNonce}
	if v11 {
		k, err := sessionkeys.Derive1_1(dev.NwkKey, dev.AppKey, ja.JoinNonce, dev.JoinEUI, nonce)
		must(t, err)
		s.keys = k
		return s
	}
	k, err := sessionkeys.Derive1_0(dev.AppKey, ja.JoinNonce, ja.HomeNetID, nonce)
	must(t, err)
	s.keys = sessionkeys.Keys1_1{FNwkSIntKey: k.NwkSKey, SNwkSIntKey: k.NwkSKey, NwkSEncKey: k.NwkSKey, AppSKey: k.AppSKey}
	return s
}

// uplinkAs builds a data uplink the way a device of version would send it
// on 868.1 MHz SF7BW125 (TxDR 5, TxCh 0), with a LinkCheckReq in FOpts
// (encrypted in 1.1).
func uplinkAs(t *testing.T, version string, s deviceSession, fcnt uint32, data []byte) []byte {
	t.Helper()
	fport := uint8(2)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: s.addr, FCnt: fcnt, FOpts: []lorawan.Payload{&lorawan.MACCommand{CID: lorawan.LinkCheckReq}}},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: data}},
		},
	}
	must(t, phy.EncryptFRMPayload(s.keys.AppSKey))
	if is1_1(version) {
		must(t, phy.EncryptFOpts(s.keys.NwkSEncKey))
		must(t, phy.SetUplinkDataMIC(lorawan.LoRaWAN1_1, 0, 5, 0, s.keys.FNwkSIntKey, s.keys.SNwkSIntKey))
	} else {
		must(t, phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, s.keys.FNwkSIntKey, s.keys.FNwkSIntKey))
	}
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

// joinAs sends dev's join request and returns the session the device
// derives from the join accept.
func (h *harness) joinAs(t *testing.T, dev router.Device, nonce lorawan.DevNonce) deviceSession {
	t.Helper()
	h.hear(t, joinRequestFor(t, dev, nonce))
	msgs := h.bus.take()
	if len(msgs) != 2 {
		t.Fatalf("%s: published %d messages, want downlink + join event", dev.MACVersion, len(msgs))
	}
	var dl hexnetpb.Downlink
	must(t, proto.Unmarshal(msgs[0].Payload, &dl))
	return acceptJoinAs(t, dev, dl.Items[0].PhyPayload, nonce)
}

func TestOTAAJoinEachVersion(t *testing.T) {
	for _, version := range macVersions {
		t.Run(version, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			dev := versionedDevice(version)
			must(t, h.st.CreateDevice(context.Background(), dev))
			s := h.joinAs(t, dev, 10)

			stored, err := h.st.GetSession(context.Background(), dev.DevEUI)
			must(t, err)
			if stored.DevAddr != s.addr || stored.FNwkSIntKey != s.keys.FNwkSIntKey || stored.SNwkSIntKey != s.keys.SNwkSIntKey ||
				stored.NwkSEncKey != s.keys.NwkSEncKey || stored.AppSKey != s.keys.AppSKey {
				t.Errorf("stored session %+v does not match the device's %+v", stored, s)
			}
			if is1_1(version) && (s.keys.FNwkSIntKey == s.keys.SNwkSIntKey || s.keys.FNwkSIntKey == s.keys.NwkSEncKey) {
				t.Errorf("1.1 network session keys are not split: %+v", s.keys)
			}

			h.hear(t, uplinkAs(t, version, s, 0, []byte("hello "+version)))
			// The up event; a LinkCheckAns downlink may follow (the
			// LinkCheckReq in FOpts, decrypted for 1.1, was understood).
			ups := h.bus.take()
			i := slices.IndexFunc(ups, func(m message) bool { return strings.HasSuffix(m.Topic, "/event/up") })
			if i < 0 {
				t.Fatalf("no up event after the join among %d messages (dropped mic_failed=%v)", len(ups), h.dropped("mic_failed"))
			}
			var up router.UplinkEvent
			must(t, json.Unmarshal(ups[i].Payload, &up))
			if string(up.Data) != "hello "+version {
				t.Errorf("up data = %q", up.Data)
			}
		})
	}
}

// TestJoinNonceCounts: 1.0.4 and 1.1 join accepts count JoinNonce up per
// device (devices refuse one that does not grow).
func TestJoinNonceCounts(t *testing.T) {
	for _, version := range []string{"1.0.4", "1.1.0"} {
		t.Run(version, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			dev := versionedDevice(version)
			must(t, h.st.CreateDevice(context.Background(), dev))
			for i, nonce := range []lorawan.DevNonce{0, 1, 7} {
				if s := h.joinAs(t, dev, nonce); s.joinNonce != lorawan.JoinNonce(i+1) {
					t.Errorf("join %d: JoinNonce %d, want %d", i, s.joinNonce, i+1)
				}
			}
		})
	}
}

func TestDevNonceRules(t *testing.T) {
	for _, version := range macVersions {
		counter := version == "1.0.4" || is1_1(version)
		t.Run(version, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			dev := versionedDevice(version)
			must(t, h.st.CreateDevice(context.Background(), dev))
			h.joinAs(t, dev, 5)
			first, err := h.st.GetSession(context.Background(), dev.DevEUI)
			must(t, err)

			replay := func(nonce lorawan.DevNonce) int {
				h.clk.Advance(dedup.DefaultGrace + time.Second) // dedup forgets earlier frames
				h.hear(t, joinRequestFor(t, dev, nonce))
				return len(h.bus.take())
			}
			if n := replay(5); n != 0 || h.dropped("devnonce_reused") != 1 {
				t.Errorf("reused DevNonce: %d messages, dropped{devnonce_reused} = %v", n, h.dropped("devnonce_reused"))
			}
			again, err := h.st.GetSession(context.Background(), dev.DevEUI)
			must(t, err)
			if again.AppSKey != first.AppSKey {
				t.Error("a refused join replaced the session")
			}

			n := replay(3) // lower than 5
			if counter && (n != 0 || h.dropped("devnonce_not_increasing") != 1) {
				t.Errorf("lower DevNonce: %d messages, dropped{devnonce_not_increasing} = %v, want refused",
					n, h.dropped("devnonce_not_increasing"))
			}
			if !counter && n != 2 {
				t.Errorf("lower random DevNonce: %d messages, want an accepted join", n)
			}
		})
	}
}

// TestUplink1_1WrongChannel: a 1.1 uplink's MIC binds the channel it was
// sent on; the same frame received on another channel is refused.
func TestUplink1_1WrongChannel(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	dev := versionedDevice("1.1.0")
	must(t, h.st.CreateDevice(context.Background(), dev))
	s := h.joinAs(t, dev, 1)
	fport := uint8(2)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{FHDR: lorawan.FHDR{DevAddr: s.addr}, FPort: &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: []byte{1}}}},
	}
	must(t, phy.EncryptFRMPayload(s.keys.AppSKey))
	must(t, phy.SetUplinkDataMIC(lorawan.LoRaWAN1_1, 0, 5, 1, s.keys.FNwkSIntKey, s.keys.SNwkSIntKey)) // TxCh 1: 868.3 MHz
	b, err := phy.MarshalBinary()
	must(t, err)
	h.hear(t, b) // heard on 868.1 MHz
	if got := h.dropped("mic_failed"); got != 1 {
		t.Errorf("dropped{mic_failed} = %v, want 1", got)
	}
}
