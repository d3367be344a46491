package sim

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/sim/air"
)

// LoRaWAN EU868 class A timing (the same in 1.0.x and 1.1).
const (
	JoinAcceptDelay1 = 5 * time.Second
	JoinAcceptDelay2 = 6 * time.Second
	ReceiveDelay1    = time.Second // unless a join accept says otherwise
)

// Uplink is one frame a device put on air and the hotspots that heard it.
type Uplink struct {
	Device      int
	DevEUI      lorawan.EUI64
	Join        bool             // a JoinRequest; otherwise a data uplink
	DevNonce    lorawan.DevNonce // join requests
	DevAddr     lorawan.DevAddr  // data frames
	FCnt        uint32           // data frames: the full 32-bit counter
	FPort       uint8            // data frames
	Payload     []byte           // data frames: the plaintext application payload
	PHYPayload  []byte
	FrequencyHz uint64
	Modulation  air.Modulation
	Start, End  time.Time // on air
	Receptions  []Reception
	Confirmed   bool // data frames: ConfirmedDataUp
	// RekeyInd: a LoRaWAN 1.1 RekeyInd (OTAA) or ResetInd (ABP) rides in
	// FOpts. RekeyGaveUp: the device has sent rekeyIndTries of them without
	// an answer and stops (this frame carries none).
	RekeyInd, RekeyGaveUp bool
}

// Reception is one hotspot's copy of an uplink.
type Reception struct {
	Hotspot int
	RSSI    float64 // dBm
	SNR     float64 // dB
}

// modulation is the LoRa data rate of a spreading factor on a 125 kHz channel.
func modulation(sf int) air.Modulation {
	return air.Modulation{SpreadingFactor: sf, BandwidthKHz: 125, CodingRate: "4/5"}
}

// timeOnAir is an uplink's duration (explicit header, CRC on).
func timeOnAir(sf, bytes int) (time.Duration, error) {
	return geo.TimeOnAir(geo.LoRa{SpreadingFactor: sf, BandwidthHz: 125000, CodingRate: 1, CRC: true}, bytes)
}

// transmit builds the device's next frame, ending on air at end, works out
// which hotspots hear it and opens the receive windows that follow it.
func (n *node) transmit(r Radio, hs []Hotspot, end time.Time) (Uplink, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	up := Uplink{Device: n.Index, DevEUI: n.DevEUI, End: end, Modulation: modulation(n.SpreadingFactor)}
	up.FrequencyHz = n.channels[n.content.IntN(len(n.channels))]
	var err error
	if n.sess.joined {
		err = n.dataFrame(&up)
	} else {
		err = n.joinRequest(&up)
	}
	if err != nil {
		return Uplink{}, fmt.Errorf("device %d: %w", n.Index, err)
	}
	toa, err := timeOnAir(n.SpreadingFactor, len(up.PHYPayload))
	if err != nil {
		return Uplink{}, fmt.Errorf("device %d: %w", n.Index, err)
	}
	up.Start = end.Add(-toa)
	up.Receptions = n.receptions(r, hs, up.FrequencyHz)
	n.openWindows(up)
	return up, nil
}

// receptions draws one fading term per reachable hotspot, in index order,
// and keeps the hotspots that demodulate the frame.
func (n *node) receptions(r Radio, hs []Hotspot, frequencyHz uint64) []Reception {
	var out []Reception
	for _, c := range n.links {
		fading := r.FadingSigmaDB * n.content.NormFloat64()
		l := r.budget(linkInput{
			txPowerDBm: n.TXPowerDBm, txGainDBi: n.AntennaGainDBi, rxGainDBi: hs[c.hotspot].AntennaGainDBi,
			distanceM: c.distanceM, frequencyHz: float64(frequencyHz), shadowDB: c.shadowDB, fadingDB: fading,
		})
		if r.Heard(l, n.SpreadingFactor) {
			out = append(out, Reception{Hotspot: c.hotspot, RSSI: l.RSSI, SNR: l.SNR})
		}
	}
	return out
}

// joinRequest fills up with a JoinRequest carrying the next DevNonce.
func (n *node) joinRequest(up *Uplink) error {
	up.Join = true
	up.DevNonce = n.nextDevNonce()
	n.lastNonce = up.DevNonce
	n.joinAttempts++
	phy := lorawan.PHYPayload{
		MHDR:       lorawan.MHDR{MType: lorawan.JoinRequest, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.JoinRequestPayload{JoinEUI: n.JoinEUI, DevEUI: n.DevEUI, DevNonce: up.DevNonce},
	}
	if err := phy.SetUplinkJoinMIC(n.joinRequestKey()); err != nil {
		return fmt.Errorf("join request MIC: %w", err)
	}
	return marshalInto(up, phy)
}

// dataFrame fills up with an UnconfirmedDataUp carrying the next reading.
func (n *node) dataFrame(up *Uplink) error {
	up.DevAddr, up.FCnt, up.FPort = n.sess.devAddr, n.sess.fCntUp, n.FPort
	up.Payload = n.reading()
	fport := n.FPort
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: up.DevAddr, FCnt: up.FCnt, FCtrl: lorawan.FCtrl{ACK: n.ackPending}},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: append([]byte(nil), up.Payload...)}},
		},
	}
	n.indicate(up)
	n.decorateUplink(&phy)
	if err := phy.EncryptFRMPayload(n.sess.appSKey); err != nil {
		return fmt.Errorf("encrypt FRMPayload: %w", err)
	}
	if err := n.sealUplink(&phy, up); err != nil {
		return err
	}
	up.Confirmed = phy.MHDR.MType == lorawan.ConfirmedDataUp
	n.sess.fCntUp++
	n.ackPending = false
	return marshalInto(up, phy)
}

// reading is the application payload: a 32-bit uplink counter and the
// temperature in hundredths of °C (int16), both big-endian. The
// temperature wanders from a per-device base.
func (n *node) reading() []byte {
	n.temperatureC += 0.3 * n.content.NormFloat64()
	n.temperatureC = math.Max(-20, math.Min(45, n.temperatureC))
	b := make([]byte, 6)
	binary.BigEndian.PutUint32(b, n.uplinks)
	binary.BigEndian.PutUint16(b[4:], uint16(int16(math.Round(n.temperatureC*100))))
	n.uplinks++
	return b
}

func marshalInto(up *Uplink, phy lorawan.PHYPayload) error {
	b, err := phy.MarshalBinary()
	if err != nil {
		return fmt.Errorf("marshal PHYPayload: %w", err)
	}
	up.PHYPayload = b
	return nil
}
