package sessionkeys

import (
	"testing"

	"github.com/brocaar/lorawan"
)

// TestDerive1_0Vector checks Derive1_0 against the LoRaWAN 1.0 vector in
// ChirpStack's lrwn crate (chirpstack/chirpstack, lrwn/src/keys.rs, test
// "lorawan_1_0"): root key 01020304050607080102030405060708, NetID 010203,
// JoinNonce (AppNonce) 65536, DevNonce 258. The expected keys there are
// written as decimal byte arrays; they are the hex strings below.
func TestDerive1_0Vector(t *testing.T) {
	appKey := lorawan.AES128Key{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8}
	netID := lorawan.NetID{0x01, 0x02, 0x03}
	got, err := Derive1_0(appKey, lorawan.JoinNonce(65536), netID, lorawan.DevNonce(258))
	if err != nil {
		t.Fatalf("Derive1_0: %v", err)
	}
	wantNwk := mustKey("df53c35f3034ccced0ff354c70de04df")
	wantApp := mustKey("927b9c911183cffe4cb2ff4b75545f6d")
	if got.NwkSKey != wantNwk {
		t.Errorf("NwkSKey = %s, want %s", got.NwkSKey, wantNwk)
	}
	if got.AppSKey != wantApp {
		t.Errorf("AppSKey = %s, want %s", got.AppSKey, wantApp)
	}
}

// TestDerive1_0KeysDiffer guards against deriving both keys from one block.
func TestDerive1_0KeysDiffer(t *testing.T) {
	k, err := Derive1_0(lorawan.AES128Key{}, 0, lorawan.NetID{}, 0)
	if err != nil {
		t.Fatalf("Derive1_0: %v", err)
	}
	if k.NwkSKey == k.AppSKey {
		t.Fatalf("NwkSKey and AppSKey are equal: %s", k.NwkSKey)
	}
}
