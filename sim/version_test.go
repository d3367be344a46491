package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hexnet/hexnet/sessionkeys"
	"github.com/hexnet/hexnet/sim/air"
)

// The network side in these tests seals and opens frames the way the
// router does (router/crypto.go, router/downlink_frame.go): with
// brocaar/lorawan's MIC and encryption functions and sessionkeys.

var allVersions = []string{MACVersion1_0_2, MACVersion1_0_3, MACVersion1_0_4, MACVersion1_1}

func versionConfig(seed int64, otaaShare float64) Config {
	cfg := testConfig(seed)
	cfg.OTAAShare, cfg.MACVersions = otaaShare, slices.Clone(allVersions)
	return cfg
}

// heardOf is the first device of a version and activation whose first
// uplink some hotspot hears, with that uplink.
func heardOf(t *testing.T, w *World, version string, otaa bool) (Device, Uplink) {
	t.Helper()
	for _, d := range w.Devices() {
		if d.MACVersion == version && d.OTAA == otaa {
			if up := send(t, w, d.Index, t0); len(up.Receptions) > 0 {
				return d, up
			}
		}
	}
	t.Fatalf("no heard %s device with OTAA %v", version, otaa)
	return Device{}, Uplink{}
}

// netSession is a session's keys as the network server holds them.
type netSession struct {
	v1_1                                       bool
	fNwkSIntKey, sNwkSIntKey, nwkSEncKey, appS lorawan.AES128Key
}

func abpSession(d Device) netSession {
	s, e := d.networkKeys()
	return netSession{v1_1: d.MACVersion == MACVersion1_1, fNwkSIntKey: d.NwkSKey, sNwkSIntKey: s, nwkSEncKey: e, appS: d.AppSKey}
}

