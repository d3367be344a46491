package router

import (
	"fmt"
	"strings"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"

	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/sessionkeys"
)

// macProfile is what a device's LoRaWAN version changes in joins and
// uplinks.
type macProfile struct {
	// v1_1: join requests MIC'd with NwkKey, join accepts with OptNeg set
	// (MIC'd with JSIntKey, encrypted with NwkKey), split network session
	// keys, uplink MICs over both integrity keys, encrypted FOpts.
	v1_1 bool
	// counters: DevNonce and JoinNonce are counters (1.0.4 and 1.1), so a
	// DevNonce must exceed every one the device used before.
	counters bool
}

// profileOf maps Device.MACVersion to its profile; anything that is not
// 1.0.4 or 1.1.x is treated as 1.0.0–1.0.3.
func profileOf(macVersion string) macProfile {
	switch {
	case strings.HasPrefix(macVersion, "1.1"):
		return macProfile{v1_1: true, counters: true}
	case macVersion == "1.0.4":
		return macProfile{counters: true}
	}
	return macProfile{}
}

// joinRequestKey is the key a device's join request is MIC'd with.
func joinRequestKey(dev Device, p macProfile) lorawan.AES128Key {
	if p.v1_1 {
		return dev.NwkKey
	}
	return dev.AppKey
}

// deriveSession computes the session keys of an accepted join request.
// A 1.0.x session carries NwkSKey as all three network keys.
func deriveSession(dev Device, p macProfile, jr *lorawan.JoinRequestPayload, jn lorawan.JoinNonce, netID lorawan.NetID) (Session, error) {
	s := Session{DevEUI: dev.DevEUI}
	if p.v1_1 {
		k, err := sessionkeys.Derive1_1(dev.NwkKey, dev.AppKey, jn, jr.JoinEUI, jr.DevNonce)
		if err != nil {
			return Session{}, fmt.Errorf("derive 1.1 session keys: %w", err)
		}
		s.FNwkSIntKey, s.SNwkSIntKey, s.NwkSEncKey, s.AppSKey = k.FNwkSIntKey, k.SNwkSIntKey, k.NwkSEncKey, k.AppSKey
		return s, nil
	}
	k, err := sessionkeys.Derive1_0(dev.AppKey, jn, netID, jr.DevNonce)
	if err != nil {
		return Session{}, fmt.Errorf("derive 1.0 session keys: %w", err)
	}
	s.FNwkSIntKey, s.SNwkSIntKey, s.NwkSEncKey, s.AppSKey = k.NwkSKey, k.NwkSKey, k.NwkSKey, k.AppSKey
	return s, nil
}

// eu868CFList gives a joining device the five channels beyond EU868's
// three default ones, so it spreads its uplinks over eight.
func eu868CFList() *lorawan.CFList {
	var chans [5]uint32
	for i, f := range eu868ExtraChannels {
		chans[i] = uint32(f)
	}
	return &lorawan.CFList{CFListType: lorawan.CFListChannel, Payload: &lorawan.CFListChannelPayload{Channels: chans}}
}

// joinAccept builds the MIC'd, encrypted join-accept PHYPayload answering
// jr: 1.0.x MICs and encrypts with AppKey; 1.1 sets OptNeg, MICs
// JoinReqType | JoinEUI | DevNonce | MHDR | JoinNonce | NetID | DevAddr |
// DLSettings | RxDelay | CFList with JSIntKey and encrypts with NwkKey.
// cfList (nil: none) gives the device the region's extra channels.
func joinAccept(dev Device, p macProfile, jr *lorawan.JoinRequestPayload, jn lorawan.JoinNonce, netID lorawan.NetID, addr lorawan.DevAddr, cfList *lorawan.CFList) ([]byte, error) {
	ja := &lorawan.JoinAcceptPayload{
		JoinNonce: jn, HomeNetID: netID, DevAddr: addr, RXDelay: joinRXDelay,
		DLSettings: lorawan.DLSettings{RX2DataRate: joinRX2DataRate, RX1DROffset: joinRX1DROffset, OptNeg: p.v1_1},
		CFList:     cfList,
	}
	micKey, encKey := dev.AppKey, dev.AppKey
	if p.v1_1 {
		k, err := sessionkeys.JSIntKey(dev.NwkKey, dev.DevEUI)
		if err != nil {
			return nil, fmt.Errorf("derive JSIntKey: %w", err)
		}
		micKey, encKey = k, dev.NwkKey
	}
	return sealJoinAccept(ja, jr, micKey, encKey)
}

