package router

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"testing"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"

	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/sessionkeys"
)

// The Things Stack's crypto tests (TheThingsNetwork/lorawan-stack,
// pkg/crypto/*_test.go) use this key and DevAddr 01020304 throughout.
var (
	ttsKey  = lorawan.AES128Key{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	ttsAddr = lorawan.DevAddr{1, 2, 3, 4}
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJoinAccept1_0Vector: The Things Stack, pkg/crypto/
// join_messages_test.go, TestComputeLegacyJoinAcceptMIC (MIC 32f54ab3) and
// TestJoinAcceptEncryption (ciphertext c9fb…17c3): JoinNonce 010203, NetID
// 010203, DevAddr 01020304, DLSettings 0, RxDelay 1 — the router's own
// 1.0.x join-accept settings — under key 01…01.
func TestJoinAccept1_0Vector(t *testing.T) {
	dev := Device{MACVersion: "1.0.3", AppKey: ttsKey}
	jr := &lorawan.JoinRequestPayload{JoinEUI: lorawan.EUI64{9}, DevNonce: 77} // not MIC'd in 1.0
	got, err := joinAccept(dev, profileOf(dev.MACVersion), jr, 0x010203, lorawan.NetID{1, 2, 3}, ttsAddr, nil)
	if err != nil {
		t.Fatalf("joinAccept: %v", err)
	}
	want := unhex(t, "20"+"c9fbb259e11649096a568a9e3b7117c3")
	if !bytes.Equal(got, want) {
		t.Errorf("join accept = %x, want %x", got, want)
	}
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(got); err != nil {
		t.Fatal(err)
	}
	if err := phy.DecryptJoinAcceptPayload(ttsKey); err != nil {
		t.Fatal(err)
	}
	if want := (lorawan.MIC{0x32, 0xf5, 0x4a, 0xb3}); phy.MIC != want {
		t.Errorf("MIC = %s, want %s", phy.MIC, want)
	}
}

// TestJoinAccept1_1Vector: brocaar/lorawan's published example
// ExamplePHYPayload_lorawan11JoinAcceptSend (phypayload_test.go; its output
// is in the package documentation): OptNeg set, JoinEUI 0807060504030201,
// DevNonce 258, JoinNonce 65793, NetID 020202, DevAddr 01020304, RxDelay 0,
// one key (0102…10) for MIC and encryption.
func TestJoinAccept1_1Vector(t *testing.T) {
	key := lorawan.AES128Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ja := &lorawan.JoinAcceptPayload{
		JoinNonce: 65793, HomeNetID: lorawan.NetID{2, 2, 2}, DevAddr: ttsAddr,
		DLSettings: lorawan.DLSettings{OptNeg: true},
	}
	jr := &lorawan.JoinRequestPayload{JoinEUI: lorawan.EUI64{8, 7, 6, 5, 4, 3, 2, 1}, DevNonce: 258}
	got, err := sealJoinAccept(ja, jr, key, key)
	if err != nil {
		t.Fatalf("sealJoinAccept: %v", err)
	}
	want := []byte{32, 122, 190, 234, 6, 176, 41, 32, 241, 28, 2, 208, 52, 143, 207, 24, 21}
	if !bytes.Equal(got, want) {
		t.Errorf("join accept = %v, want %v", got, want)
	}
}

// TestJoinAccept1_1Keys checks that a 1.1 join accept is encrypted with
// NwkKey and MIC'd with JSIntKey over JoinEUI and DevNonce, with OptNeg set
// (JSIntKey itself is checked against published vectors in sessionkeys).
func TestJoinAccept1_1Keys(t *testing.T) {
	dev := Device{DevEUI: lorawan.EUI64{0, 0x42, 0, 0x42, 0x13, 0x42, 0x43, 0x41}, MACVersion: "1.1.0",
		NwkKey: ttsKey, AppKey: lorawan.AES128Key{7}}
	jr := &lorawan.JoinRequestPayload{JoinEUI: lorawan.EUI64{8, 7, 6, 5, 4, 3, 2, 1}, DevNonce: 3}
	b, err := joinAccept(dev, profileOf(dev.MACVersion), jr, 5, lorawan.NetID{0, 0, 0x13}, ttsAddr, nil)
	if err != nil {
		t.Fatalf("joinAccept: %v", err)
	}
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if err := phy.DecryptJoinAcceptPayload(dev.NwkKey); err != nil {
		t.Fatal(err)
	}
	ja := phy.MACPayload.(*lorawan.JoinAcceptPayload)
	if !ja.DLSettings.OptNeg || ja.JoinNonce != 5 || ja.DevAddr != ttsAddr {
		t.Errorf("join accept %+v", ja)
	}
	jsInt, err := sessionkeys.JSIntKey(dev.NwkKey, dev.DevEUI)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := phy.ValidateDownlinkJoinMIC(lorawan.JoinRequestType, jr.JoinEUI, jr.DevNonce, jsInt); err != nil || !ok {
		t.Errorf("MIC does not verify with JSIntKey: %v", err)
	}
}

// TestJoinRequestMICVector: The Things Stack, pkg/crypto/
// join_messages_test.go, TestComputeJoinRequestMIC: JoinEUI and DevEUI
// 0102030405060708, DevNonce 0102, key 01…01, MIC e6e10c55. 1.0.x devices
// MIC with AppKey, 1.1 devices with NwkKey.
func TestJoinRequestMICVector(t *testing.T) {
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(unhex(t, "00"+"0807060504030201"+"0807060504030201"+"0201"+"e6e10c55")); err != nil {
		t.Fatal(err)
	}
	other := lorawan.AES128Key{9}
	for _, tc := range []struct {
		dev  Device
		want bool
	}{
		{Device{MACVersion: "1.0.2", AppKey: ttsKey, NwkKey: other}, true},
		{Device{MACVersion: "1.0.4", AppKey: ttsKey}, true},
		{Device{MACVersion: "1.1.0", AppKey: other, NwkKey: ttsKey}, true},
		{Device{MACVersion: "1.1.0", AppKey: ttsKey, NwkKey: other}, false},
	} {
		ok, err := phy.ValidateUplinkJoinMIC(joinRequestKey(tc.dev, profileOf(tc.dev.MACVersion)))
		if err != nil || ok != tc.want {
			t.Errorf("%s: MIC valid = %v (%v), want %v", tc.dev.MACVersion, ok, err, tc.want)
		}
	}
}

// TestUplinkMICVector: The Things Stack, pkg/crypto/data_messages_test.go,
// TestUplinkDownlinkMIC: an unconfirmed uplink from 01020304, FCnt 1, FPort
// 1, payload 01020304, key 01…01: MIC 3b073182 (1.0) and 3b073b07 (1.1 with
// that key as FNwkSIntKey and SNwkSIntKey, ConfFCnt 0, TxDR 0, TxCh 0).
func TestUplinkMICVector(t *testing.T) {
	sess := Session{FNwkSIntKey: ttsKey, SNwkSIntKey: ttsKey, NwkSEncKey: ttsKey}
	frame := "40" + "04030201" + "00" + "0100" + "01" + "01020304"
	for _, tc := range []struct {
		version, mic string
		want         bool
	}{
		{"1.0.3", "3b073182", true},
		{"1.1.0", "3b073b07", true},
		{"1.0.3", "3b073b07", false},
		{"1.1.0", "3b073182", false},
	} {
		var phy lorawan.PHYPayload
		if err := phy.UnmarshalBinary(unhex(t, frame+tc.mic)); err != nil {
			t.Fatal(err)
		}
		if got := uplinkMICValid(&phy, profileOf(tc.version), sess, txParams{}); got != tc.want {
			t.Errorf("%s, MIC %s: valid = %v, want %v", tc.version, tc.mic, got, tc.want)
		}
	}
}

// TestUplinkMIC1_1TxParams: a 1.1 MIC covers TxDR and TxCh, so a frame
// MIC'd for one channel fails on another.
func TestUplinkMIC1_1TxParams(t *testing.T) {
	sess := Session{FNwkSIntKey: lorawan.AES128Key{1}, SNwkSIntKey: lorawan.AES128Key{2}}
	fport := uint8(1)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{FHDR: lorawan.FHDR{DevAddr: ttsAddr, FCnt: 70000}, FPort: &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: []byte{1}}}},
	}
	if err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_1, 0, 5, 4, sess.FNwkSIntKey, sess.SNwkSIntKey); err != nil {
		t.Fatal(err)
	}
	p := profileOf("1.1.0")
	if !uplinkMICValid(&phy, p, sess, txParams{dr: 5, ch: 4}) {
		t.Error("MIC does not verify with the TxDR and TxCh it was made with")
	}
	if uplinkMICValid(&phy, p, sess, txParams{dr: 5, ch: 3}) {
		t.Error("MIC verifies on another channel")
	}
}