// netJoinAccept seals a join accept: 1.0.x with AppKey; 1.1 with OptNeg
// MIC'd with JSIntKey and encrypted with NwkKey, without OptNeg both with
// NwkKey.
func netJoinAccept(t *testing.T, d Device, ja lorawan.JoinAcceptPayload, devNonce lorawan.DevNonce) []byte {
	t.Helper()
	micKey, encKey := d.AppKey, d.AppKey
	if d.MACVersion == MACVersion1_1 {
		micKey, encKey = d.NwkKey, d.NwkKey
		if ja.DLSettings.OptNeg {
			k, err := sessionkeys.JSIntKey(d.NwkKey, d.DevEUI)
			must(t, err)
			micKey = k
		}
	}
	phy := lorawan.PHYPayload{MHDR: lorawan.MHDR{MType: lorawan.JoinAccept, Major: lorawan.LoRaWANR1}, MACPayload: &ja}
	must(t, phy.SetDownlinkJoinMIC(lorawan.JoinRequestType, d.JoinEUI, devNonce, micKey))
	must(t, phy.EncryptJoinAcceptPayload(encKey))
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

// netKeys derives the session a join accept grants, as the network does.
func netKeys(t *testing.T, d Device, ja lorawan.JoinAcceptPayload, devNonce lorawan.DevNonce) netSession {
	t.Helper()
	if d.MACVersion == MACVersion1_1 && ja.DLSettings.OptNeg {
		k, err := sessionkeys.Derive1_1(d.NwkKey, d.AppKey, ja.JoinNonce, d.JoinEUI, devNonce)
		must(t, err)
		return netSession{true, k.FNwkSIntKey, k.SNwkSIntKey, k.NwkSEncKey, k.AppSKey}
	}
	root := d.AppKey
	if d.MACVersion == MACVersion1_1 {
		root = d.NwkKey
	}
	k, err := sessionkeys.Derive1_0(root, ja.JoinNonce, ja.HomeNetID, devNonce)
	must(t, err)
	return netSession{false, k.NwkSKey, k.NwkSKey, k.NwkSKey, k.AppSKey}
}

func fullPlan() *lorawan.CFList {
	return &lorawan.CFList{CFListType: lorawan.CFListChannel, Payload: &lorawan.CFListChannelPayload{
		Channels: [5]uint32{867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000}}}
}

// joinWith answers the join request up in RX1 with JoinNonce jn and
// returns the network's session.
func joinWith(t *testing.T, w *World, d Device, up Uplink, jn lorawan.JoinNonce, optNeg bool) netSession {
	t.Helper()
	ja := lorawan.JoinAcceptPayload{JoinNonce: jn, HomeNetID: w.cfg.NetID, DevAddr: lorawan.DevAddr{0x26, 0, 1, byte(d.Index)},
		DLSettings: lorawan.DLSettings{OptNeg: optNeg}, RXDelay: 1, CFList: fullPlan()}
	before := w.Stats().JoinsAccepted
	w.Transmit(bestHotspot(t, up), rx1(up, JoinAcceptDelay1, netJoinAccept(t, d, ja, up.DevNonce)))
	if s := w.Stats(); s.JoinsAccepted != before+1 {
		t.Fatalf("device %d (%s) did not take the join accept: %+v", d.Index, d.MACVersion, s)
	}
	return netKeys(t, d, ja, up.DevNonce)
}

// txParams are an uplink's data-rate and channel indexes as the router
// reads them: EU868 DR0–5 are SF12–SF7; channels 0–2 the join channels,
// 3–7 867.1–867.9 MHz.
func txParams(up Uplink) (dr, ch uint8) {
	return uint8(12 - up.Modulation.SpreadingFactor), uint8(slices.Index(DefaultChannels(), up.FrequencyHz))
}

// openUplink checks a data uplink's MIC as the network does (conf: the
// counter of the confirmed downlink an ACK answers), decrypts FOpts (1.1)
// and FRMPayload and returns the MAC commands and the payload.
func openUplink(t *testing.T, s netSession, up Uplink, conf uint32) ([]lorawan.MACCommand, []byte) {
	t.Helper()
	var phy lorawan.PHYPayload
	must(t, phy.UnmarshalBinary(up.PHYPayload))
	mac := phy.MACPayload.(*lorawan.MACPayload)
	mac.FHDR.FCnt = up.FCnt
	ver, dr, ch := lorawan.LoRaWAN1_0, uint8(0), uint8(0)
	if s.v1_1 {
		ver = lorawan.LoRaWAN1_1
		dr, ch = txParams(up)
	}
	if ok, err := phy.ValidateUplinkDataMIC(ver, conf, dr, ch, s.fNwkSIntKey, s.sNwkSIntKey); err != nil || !ok {
		t.Fatalf("uplink FCnt %d: MIC does not verify (%v)", up.FCnt, err)
	}
	if s.v1_1 {
		must(t, phy.DecryptFOpts(s.nwkSEncKey))
	} else {
		must(t, phy.DecodeFOptsToMACCommands())
	}
	must(t, phy.DecryptFRMPayload(s.appS))
	return macCommands(mac.FHDR.FOpts), mac.FRMPayload[0].(*lorawan.DataPayload).Bytes
}

// down is a data downlink for netSession.seal.
type down struct {
	mtype    lorawan.MType
	addr     lorawan.DevAddr
	fcnt     uint32
	fport    *uint8
	data     []byte
	cmds     []lorawan.MACCommand // FOpts, or the FRMPayload on FPort 0
	ack      bool
	confFCnt uint32 // the acknowledged uplink's counter (1.1 MIC)
}

// seal builds a downlink as the router's buildDataDown does.
func (s netSession) seal(t *testing.T, d down) []byte {
	t.Helper()
	mac := &lorawan.MACPayload{FHDR: lorawan.FHDR{DevAddr: d.addr, FCnt: d.fcnt, FCtrl: lorawan.FCtrl{ACK: d.ack}}, FPort: d.fport}
	key := s.appS
	var cmds []lorawan.Payload
	for i := range d.cmds {
		cmds = append(cmds, &d.cmds[i])
	}
	switch {
	case d.fport != nil && *d.fport == 0:
		mac.FRMPayload, key = cmds, s.nwkSEncKey
	case d.fport != nil:
		mac.FHDR.FOpts = cmds
		mac.FRMPayload = []lorawan.Payload{&lorawan.DataPayload{Bytes: append([]byte(nil), d.data...)}}
	default:
		mac.FHDR.FOpts = cmds
	}
	phy := lorawan.PHYPayload{MHDR: lorawan.MHDR{MType: d.mtype, Major: lorawan.LoRaWANR1}, MACPayload: mac}
	must(t, phy.EncryptFRMPayload(key))
	ver := lorawan.LoRaWAN1_0
	if s.v1_1 {
		ver = lorawan.LoRaWAN1_1
		must(t, phy.EncryptFOpts(s.nwkSEncKey))
	}
	must(t, phy.SetDownlinkDataMIC(ver, d.confFCnt, s.sNwkSIntKey))
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func port(p uint8) *uint8 { return &p }

func hasCID(cmds []lorawan.MACCommand, cid lorawan.CID) bool {
	return slices.ContainsFunc(cmds, func(c lorawan.MACCommand) bool { return c.CID == cid })
}

func TestMACVersionsCycleOverDevices(t *testing.T) {
	w := newTestWorld(t, versionConfig(3, 1))
	regs := w.Registrations()
	for i, d := range w.Devices() {
		want := allVersions[i%len(allVersions)]
		r := regs[i].Device
		if d.MACVersion != want || r.MACVersion != want || r.NwkKey != d.NwkKey {
			t.Errorf("device %d: version %q, registered %q with NwkKey %s; want %q", i, d.MACVersion, r.MACVersion, r.NwkKey, want)
		}
		if v11 := want == MACVersion1_1; v11 != (d.NwkKey != lorawan.AES128Key{}) || d.NwkKey == d.AppKey {
			t.Errorf("device %d (%s): NwkKey %s, AppKey %s", i, want, d.NwkKey, d.AppKey)
		}
		if counters := want == MACVersion1_0_4 || want == MACVersion1_1; counters && d.DevNonceStart != 0 {
			t.Errorf("device %d (%s) starts DevNonce at %d, want 0", i, want, d.DevNonceStart)
		}
	}
	if d := cmp.Diff(w.Devices(), newTestWorld(t, versionConfig(3, 1)).Devices()); d != "" {
		t.Errorf("same config, different devices (-a +b):\n%s", d)
	}
}

// TestVersionsKeepTheDraws: giving devices versions moves no draw. The
// devices are placed and keyed as in the default world, and the 1.0.3
// devices send the same frames.
func TestVersionsKeepTheDraws(t *testing.T) {
	mixed, plain := newTestWorld(t, versionConfig(5, 0.5)), newTestWorld(t, testConfig(5))
	versionFields := cmpopts.IgnoreFields(Device{}, "MACVersion", "NwkKey", "SNwkSIntKey", "NwkSEncKey", "DevNonceStart")
	if d := cmp.Diff(plain.Devices(), mixed.Devices(), versionFields); d != "" {
		t.Errorf("versions moved the placement draws (-default +versions):\n%s", d)
	}
	for round := range 3 {
		for _, d := range mixed.Devices() {
			if d.MACVersion != MACVersion1_0_3 {
				continue
			}
			end := t0.Add(time.Duration(round*100+d.Index) * time.Second)
			if diff := cmp.Diff(send(t, plain, d.Index, end), send(t, mixed, d.Index, end)); diff != "" {
				t.Errorf("device %d round %d: the 1.0.3 frame changed (-default +versions):\n%s", d.Index, round, diff)
			}
		}
	}
}

func TestMACVersionsRejectsUnknown(t *testing.T) {
	cfg := testConfig(1)
	cfg.MACVersions = []string{MACVersion1_0_3, "1.2"}
	if _, err := NewWorld(cfg); !errors.Is(err, ErrConfig) {
		t.Errorf("MACVersions with 1.2: error %v, want ErrConfig", err)
	}
}

func TestABP11Registration(t *testing.T) {
	w := newTestWorld(t, versionConfig(3, 0))
	for i, r := range w.Registrations() {
		s, d := r.Session, w.Devices()[i]
		if s.FNwkSIntKey != d.NwkSKey || s.AppSKey != d.AppSKey {
			t.Fatalf("device %d session %+v", i, s)
		}
		split := s.SNwkSIntKey != s.FNwkSIntKey && s.NwkSEncKey != s.FNwkSIntKey && s.NwkSEncKey != s.SNwkSIntKey
		if split != (d.MACVersion == MACVersion1_1) {
			t.Errorf("device %d (%s): network keys %s %s %s", i, d.MACVersion, s.FNwkSIntKey, s.SNwkSIntKey, s.NwkSEncKey)
		}
	}
}

// TestJoinRequestEachVersion checks the join request's MIC key and the
// DevNonces: a counter from 0 (1.0.4, 1.1), from DevNonceStart (1.0.3),
// random (1.0.2).
func TestJoinRequestEachVersion(t *testing.T) {
	w := newTestWorld(t, versionConfig(11, 1))
	for _, v := range allVersions {
		d, _ := heardOf(t, w, v, true)
		var nonces []lorawan.DevNonce
		for i := range 4 {
			up := send(t, w, d.Index, t0.Add(time.Duration(i+1)*time.Minute))
			var phy lorawan.PHYPayload
			must(t, phy.UnmarshalBinary(up.PHYPayload))
			key := d.AppKey
			if v == MACVersion1_1 {
				key = d.NwkKey
			}
			if ok, err := phy.ValidateUplinkJoinMIC(key); !ok || err != nil {
				t.Errorf("%s join request: MIC does not verify (%v)", v, err)
			}
			nonces = append(nonces, up.DevNonce)
		}
		nonces = append([]lorawan.DevNonce{lorawan.DevNonce(d.DevNonceStart)}, nonces...) // heardOf sent the first
		counting := true
		for i := 1; i < len(nonces); i++ {
			counting = counting && nonces[i] == nonces[i-1]+1
		}
		switch {
		case v == MACVersion1_0_2 && counting:
			t.Errorf("1.0.2 DevNonces %v count up; want random ones", nonces[1:])
		case v != MACVersion1_0_2 && !counting:
			t.Errorf("%s DevNonces %v do not count up from %d", v, nonces, d.DevNonceStart)
		}
	}
}

// TestJoinAndUplinkEachVersion joins a device of each version and opens
// its first uplinks as the network does; a downlink comes back.
func TestJoinAndUplinkEachVersion(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			w := newTestWorld(t, versionConfig(21, 1))
			d, up := heardOf(t, w, v, true)
			s := joinWith(t, w, d, up, 1, v == MACVersion1_1)
			for i := range 3 {
				data := send(t, w, d.Index, t0.Add(time.Duration(i+1)*time.Minute))
				cmds, payload := openUplink(t, s, data, 0)
				if !cmp.Equal(payload, data.Payload) || data.FCnt != uint32(i) {
					t.Errorf("uplink %d: payload %x FCnt %d, sent %x", i, payload, data.FCnt, data.Payload)
				}
				if hasCID(cmds, lorawan.RekeyInd) != (v == MACVersion1_1) || data.RekeyInd != (v == MACVersion1_1) {
					t.Errorf("uplink %d: MAC commands %v, RekeyInd %v", i, cmds, data.RekeyInd)
				}
				if i == 2 {
					w.Transmit(bestHotspot(t, data), rx1(data, ReceiveDelay1, s.seal(t, down{mtype: lorawan.UnconfirmedDataDown,
						addr: data.DevAddr, fport: port(9), data: []byte("hi")})))
				}
			}
			got := w.ReceivedDownlinks()
			if len(got) != 1 || string(got[0].Payload) != "hi" || got[0].FCnt != 0 {
				t.Errorf("downlinks received: %+v", got)
			}
		})
	}
}

