// Package sessionkeys derives LoRaWAN session keys from a join exchange
// (LoRaWAN 1.0.x §6.2.5; LoRaWAN 1.1 §6.2.2 and §6.2.6). brocaar/lorawan
// encrypts and MICs frames but does not export key derivation, so both the
// router (network side) and the simulated devices (device side) use this
// one implementation.
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

// Keys1_1 are a LoRaWAN 1.1 session's keys.
type Keys1_1 struct {
	FNwkSIntKey lorawan.AES128Key // uplink MIC, second half (forwarding NS)
	SNwkSIntKey lorawan.AES128Key // uplink MIC first half, downlink MIC (serving NS)
	NwkSEncKey  lorawan.AES128Key // FOpts and FPort 0 FRMPayload
	AppSKey     lorawan.AES128Key
}

// Key-derivation block types (the first byte of the encrypted block).
const (
	typeFNwkSIntKey = 0x01 // 1.0.x: NwkSKey
	typeAppSKey     = 0x02
	typeSNwkSIntKey = 0x03
	typeNwkSEncKey  = 0x04
	typeJSEncKey    = 0x05
	typeJSIntKey    = 0x06
)

// Derive1_0 computes NwkSKey = aes128_encrypt(AppKey, 0x01 | AppNonce |
// NetID | DevNonce | pad16) and AppSKey likewise with 0x02.
func Derive1_0(appKey lorawan.AES128Key, joinNonce lorawan.JoinNonce, netID lorawan.NetID, devNonce lorawan.DevNonce) (Keys1_0, error) {
	nid, err := netID.MarshalBinary()
	if err != nil {
		return Keys1_0{}, err
	}
	blk, err := sessionBlock(joinNonce, nid, devNonce)
	if err != nil {
		return Keys1_0{}, err
	}
	var k Keys1_0
	if k.NwkSKey, err = encrypt(appKey, typeFNwkSIntKey, blk); err != nil {
		return Keys1_0{}, err
	}
	if k.AppSKey, err = encrypt(appKey, typeAppSKey, blk); err != nil {
		return Keys1_0{}, err
	}
	return k, nil
}

// Derive1_1 computes the LoRaWAN 1.1 session keys after a join request
// answered with OptNeg set: FNwkSIntKey, SNwkSIntKey and NwkSEncKey =
// aes128_encrypt(NwkKey, 0x01|0x03|0x04 | JoinNonce | JoinEUI | DevNonce |
// pad16), AppSKey = aes128_encrypt(AppKey, 0x02 | JoinNonce | JoinEUI |
// DevNonce | pad16).
func Derive1_1(nwkKey, appKey lorawan.AES128Key, joinNonce lorawan.JoinNonce, joinEUI lorawan.EUI64, devNonce lorawan.DevNonce) (Keys1_1, error) {
	je, err := joinEUI.MarshalBinary()
	if err != nil {
		return Keys1_1{}, err
	}
	blk, err := sessionBlock(joinNonce, je, devNonce)
	if err != nil {
		return Keys1_1{}, err
	}
	var k Keys1_1
	for _, d := range []struct {
		out *lorawan.AES128Key
		key lorawan.AES128Key
		typ byte
	}{
		{&k.FNwkSIntKey, nwkKey, typeFNwkSIntKey},
		{&k.SNwkSIntKey, nwkKey, typeSNwkSIntKey},
		{&k.NwkSEncKey, nwkKey, typeNwkSEncKey},
		{&k.AppSKey, appKey, typeAppSKey},
	} {
		if *d.out, err = encrypt(d.key, d.typ, blk); err != nil {
			return Keys1_1{}, err
		}
	}
	return k, nil
}

// JSIntKey is the LoRaWAN 1.1 join-server integrity key,
// aes128_encrypt(NwkKey, 0x06 | DevEUI | pad16): it MICs join accepts
// answering a join request with OptNeg set, and rejoin requests of type 1.
func JSIntKey(nwkKey lorawan.AES128Key, devEUI lorawan.EUI64) (lorawan.AES128Key, error) {
	return jsKey(nwkKey, typeJSIntKey, devEUI)
}

// JSEncKey is the LoRaWAN 1.1 join-server encryption key,
// aes128_encrypt(NwkKey, 0x05 | DevEUI | pad16): it encrypts join accepts
// answering rejoin requests.
func JSEncKey(nwkKey lorawan.AES128Key, devEUI lorawan.EUI64) (lorawan.AES128Key, error) {
	return jsKey(nwkKey, typeJSEncKey, devEUI)
}

func jsKey(nwkKey lorawan.AES128Key, typ byte, devEUI lorawan.EUI64) (lorawan.AES128Key, error) {
	de, err := devEUI.MarshalBinary()
	if err != nil {
		return lorawan.AES128Key{}, err
	}
	return encrypt(nwkKey, typ, de)
}

// sessionBlock is JoinNonce (3, LE) | id (NetID: 3 or JoinEUI: 8, LE) |
// DevNonce (2, LE): the bytes after the type in a session-key block.
func sessionBlock(joinNonce lorawan.JoinNonce, id []byte, devNonce lorawan.DevNonce) ([]byte, error) {
	jn, err := joinNonce.MarshalBinary()
	if err != nil {
		return nil, err
	}
	dn, err := devNonce.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(append(jn, id...), dn...), nil
}

// encrypt encrypts one 16-byte block, typ | fields | zero padding, with key.
func encrypt(key lorawan.AES128Key, typ byte, fields []byte) (lorawan.AES128Key, error) {
	var out lorawan.AES128Key
	var block [16]byte
	block[0] = typ
	copy(block[1:], fields)
	c, err := aes.NewCipher(key[:])
	if err != nil {
		return out, err
	}
	c.Encrypt(out[:], block[:])
	return out, nil
}
