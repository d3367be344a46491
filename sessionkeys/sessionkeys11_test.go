package sessionkeys

import (
	"testing"

	"github.com/brocaar/lorawan"
)

// TestDerive1_1ChirpStack checks Derive1_1 against the LoRaWAN 1.1 vector in
// ChirpStack's lrwn crate (chirpstack/chirpstack, lrwn/src/keys.rs, test
// "lorawan_1_1"): NwkKey 01020304050607080102030405060708, AppKey zero,
// JoinEUI 0807060504030201, JoinNonce 65536, DevNonce 258. The expected keys
// are the decimal byte arrays written there.
func TestDerive1_1ChirpStack(t *testing.T) {
	nwkKey := lorawan.AES128Key{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8}
	joinEUI := lorawan.EUI64{8, 7, 6, 5, 4, 3, 2, 1}
	got, err := Derive1_1(nwkKey, lorawan.AES128Key{}, 65536, joinEUI, 258)
	if err != nil {
		t.Fatalf("Derive1_1: %v", err)
	}
	want := Keys1_1{
		AppSKey:     lorawan.AES128Key{1, 98, 18, 21, 209, 202, 8, 254, 191, 12, 96, 44, 194, 173, 144, 250},
		FNwkSIntKey: lorawan.AES128Key{83, 127, 138, 174, 137, 108, 121, 224, 21, 209, 2, 208, 98, 134, 53, 78},
		SNwkSIntKey: lorawan.AES128Key{88, 148, 152, 153, 48, 146, 207, 219, 95, 210, 224, 42, 199, 81, 11, 241},
		NwkSEncKey:  lorawan.AES128Key{152, 152, 40, 60, 79, 102, 235, 108, 111, 213, 22, 88, 130, 4, 108, 64},
	}
	if got != want {
		t.Errorf("Derive1_1 =\n%+v\nwant\n%+v", got, want)
	}
}

// ttsKey and the values below are the inputs of The Things Stack's key
// derivation test (TheThingsNetwork/lorawan-stack, pkg/crypto/
// key_derivation_test.go, TestKeyDerivation). TTS writes JoinNonce
// (AE3B1C) and DevNonce (7369) as big-endian byte arrays; here they are
// numbers. One key serves as NwkKey and AppKey there.
var (
	ttsKey     = mustKey("bec499c69e9c939e413b663961636c61")
	ttsJN      = lorawan.JoinNonce(0xae3b1c)
	ttsDN      = lorawan.DevNonce(0x7369)
	ttsNetID   = lorawan.NetID{0x02, 0x01, 0x01}
	ttsJoinEUI = lorawan.EUI64{0x00, 0x00, 0x00, 0x12, 0x23, 0x22, 0x42, 0x42}
	ttsDevEUI  = lorawan.EUI64{0x00, 0x42, 0x00, 0x42, 0x13, 0x42, 0x43, 0x41}
)

// TestDeriveTTS checks 1.1 session keys, the join-server keys and the 1.0
// keys against The Things Stack's vector.
func TestDeriveTTS(t *testing.T) {
	k11, err := Derive1_1(ttsKey, ttsKey, ttsJN, ttsJoinEUI, ttsDN)
	if err != nil {
		t.Fatalf("Derive1_1: %v", err)
	}
	k10, err := Derive1_0(ttsKey, ttsJN, ttsNetID, ttsDN)
	if err != nil {
		t.Fatalf("Derive1_0: %v", err)
	}
	jsInt, err := JSIntKey(ttsKey, ttsDevEUI)
	if err != nil {
		t.Fatalf("JSIntKey: %v", err)
	}
	jsEnc, err := JSEncKey(ttsKey, ttsDevEUI)
	if err != nil {
		t.Fatalf("JSEncKey: %v", err)
	}
	for _, tc := range []struct {
		name      string
		got, want lorawan.AES128Key
	}{
		{"AppSKey (1.1)", k11.AppSKey, mustKey("b035cce24e4a040eb5cecbf21724412d")},
		{"FNwkSIntKey", k11.FNwkSIntKey, mustKey("379084e7ce22ff191bff4b77536f2aa3")},
		{"SNwkSIntKey", k11.SNwkSIntKey, mustKey("63c59309d53485bc5164dbf71627aeb9")},
		{"NwkSEncKey", k11.NwkSEncKey, mustKey("ce07a009a3970ac0519a099ed53e550b")},
		{"AppSKey (1.0)", k10.AppSKey, mustKey("8c1e0543a229088de6f84e74bb46bd62")},
		{"NwkSKey (1.0)", k10.NwkSKey, mustKey("0db924ee6af90698e05fc7ce48303c01")},
		{"JSIntKey", jsInt, mustKey("cb8e9ee114c3fb5ce472a5aa13ab1855")},
		{"JSEncKey", jsEnc, mustKey("bb711eefb9829b4a75866f8616bacd6d")},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// TestDerive1_1KeysDiffer guards against two keys sharing a block type.
func TestDerive1_1KeysDiffer(t *testing.T) {
	k, err := Derive1_1(lorawan.AES128Key{}, lorawan.AES128Key{}, 0, lorawan.EUI64{}, 0)
	if err != nil {
		t.Fatalf("Derive1_1: %v", err)
	}
	seen := map[lorawan.AES128Key]bool{}
	for _, key := range []lorawan.AES128Key{k.FNwkSIntKey, k.SNwkSIntKey, k.NwkSEncKey, k.AppSKey} {
		if seen[key] {
			t.Fatalf("two 1.1 session keys are equal: %+v", k)
		}
		seen[key] = true
	}
}

func mustKey(s string) lorawan.AES128Key {
	var k lorawan.AES128Key
	if err := k.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return k
}