// TestUplinkMIC11CoversTxParams: the 1.1 MIC covers the data rate and
// channel index, so another channel or data rate fails it.
func TestUplinkMIC11CoversTxParams(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 1))
	d, up := heardOf(t, w, MACVersion1_1, true)
	s := joinWith(t, w, d, up, 1, true)
	for i := range 8 {
		data := send(t, w, d.Index, t0.Add(time.Duration(i+1)*time.Minute))
		var phy lorawan.PHYPayload
		must(t, phy.UnmarshalBinary(data.PHYPayload))
		dr, ch := txParams(data)
		for _, tx := range [][2]uint8{{dr, ch}, {dr, ch + 1}, {dr + 1, ch}} {
			ok, err := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_1, 0, tx[0], tx[1], s.fNwkSIntKey, s.sNwkSIntKey)
			if want := tx == [2]uint8{dr, ch}; err != nil || ok != want {
				t.Errorf("uplink on DR%d channel %d: MIC with DR%d channel %d verifies %v (%v)", dr, ch, tx[0], tx[1], ok, err)
			}
		}
		if ok, _ := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, s.fNwkSIntKey, s.fNwkSIntKey); ok {
			t.Error("a 1.1 uplink verifies with the 1.0 MIC")
		}
	}
}

// TestDownlinkCounters11 runs a 1.1 session's downlinks: application
// payloads on AFCntDown, MAC commands (FOpts, FPort 0) on NFCntDown,
// ACKs whose MIC covers the confirmed uplink's counter, and the uplink
// ACK whose MIC covers the confirmed downlink's.
func TestDownlinkCounters11(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 1))
	d, up := heardOf(t, w, MACVersion1_1, true)
	s := joinWith(t, w, d, up, 1, true)
	addr := lorawan.DevAddr{0x26, 0, 1, byte(d.Index)}
	at := t0
	next := func() Uplink {
		at = at.Add(time.Minute)
		return send(t, w, d.Index, at)
	}
	deliver := func(up Uplink, b []byte) {
		w.Transmit(bestHotspot(t, up), rx1(up, ReceiveDelay1, b))
	}
	rejected := func() int64 { return w.Stats().DownlinksRejected }

	up1 := next()
	deliver(up1, s.seal(t, down{mtype: lorawan.UnconfirmedDataDown, addr: addr, fcnt: 0, fport: port(5), data: []byte("app0")}))
	up2 := next()
	linkCheck := lorawan.MACCommand{CID: lorawan.LinkCheckAns, Payload: &lorawan.LinkCheckAnsPayload{Margin: 7, GwCnt: 2}}
	deliver(up2, s.seal(t, down{mtype: lorawan.ConfirmedDataDown, addr: addr, fcnt: 3, cmds: []lorawan.MACCommand{linkCheck}}))
	must(t, w.SetMAC(d.Index, MACOptions{Confirmed: true}))
	up3 := next() // ACKs NFCntDown 3, confirmed
	if cmds, _ := openUplink(t, s, up3, 3); !up3.Confirmed || hasCID(cmds, lorawan.LinkCheckReq) {
		t.Errorf("uplink after the confirmed downlink: confirmed %v, commands %v", up3.Confirmed, cmds)
	}
	ack := down{mtype: lorawan.UnconfirmedDataDown, addr: addr, fcnt: 1, fport: port(5), data: []byte("app1"), ack: true}
	ack.confFCnt = up3.FCnt + 1
	deliver(up3, s.seal(t, ack))
	if r := rejected(); r != 1 {
		t.Errorf("ACK MIC'd with the wrong ConfFCnt: %d rejected, want 1", r)
	}
	ack.confFCnt = up3.FCnt
	deliver(up3, s.seal(t, ack))
	up4 := next()
	deliver(up4, s.seal(t, down{mtype: lorawan.UnconfirmedDataDown, addr: addr, fcnt: 1, fport: port(5), data: []byte("replay")}))
	if r := rejected(); r != 2 {
		t.Errorf("AFCntDown 1 again: %d rejected, want 2", r)
	}
	devStatus := lorawan.MACCommand{CID: lorawan.DevStatusReq}
	deliver(up4, s.seal(t, down{mtype: lorawan.UnconfirmedDataDown, addr: addr, fcnt: 4, fport: port(0), cmds: []lorawan.MACCommand{devStatus}}))
	if cmds, _ := openUplink(t, s, next(), 0); !hasCID(cmds, lorawan.DevStatusAns) {
		t.Errorf("no DevStatusAns after an FPort 0 DevStatusReq: %v", cmds)
	}

	var got []string
	for _, r := range w.ReceivedDownlinks() {
		got = append(got, describe(r))
	}
	want := []string{"FCnt 0 port 5 app0", "FCnt 3 MAC &{Margin:7 GwCnt:2} confirmed", "FCnt 1 port 5 app1 ACK", "FCnt 4 port 0 MAC DevStatusReq"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("downlinks received (-want +got):\n%s", d)
	}
}

