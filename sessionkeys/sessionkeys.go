// Package sessionkeys derives LoRaWAN session keys from a join exchange
// (LoRaWAN 1.0.x §6.2.5). brocaar/lorawan encrypts and MICs frames but
// does not export key derivation, so both the router (network side) and the
// simulated devices (device side) use this one implementation.
package sessionkeys

import (
	"crypto/aes"

	"github.com/brocaar/lorawan"
)

// Keys1_0 are a LoRaWAN 1.0.x session's keys.
type Keys1_0 struct {
	NwkSKey lorawan.AES128Key
	AppSKey lorawan.AES128Key
}

// Derive1_0 computes NwkSKey = aes128_encrypt(AppKey, 0x01 | AppNonce |
// NetID | DevNonce | pad16) and AppSKey likewise with 0x02.
func Derive1_0(appKey lorawan.AES128Key, joinNonce lorawan.JoinNonce, netID lorawan.NetID, devNonce lorawan.DevNonce) (Keys1_0, error) {
	nwk, err := derive(appKey, 0x01, joinNonce, netID, devNonce)
	if err != nil {
		return Keys1_0{}, err
	}
	app, err := derive(appKey, 0x02, joinNonce, netID, devNonce)
	if err != nil {
		return Keys1_0{}, err
	}
	return Keys1_0{NwkSKey: nwk, AppSKey: app}, nil
}

// derive encrypts one 16-byte block: typ | JoinNonce (3, LE) | NetID (3, LE)
// | DevNonce (2, LE) | zero padding.
func derive(key lorawan.AES128Key, typ byte, joinNonce lorawan.JoinNonce, netID lorawan.NetID, devNonce lorawan.DevNonce) (lorawan.AES128Key, error) {
	var out lorawan.AES128Key
	var block [16]byte
	block[0] = typ
	jn, err := joinNonce.MarshalBinary()
	if err != nil {
		return out, err
	}
	nid, err := netID.MarshalBinary()
	if err != nil {
		return out, err
	}
	dn, err := devNonce.MarshalBinary()
	if err != nil {
		return out, err
	}
	copy(block[1:4], jn)
	copy(block[4:7], nid)
	copy(block[7:9], dn)
	c, err := aes.NewCipher(key[:])
	if err != nil {
		return out, err
	}
	c.Encrypt(out[:], block[:])
	return out, nil
}
