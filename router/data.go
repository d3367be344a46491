package router

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/store"
)

// MaxFCntGap is LoRaWAN's MAX_FCNT_GAP: the largest forward jump of a
// device's uplink frame counter that is accepted.
const MaxFCntGap = 16384

// uplink is a data frame that passed MIC and frame-counter checks.
type uplink struct {
	job
	mac  *lorawan.MACPayload
	sess Session
	dev  Device
	fcnt uint32 // full 32-bit frame counter
	data []byte // decrypted FRMPayload (FPort > 0)
}

// handleData processes an (un)confirmed data uplink.
func (r *Router) handleData(ctx context.Context, j job) {
	mac := j.phy.MACPayload.(*lorawan.MACPayload) // guaranteed by UnmarshalBinary for data MTypes
	u, ok := r.authenticate(ctx, j, mac)
	if !ok {
		return
	}
	dev, err := r.store.GetDevice(ctx, u.sess.DevEUI)
	if errors.Is(err, store.ErrNotFound) {
		r.drop(dropUnknownDevice, "dev_eui", u.sess.DevEUI, "dedup_id", j.frame.ID)
		return
	}
	if err != nil {
		r.storeFailed("get_device", err, j)
		return
	}
	u.dev = dev
	if err := r.decrypt(&u); err != nil {
		r.drop(dropDecrypt, "dev_eui", dev.DevEUI, "dedup_id", j.frame.ID, "err", err)
		return
	}
	u.sess.FCntUp = u.fcnt + 1
	u.sess.UpdatedAt = r.clock.Now()
	if err := r.store.SaveSession(ctx, u.sess); err != nil {
		r.storeFailed("save_session", err, j)
		return
	}
	r.deliver(ctx, &u)
}

// authenticate finds the session whose NwkSKey verifies the MIC and checks
// the frame counter against it.
func (r *Router) authenticate(ctx context.Context, j job, mac *lorawan.MACPayload) (uplink, bool) {
	addr := mac.FHDR.DevAddr
	sessions, err := r.store.SessionsByDevAddr(ctx, addr)
	if err != nil {
		r.storeFailed("sessions_by_devaddr", err, j)
		return uplink{}, false
	}
	if len(sessions) == 0 {
		r.drop(dropUnknownDevAddr, "dev_addr", addr, "dedup_id", j.frame.ID)
		return uplink{}, false
	}
	s, fcnt, ok := matchSession(&j.phy, mac, sessions)
	if !ok {
		r.drop(dropMICFailed, "dev_addr", addr, "candidates", len(sessions), "dedup_id", j.frame.ID)
		return uplink{}, false
	}
	if reason := checkFCnt(s.FCntUp, fcnt); reason != "" {
		r.drop(reason, "dev_eui", s.DevEUI, "fcnt", fcnt, "expected", s.FCntUp, "dedup_id", j.frame.ID)
		return uplink{}, false
	}
	mac.FHDR.FCnt = fcnt
	return uplink{job: j, mac: mac, sess: s, fcnt: fcnt}, true
}

// matchSession returns the first session whose key verifies the frame's MIC
// with the full frame counter reconstructed for that session.
func matchSession(phy *lorawan.PHYPayload, mac *lorawan.MACPayload, sessions []Session) (Session, uint32, bool) {
	f16 := uint16(mac.FHDR.FCnt)
	for _, s := range sessions {
		fcnt := fullFCnt(s.FCntUp, f16)
		mac.FHDR.FCnt = fcnt
		ok, err := phy.ValidateUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, s.FNwkSIntKey, s.SNwkSIntKey)
		if err == nil && ok {
			return s, fcnt, true
		}
	}
	mac.FHDR.FCnt = uint32(f16)
	return Session{}, 0, false
}

// fullFCnt returns the 32-bit frame counter nearest to next (the next
// expected one) whose low 16 bits are f16: a frame that wrapped past 65535
// lands above next, a replayed one below it.
func fullFCnt(next uint32, f16 uint16) uint32 {
	full := int64(next) + int64(int16(f16-uint16(next)))
	if full < 0 {
		full += 1 << 16
	}
	if full > math.MaxUint32 {
		full -= 1 << 16
	}
	return uint32(full)
}

// checkFCnt returns a drop reason, or "" when fcnt is acceptable.
func checkFCnt(next, fcnt uint32) string {
	switch {
	case fcnt < next:
		return dropFCntReplay
	case fcnt-next > MaxFCntGap:
		return dropFCntGap
	}
	return ""
}

// decrypt decrypts the FRMPayload: with AppSKey for FPort > 0, with the
// network key for FPort 0 (MAC commands, counted but not answered yet).
func (r *Router) decrypt(u *uplink) error {
	if len(u.mac.FHDR.FOpts) > 0 {
		r.m.macCommands.Inc()
	}
	if u.mac.FPort == nil || len(u.mac.FRMPayload) == 0 {
		return nil
	}
	if *u.mac.FPort == 0 {
		r.m.macCommands.Inc()
		if err := u.phy.DecryptFRMPayload(u.sess.NwkSEncKey); err != nil {
			r.log.Debug("MAC commands do not decode", "dev_eui", u.sess.DevEUI, "err", err)
		}
		return nil
	}
	if err := u.phy.DecryptFRMPayload(u.sess.AppSKey); err != nil {
		return fmt.Errorf("decrypt FRMPayload: %w", err)
	}
	dp, ok := u.mac.FRMPayload[0].(*lorawan.DataPayload)
	if !ok {
		return errors.New("decrypted FRMPayload is not data")
	}
	u.data = dp.Bytes
	return nil
}

// deliver publishes the up event (not for MAC-only FPort 0 frames),
// records what a confirmed uplink owes and appends the frame to the ledger.
func (r *Router) deliver(ctx context.Context, u *uplink) {
	if u.mac.FPort == nil || *u.mac.FPort > 0 {
		r.publishUp(ctx, u)
	}
	if u.phy.MHDR.MType == lorawan.ConfirmedDataUp {
		r.oweAck(u)
	}
	r.ledger.add(ledgerFrame(u.frame, u.dev.DevEUI, u.sess.DevAddr, u.fcnt))
}

func (r *Router) publishUp(ctx context.Context, u *uplink) {
	ev := r.upEvent(u)
	payload, err := marshalEvent(ev)
	if err != nil {
		r.log.Error("encode up event", "dev_eui", u.dev.DevEUI, "err", err)
		return
	}
	r.publish(ctx, eventUp, eventTopic(u.dev, eventUp), payload, u.job)
}