// describe sums up a received downlink; a MAC command is named by its
// payload's type (answers share their request's CID), or its CID.
func describe(r ReceivedDownlink) string {
	s := fmt.Sprintf("FCnt %d", r.FCnt)
	if r.FPort != nil {
		s += fmt.Sprintf(" port %d", *r.FPort)
	}
	if len(r.Payload) > 0 {
		s += " " + string(r.Payload)
	}
	var cmds []string
	for _, c := range r.MAC {
		if c.Payload != nil {
			cmds = append(cmds, fmt.Sprintf("%+v", c.Payload))
		} else {
			cmds = append(cmds, c.CID.String())
		}
	}
	if len(cmds) > 0 {
		s += " MAC " + strings.Join(cmds, " ")
	}
	if r.Confirmed {
		s += " confirmed"
	}
	if r.ACK {
		s += " ACK"
	}
	return s
}

// TestRekeyIndStopsUnanswered: a 1.1 device sends RekeyInd in its first
// uplinks after the join; unanswered, it stops after rekeyIndTries and
// counts it; a RekeyConf stops it at once.
func TestRekeyIndStopsUnanswered(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 1))
	d, up := heardOf(t, w, MACVersion1_1, true)
	joinWith(t, w, d, up, 1, true)
	var inds []bool
	for i := range rekeyIndTries + 3 {
		data := send(t, w, d.Index, t0.Add(time.Duration(i+1)*time.Minute))
		inds = append(inds, data.RekeyInd)
		if data.RekeyGaveUp != (i == rekeyIndTries) {
			t.Errorf("uplink %d: RekeyGaveUp %v", i, data.RekeyGaveUp)
		}
	}
	want := []bool{true, true, true, false, false, false}
	if !slices.Equal(inds, want) {
		t.Errorf("RekeyInd in uplinks %v, want %v", inds, want)
	}
	if s := w.Stats(); s.RekeyInds != rekeyIndTries || s.RekeysUnconfirmed != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestRekeyConfStopsRekeyInd(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 1))
	d, up := heardOf(t, w, MACVersion1_1, true)
	s := joinWith(t, w, d, up, 1, true)
	first := send(t, w, d.Index, t0.Add(time.Minute))
	conf := lorawan.MACCommand{CID: lorawan.RekeyConf, Payload: &lorawan.RekeyConfPayload{ServLoRaWANVersion: lorawan.Version{Minor: 1}}}
	w.Transmit(bestHotspot(t, first), rx1(first, ReceiveDelay1, s.seal(t, down{mtype: lorawan.UnconfirmedDataDown,
		addr: first.DevAddr, cmds: []lorawan.MACCommand{conf}})))
	for i := range 3 {
		if data := send(t, w, d.Index, t0.Add(time.Duration(i+2)*time.Minute)); data.RekeyInd || data.RekeyGaveUp {
			t.Errorf("uplink %d after RekeyConf: %+v", i+1, data)
		}
	}
	if s := w.Stats(); s.RekeyInds != 1 || s.RekeysUnconfirmed != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestABP11Uplink: an ABP 1.1 device MICs with its three network keys and