// TestFRMPayloadVector: The Things Stack, pkg/crypto/data_messages_test.go,
// TestUplinkDownlinkEncryption: uplink FRMPayload 01020304 from 01020304,
// FCnt 1, key 01…01 encrypts to cff30b4e.
func TestFRMPayloadVector(t *testing.T) {
	got, err := lorawan.EncryptFRMPayload(ttsKey, true, ttsAddr, 1, []byte{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "cff30b4e"); !bytes.Equal(got, want) {
		t.Errorf("FRMPayload = %x, want %x", got, want)
	}
}

// TestFOptsErrata checks 1.1 uplink FOpts decryption against the keystream
// block of the LoRaWAN 1.1 errata (A = 0x01 | 3×0x00 | 0x01 | Dir 0 |
// DevAddr | FCntUp | 0x00 | 0x01), built here by hand; LoRaMac-node and
// ChirpStack encrypt that way. The Things Stack's published FOpts vector
// (pkg/crypto/data_messages_test.go: 01020304 → 33c92622) predates the
// errata (bytes 4 and 15 zero) and does not apply.
func TestFOptsErrata(t *testing.T) {
	a := unhex(t, "01"+"000000"+"01"+"00"+"04030201"+"01000000"+"00"+"01")
	c, err := aes.NewCipher(ttsKey[:])
	if err != nil {
		t.Fatal(err)
	}
	var s [16]byte
	c.Encrypt(s[:], a)
	plain := []byte{0x02, 0x03, 0x04, 0x05} // LinkCheckReq, then bytes
	enc := make([]byte, len(plain))
	for i := range plain {
		enc[i] = plain[i] ^ s[i]
	}
	mac := &lorawan.MACPayload{FHDR: lorawan.FHDR{DevAddr: ttsAddr, FCnt: 1,
		FOpts: []lorawan.Payload{&lorawan.DataPayload{Bytes: enc}}}}
	if err := decryptFOpts(mac, ttsKey); err != nil {
		t.Fatalf("decryptFOpts: %v", err)
	}
	if got := mac.FHDR.FOpts[0].(*lorawan.DataPayload).Bytes; !bytes.Equal(got, plain) {
		t.Errorf("FOpts = %x, want %x", got, plain)
	}
}

func TestTxParams(t *testing.T) {
	b, err := band.GetConfig(band.EU868, false, lorawan.DwellTimeNoLimit)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		freq   uint64
		sf, bw uint32
		want   txParams
	}{
		{868_100_000, 7, 125, txParams{dr: 5, ch: 0}},
		{868_500_000, 12, 125, txParams{dr: 0, ch: 2}},
		{867_100_000, 9, 125, txParams{dr: 3, ch: 3}},
		{867_900_000, 7, 250, txParams{dr: 6, ch: 7}},
		{869_000_000, 7, 125, txParams{dr: 5, ch: 0}}, // not a channel
	} {
		f := dedup.Frame{Copies: []dedup.Copy{{FrequencyHz: tc.freq, SpreadFactor: tc.sf, BandwidthKHz: tc.bw}}}
		if got := txParamsOf(b, f); got != tc.want {
			t.Errorf("%d Hz SF%d BW%d: %+v, want %+v", tc.freq, tc.sf, tc.bw, got, tc.want)
		}
	}
}

func TestProfileOf(t *testing.T) {
	for v, want := range map[string]macProfile{
		"1.0.2": {}, "1.0.3": {}, "": {}, "1.0.4": {counters: true},
		"1.1.0": {v1_1: true, counters: true}, "1.1": {v1_1: true, counters: true},
	} {
		if got := profileOf(v); got != want {
			t.Errorf("profileOf(%q) = %+v, want %+v", v, got, want)
		}
	}
}
