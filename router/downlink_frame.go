package router

import (
	"fmt"
	"strings"

	"github.com/brocaar/lorawan"
)

// isLoRaWAN11 reports whether the device speaks LoRaWAN 1.1 (separate
// network and application downlink counters, encrypted FOpts).
func isLoRaWAN11(d Device) bool { return strings.HasPrefix(d.MACVersion, "1.1") }

// macLen is the encoded size of MAC commands.
func macLen(cmds []lorawan.MACCommand) int {
	n := 0
	for _, c := range cmds {
		b, err := c.MarshalBinary()
		if err != nil {
			return maxFOptsLen + 1 // cannot go in FOpts either
		}
		n += len(b)
	}
	return n
}

// buildDataDown builds the data downlink d for a device: FCtrl (ACK,
// FPending), MAC commands in FOpts when they fit beside the payload
// (LoRaWAN 1.0.x) or alone, otherwise in an FPort 0 FRMPayload encrypted
// with NwkSEncKey; the application payload encrypted with AppSKey; the
// frame counter (NFCntDown, or AFCntDown for a 1.1 application payload),
// which it advances in s; and the MIC. It returns the PHYPayload and the
// frame counter used.
func buildDataDown(dev Device, s *Session, d *dataDown) ([]byte, uint32, error) {
	v11 := isLoRaWAN11(dev)
	mtype := lorawan.UnconfirmedDataDown
	if d.item != nil && d.item.Confirmed {
		mtype = lorawan.ConfirmedDataDown
	}
	mac := &lorawan.MACPayload{FHDR: lorawan.FHDR{
		DevAddr: s.DevAddr,
		FCtrl:   lorawan.FCtrl{ACK: d.ack, FPending: d.pending},
	}}
	key, counter := s.NwkSEncKey, &s.NFCntDown
	switch {
	case d.item != nil:
		mac.FHDR.FOpts = macPayloads(d.cmds)
		mac.FPort = ptr(d.item.FPort)
		mac.FRMPayload = []lorawan.Payload{&lorawan.DataPayload{Bytes: append([]byte(nil), d.item.Data...)}}
		key = s.AppSKey
		if v11 {
			counter = &s.AFCntDown
		}
	case macLen(d.cmds) > maxFOptsLen:
		mac.FPort = ptr(uint8(0))
		mac.FRMPayload = macPayloads(d.cmds)
	default:
		mac.FHDR.FOpts = macPayloads(d.cmds)
	}
	fcnt := *counter
	mac.FHDR.FCnt = fcnt
	phy := lorawan.PHYPayload{MHDR: lorawan.MHDR{MType: mtype, Major: lorawan.LoRaWANR1}, MACPayload: mac}
	if err := sealDataDown(&phy, s, key, v11, d); err != nil {
		return nil, 0, err
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		return nil, 0, fmt.Errorf("marshal downlink: %w", err)
	}
	*counter = fcnt + 1
	return b, fcnt, nil
}

// sealDataDown encrypts the FRMPayload (and 1.1 FOpts) and sets the MIC.
func sealDataDown(phy *lorawan.PHYPayload, s *Session, key lorawan.AES128Key, v11 bool, d *dataDown) error {
	mac := phy.MACPayload.(*lorawan.MACPayload)
	if len(mac.FRMPayload) > 0 {
		if err := phy.EncryptFRMPayload(key); err != nil {
			return fmt.Errorf("encrypt downlink FRMPayload: %w", err)
		}
	}
	ver, conf := lorawan.LoRaWAN1_0, uint32(0)
	if v11 {
		ver = lorawan.LoRaWAN1_1
		if d.ack {
			conf = d.confFCnt
		}
		if len(mac.FHDR.FOpts) > 0 {
			if err := phy.EncryptFOpts(s.NwkSEncKey); err != nil {
				return fmt.Errorf("encrypt downlink FOpts: %w", err)
			}
		}
	}
	if err := phy.SetDownlinkDataMIC(ver, conf, s.SNwkSIntKey); err != nil {
		return fmt.Errorf("downlink MIC: %w", err)
	}
	return nil
}

func macPayloads(cmds []lorawan.MACCommand) []lorawan.Payload {
	if len(cmds) == 0 {
		return nil
	}
	out := make([]lorawan.Payload, len(cmds))
	for i := range cmds {
		c := cmds[i]
		out[i] = &c
	}
	return out
}

func ptr[T any](v T) *T { return &v }