// says ResetInd.
func TestABP11Uplink(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 0))
	d, up := heardOf(t, w, MACVersion1_1, false)
	cmds, payload := openUplink(t, abpSession(d), up, 0)
	if !hasCID(cmds, lorawan.ResetInd) || !cmp.Equal(payload, up.Payload) {
		t.Errorf("ABP 1.1 uplink: commands %v, payload %x, sent %x", cmds, payload, up.Payload)
	}
	d10, up10 := heardOf(t, w, MACVersion1_0_4, false)
	if cmds, _ := openUplink(t, abpSession(d10), up10, 0); len(cmds) != 0 {
		t.Errorf("ABP 1.0.4 uplink carries %v", cmds)
	}
}

// TestJoinNonceMustIncrease: a 1.0.4 or 1.1 device that joins again
// refuses a join accept whose JoinNonce is not above the last one; 1.0.3
// JoinNonces are random and any goes.
func TestJoinNonceMustIncrease(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			w := newTestWorld(t, versionConfig(21, 1))
			d, up := heardOf(t, w, v, true)
			joinWith(t, w, d, up, 5, v == MACVersion1_1)
			n := w.nodes[d.Index]
			n.mu.Lock()
			n.sess.joined = false // the device lost its session and joins again
			n.mu.Unlock()
			again := send(t, w, d.Index, t0.Add(time.Minute))
			counters := v == MACVersion1_0_4 || v == MACVersion1_1
			if counters && again.DevNonce != up.DevNonce+1 {
				t.Errorf("DevNonce %d after %d: the counter was not kept", again.DevNonce, up.DevNonce)
			}
			ja := lorawan.JoinAcceptPayload{JoinNonce: 5, HomeNetID: w.cfg.NetID, DLSettings: lorawan.DLSettings{OptNeg: v == MACVersion1_1}, RXDelay: 1}
			w.Transmit(bestHotspot(t, again), rx1(again, JoinAcceptDelay1, netJoinAccept(t, d, ja, again.DevNonce)))
			if s := w.Stats(); (s.JoinsAccepted == 1) != counters {
				t.Fatalf("JoinNonce 5 twice: %+v", s)
			}
			if !counters {
				return
			}
			ja.JoinNonce = 6
			w.Transmit(bestHotspot(t, again), air.Transmission{PHYPayload: netJoinAccept(t, d, ja, again.DevNonce), FrequencyHz: RX2FrequencyHz,
				Modulation: modulation(12), PowerDBm: 27, InvertPolarity: true, At: again.End.Add(JoinAcceptDelay2)})
			if s := w.Stats(); s.JoinsAccepted != 2 || s.DownlinksRejected != 1 {
				t.Errorf("JoinNonce 6 in RX2: %+v", s)
			}
		})
	}
}

// TestJoin11WithoutOptNeg: a 1.1 device whose network answers as 1.0
// (OptNeg clear) runs a 1.0 session derived from NwkKey.
func TestJoin11WithoutOptNeg(t *testing.T) {
	w := newTestWorld(t, versionConfig(21, 1))
	d, up := heardOf(t, w, MACVersion1_1, true)
	s := joinWith(t, w, d, up, 1, false)
	data := send(t, w, d.Index, t0.Add(time.Minute))
	if cmds, payload := openUplink(t, s, data, 0); len(cmds) != 0 || !cmp.Equal(payload, data.Payload) || data.RekeyInd {
		t.Errorf("1.0-mode uplink: commands %v, payload %x", cmds, payload)
	}
}
