package sim

import (
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/sessionkeys"
)

// joinRequestKey MICs the device's join requests and decrypts the join
// accepts: AppKey in 1.0.x, NwkKey in 1.1.
func (n *node) joinRequestKey() lorawan.AES128Key {
	if n.version.v1_1 {
		return n.NwkKey
	}
	return n.AppKey
}

// joinAcceptMICKey is the key a join accept's MIC verifies with: AppKey in
// 1.0.x; in 1.1 JSIntKey when the network set OptNeg, else NwkKey (the
// device falls back to 1.0 behaviour).
func (n *node) joinAcceptMICKey(ja *lorawan.JoinAcceptPayload) (lorawan.AES128Key, error) {
	switch {
	case !n.version.v1_1:
		return n.AppKey, nil
	case !ja.DLSettings.OptNeg:
		return n.NwkKey, nil
	}
	k, err := sessionkeys.JSIntKey(n.NwkKey, n.DevEUI)
	if err != nil {
		return k, fmt.Errorf("derive JSIntKey: %w", err)
	}
	return k, nil
}

// joinSession derives the session a join accept grants: the 1.1 keys when
// a 1.1 device's accept sets OptNeg, else the 1.0 keys from the root key
// (AppKey; NwkKey for a 1.1 device in 1.0 mode), NwkSKey then serving as
// all three network keys.
func (n *node) joinSession(ja *lorawan.JoinAcceptPayload) (session, error) {
	s := session{joined: true, devAddr: ja.DevAddr}
	if n.version.v1_1 && ja.DLSettings.OptNeg {
		k, err := sessionkeys.Derive1_1(n.NwkKey, n.AppKey, ja.JoinNonce, n.JoinEUI, n.lastNonce)
		if err != nil {
			return session{}, fmt.Errorf("derive 1.1 session keys: %w", err)
		}
		s.v1_1, s.nwkSKey, s.sNwkSIntKey, s.nwkSEncKey, s.appSKey = true, k.FNwkSIntKey, k.SNwkSIntKey, k.NwkSEncKey, k.AppSKey
		return s, nil
	}
	k, err := sessionkeys.Derive1_0(n.joinRequestKey(), ja.JoinNonce, ja.HomeNetID, n.lastNonce)
	if err != nil {
		return session{}, fmt.Errorf("derive session keys: %w", err)
	}
	s.nwkSKey, s.sNwkSIntKey, s.nwkSEncKey, s.appSKey = k.NwkSKey, k.NwkSKey, k.NwkSKey, k.AppSKey
	return s, nil
}

// checkJoinNonce refuses, for 1.0.4 and 1.1 devices, a join accept whose
// JoinNonce is not above the last one the device took: a replay.
func (n *node) checkJoinNonce(jn lorawan.JoinNonce) error {
	if n.version.counters && n.joins > 0 && jn <= n.joinNonce {
		return fmt.Errorf("%w: JoinNonce %d, last accepted %d", ErrReplay, jn, n.joinNonce)
	}
	return nil
}

// sealUplink sets a data uplink's MIC, FRMPayload already encrypted: 1.0
// with NwkSKey; 1.1 after encrypting FOpts with NwkSEncKey, cmacS over
// SNwkSIntKey with the acknowledged downlink's counter, the data rate and
// the channel index, and cmacF over FNwkSIntKey.
func (n *node) sealUplink(phy *lorawan.PHYPayload, up *Uplink) error {
	if !n.sess.v1_1 {
		if err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, n.sess.nwkSKey, n.sess.nwkSKey); err != nil {
			return fmt.Errorf("uplink MIC: %w", err)
		}
		return nil
	}
	if err := phy.EncryptFOpts(n.sess.nwkSEncKey); err != nil {
		return fmt.Errorf("encrypt FOpts: %w", err)
	}
	err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_1, n.ackFCnt, txDR(n.SpreadingFactor), n.txCh(up.FrequencyHz),
		n.sess.nwkSKey, n.sess.sNwkSIntKey)
	if err != nil {
		return fmt.Errorf("uplink MIC: %w", err)
	}
	return nil
}

// downlinkCounter is the counter a downlink's FCnt continues: in 1.1
// AFCntDown for an application payload (FPort > 0), NFCntDown otherwise;
// in 1.0 NFCntDown for every downlink.
func (n *node) downlinkCounter(mac *lorawan.MACPayload) *uint32 {
	if n.sess.v1_1 && mac.FPort != nil && *mac.FPort > 0 {
		return &n.sess.aFCntDown
	}
	return &n.sess.nFCntDown
}

// downlinkMICValid checks a data downlink's MIC, FCnt holding the full
// counter: 1.0 with NwkSKey; 1.1 with SNwkSIntKey, including, when ACK is
// set, the counter of the confirmed uplink it answers (the latest).
func (n *node) downlinkMICValid(phy *lorawan.PHYPayload) bool {
	ver, conf := lorawan.LoRaWAN1_0, uint32(0)
	if n.sess.v1_1 {
		ver, conf = lorawan.LoRaWAN1_1, n.sess.fCntUp-1
	}
	ok, err := phy.ValidateDownlinkDataMIC(ver, conf, n.sess.sNwkSIntKey)
	return err == nil && ok
}

// decodeFOpts turns a downlink's FOpts into MAC commands, decrypting them
// with NwkSEncKey first in 1.1.
func (n *node) decodeFOpts(phy *lorawan.PHYPayload) error {
	if !n.sess.v1_1 {
		return phy.DecodeFOptsToMACCommands()
	}
	return phy.DecryptFOpts(n.sess.nwkSEncKey)
}

// indicate puts a LoRaWAN 1.1 device's RekeyInd (or ResetInd) among the
// MAC commands of its next uplink until the network confirms it, or
// rekeyIndTries went unanswered.
func (n *node) indicate(up *Uplink) {
	if n.mac.ind == 0 || n.mac.indDone {
		return
	}
	if n.mac.indSent == rekeyIndTries {
		n.mac.indDone, up.RekeyGaveUp = true, true
		return
	}
	n.mac.indSent++
	up.RekeyInd = true
	v := lorawan.Version{Minor: 1}
	var p lorawan.MACCommandPayload = &lorawan.RekeyIndPayload{DevLoRaWANVersion: v}
	if n.mac.ind == lorawan.ResetInd {
		p = &lorawan.ResetIndPayload{DevLoRaWANVersion: v}
	}
	n.answer(n.mac.ind, p)
}