// sealJoinAccept MICs (with micKey; the 1.1 fields join in when OptNeg is
// set), encrypts (with encKey) and marshals a join accept.
func sealJoinAccept(ja *lorawan.JoinAcceptPayload, jr *lorawan.JoinRequestPayload, micKey, encKey lorawan.AES128Key) ([]byte, error) {
	phy := lorawan.PHYPayload{
		MHDR:       lorawan.MHDR{MType: lorawan.JoinAccept, Major: lorawan.LoRaWANR1},
		MACPayload: ja,
	}
	if err := phy.SetDownlinkJoinMIC(lorawan.JoinRequestType, jr.JoinEUI, jr.DevNonce, micKey); err != nil {
		return nil, fmt.Errorf("join accept MIC: %w", err)
	}
	if err := phy.EncryptJoinAcceptPayload(encKey); err != nil {
		return nil, fmt.Errorf("encrypt join accept: %w", err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("marshal join accept: %w", err)
	}
	return b, nil
}

// txParams are the data rate and channel indexes of an uplink, which a
// LoRaWAN 1.1 uplink MIC covers.
type txParams struct {
	dr, ch uint8
}

// eu868ExtraChannels are the channels 3–7 of hexnet's EU868 plan after the
// band's three default channels (0–2): the usual eight-channel plan that
// ABP devices are provisioned with and a CFList would add.
var eu868ExtraChannels = []uint64{867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000}

// txParamsOf reads the data rate and channel index from a frame's first
// copy (every copy is the same transmission). Unknown values give index 0,
// which a 1.1 MIC then rejects.
func txParamsOf(b band.Band, f dedup.Frame) txParams {
	c := f.Copies[0]
	var tx txParams
	dr, err := b.GetDataRateIndex(true, band.DataRate{
		Modulation: band.LoRaModulation, SpreadFactor: int(c.SpreadFactor), Bandwidth: int(c.BandwidthKHz),
	})
	if err == nil {
		tx.dr = uint8(dr)
	}
	if ch, err := b.GetUplinkChannelIndex(uint32(c.FrequencyHz), true); err == nil {
		tx.ch = uint8(ch)
		return tx
	}
	for i, f := range eu868ExtraChannels {
		if f == c.FrequencyHz {
			tx.ch = uint8(len(b.GetUplinkChannelIndices()) + i)
		}
	}
	return tx
}

// uplinkMICValid checks a data uplink's MIC with the session's keys; FCnt
// must already hold the full 32-bit counter. A 1.1 uplink that
// acknowledges a confirmed downlink MICs that downlink's counter, which may
// be the network's or the application's: both are tried.
func uplinkMICValid(phy *lorawan.PHYPayload, p macProfile, s Session, tx txParams) bool {
	if !p.v1_1 {
		ok, err := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, s.FNwkSIntKey, s.FNwkSIntKey)
		return err == nil && ok
	}
	for _, conf := range confFCnts(s) {
		ok, err := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_1, conf, tx.dr, tx.ch, s.FNwkSIntKey, s.SNwkSIntKey)
		if err == nil && ok {
			return true
		}
	}
	return false
}

// confFCnts are the counters a 1.1 ACK may refer to: the last network and
// application downlinks (ignored by the MIC when the ACK bit is clear).
func confFCnts(s Session) []uint32 {
	n, a := s.NFCntDown-1, s.AFCntDown-1
	if n == a {
		return []uint32{n}
	}
	return []uint32{n, a}
}

// decryptFOpts decrypts a 1.1 uplink's FOpts with NwkSEncKey in place,
// leaving the plaintext as raw bytes as a 1.0 frame carries them.
func decryptFOpts(mac *lorawan.MACPayload, nwkSEncKey lorawan.AES128Key) error {
	if len(mac.FHDR.FOpts) == 0 {
		return nil
	}
	var raw []byte
	for _, pl := range mac.FHDR.FOpts {
		b, err := pl.MarshalBinary()
		if err != nil {
			return fmt.Errorf("FOpts: %w", err)
		}
		raw = append(raw, b...)
	}
	pt, err := lorawan.EncryptFOpts(nwkSEncKey, false, true, mac.FHDR.DevAddr, mac.FHDR.FCnt, raw)
	if err != nil {
		return fmt.Errorf("decrypt FOpts: %w", err)
	}
	mac.FHDR.FOpts = []lorawan.Payload{&lorawan.DataPayload{Bytes: pt}}
	return nil
}
