package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/sim/air"
)

// Reasons a heard downlink is refused.
var (
	ErrNotForDevice = errors.New("sim: downlink is not for this device")
	ErrBadMIC       = errors.New("sim: downlink MIC does not verify")
	ErrReplay       = errors.New("sim: downlink frame counter went backwards")
)

// heard is what a device made of a downlink.
type heard struct {
	inWindow bool              // a window was open for it
	received bool              // the link budget closed
	joined   bool              // it was a valid join accept
	err      error             // why a received frame was refused
	next     time.Duration     // after a join: delay to the first data uplink
	down     *ReceivedDownlink // an accepted data downlink
}

// downlinkInput is a transmission as it arrives at one device.
type downlinkInput struct {
	tx        air.Transmission
	gateway   Hotspot
	seed      int64
	radio     Radio
	shadowDB  float64
	distanceM float64
}

// hear runs a downlink through the device's radio and LoRaWAN stack.
func (n *node) hear(in downlinkInput) heard {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.windowFor(in.tx) {
		return heard{}
	}
	if !in.radio.Heard(n.downlinkBudget(in), in.tx.Modulation.SpreadingFactor) {
		return heard{inWindow: true}
	}
	h := heard{inWindow: true, received: true}
	if n.rxJoin {
		h.err = n.acceptJoin(in.tx.PHYPayload)
		h.joined = h.err == nil
		if h.joined {
			h.next = time.Second + time.Duration(n.timing.Int64N(int64(4*time.Second)))
		}
	} else {
		h.err = n.acceptData(in.tx.PHYPayload)
		if h.err == nil {
			h.down = n.mac.got
			h.down.Window, h.down.At = n.windowOf(in.tx), in.tx.At
		}
	}
	if h.err == nil {
		n.rx = nil
	}
	return h
}

// downlinkBudget is the gateway → device link: the same path loss and
// shadowing as the uplink, and a fading term fixed by the frame.
func (n *node) downlinkBudget(in downlinkInput) Link {
	f := fnv.New64a()
	f.Write(in.tx.PHYPayload)
	id := f.Sum64() ^ pairID(n.Index, in.gateway.Index)
	return in.radio.budget(linkInput{
		txPowerDBm: in.tx.PowerDBm, txGainDBi: in.gateway.AntennaGainDBi, rxGainDBi: n.AntennaGainDBi,
		distanceM: in.distanceM, frequencyHz: float64(in.tx.FrequencyHz), shadowDB: in.shadowDB,
		fadingDB: in.radio.FadingSigmaDB * normal(in.seed, purposeDownlink, id),
	})
}

// acceptJoin decrypts and checks a join accept answering the last join
// request and starts the session it grants.
func (n *node) acceptJoin(b []byte) error {
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(b); err != nil || phy.MHDR.MType != lorawan.JoinAccept {
		return fmt.Errorf("%w: not a join accept", ErrNotForDevice)
	}
	if err := phy.DecryptJoinAcceptPayload(n.joinRequestKey()); err != nil {
		return fmt.Errorf("%w: decrypt join accept: %v", ErrNotForDevice, err)
	}
	ja, ok := phy.MACPayload.(*lorawan.JoinAcceptPayload)
	if !ok {
		return fmt.Errorf("%w: join accept payload", ErrNotForDevice)
	}
	micKey, err := n.joinAcceptMICKey(ja)
	if err != nil {
		return err
	}
	ok, err = phy.ValidateDownlinkJoinMIC(lorawan.JoinRequestType, n.JoinEUI, n.lastNonce, micKey)
	if err != nil || !ok {
		return fmt.Errorf("%w: join accept", ErrBadMIC)
	}
	if err := n.checkJoinNonce(ja.JoinNonce); err != nil {
		return err
	}
	s, err := n.joinSession(ja)
	if err != nil {
		return err
	}
	n.sess, n.joinNonce = s, ja.JoinNonce
	n.joins++
	n.mac.ind, n.mac.indSent, n.mac.indDone = 0, 0, false
	if s.v1_1 {
		n.mac.ind = lorawan.RekeyInd
	}
	n.applyJoinSettings(ja)
	return nil
}

// applyJoinSettings takes the receive windows and channels a join accept
// sets.
func (n *node) applyJoinSettings(ja *lorawan.JoinAcceptPayload) {
	n.rx1Delay = time.Duration(max(1, int(ja.RXDelay))) * time.Second
	n.rx1DROffset = int(ja.DLSettings.RX1DROffset)
	if sf, ok := sfOfDR(ja.DLSettings.RX2DataRate); ok {
		n.rx2SF = sf
	}
	n.channels = JoinChannels()
	n.chPlan = JoinChannels()
	if ja.CFList == nil || ja.CFList.CFListType != lorawan.CFListChannel {
		return
	}
	if pl, ok := ja.CFList.Payload.(*lorawan.CFListChannelPayload); ok {
		for _, f := range pl.Channels {
			if f != 0 {
				n.channels = append(n.channels, uint64(f))
			}
		}
	}
	n.chPlan = slices.Clone(n.channels)
}

// sfOfDR maps EU868 DR0…DR5 to SF12…SF7.
func sfOfDR(dr uint8) (int, bool) {
	if dr > 5 {
		return 0, false
	}
	return 12 - int(dr), true
}

// acceptData checks a data downlink's address, counter and MIC (see
// downlinkCounter and downlinkMICValid for what 1.1 changes).
func (n *node) acceptData(b []byte) error {
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("%w: %v", ErrNotForDevice, err)
	}
	mt := phy.MHDR.MType
	mac, ok := phy.MACPayload.(*lorawan.MACPayload)
	if !ok || (mt != lorawan.UnconfirmedDataDown && mt != lorawan.ConfirmedDataDown) || mac.FHDR.DevAddr != n.sess.devAddr {
		return ErrNotForDevice
	}
	next := n.downlinkCounter(mac)
	fcnt := fullFCnt(*next, mac.FHDR.FCnt)
	mac.FHDR.FCnt = fcnt
	if !n.downlinkMICValid(&phy) {
		return ErrBadMIC
	}
	if fcnt < *next {
		return fmt.Errorf("%w: %d < %d", ErrReplay, fcnt, *next)
	}
	*next = fcnt + 1
	n.ackPending, n.ackFCnt = mt == lorawan.ConfirmedDataDown, fcnt
	return n.takeDownlink(&phy)
}

// fullFCnt extends a 16-bit counter from the air to 32 bits around the
// next expected value.
func fullFCnt(next, wire uint32) uint32 {
	full := next&0xffff0000 | wire&0xffff
	if full < next && next-full > 0x8000 {
		full += 0x10000
	}
	return full
}
