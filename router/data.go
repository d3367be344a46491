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
	if err := r.decrypt(&u); err != nil {
		r.drop(dropDecrypt, "dev_eui", u.dev.DevEUI, "dedup_id", j.frame.ID, "err", err)
		return
	}
	u.sess.FCntUp = u.fcnt + 1
	u.sess.UpdatedAt = r.clock.Now()
	if err := r.store.SaveSession(ctx, u.sess); errors.Is(err, store.ErrNotFound) {
		r.forgetDevice(u.dev.DevEUI) // deleted while its session was cached
		r.drop(dropUnknownDevice, "dev_eui", u.dev.DevEUI, "dedup_id", j.frame.ID)
		return
	} else if err != nil {
		r.storeFailed("save_session", err, j)
		return
	}
	r.deliver(ctx, &u)
}

// authenticate finds the session (and its device) whose keys verify the
// MIC and checks the frame counter against it.
func (r *Router) authenticate(ctx context.Context, j job, mac *lorawan.MACPayload) (uplink, bool) {
	addr := mac.FHDR.DevAddr
	c, fcnt, n, ok := r.matchStored(ctx, j, mac)
	if !ok && n > 0 && r.cache != nil {
		r.cache.Forget(addr) // the keys cached for addr may be stale: once more from the store
		c, fcnt, n, ok = r.matchStored(ctx, j, mac)
	}
	if !ok {
		if n > 0 {
			r.drop(dropMICFailed, "dev_addr", addr, "candidates", n, "dedup_id", j.frame.ID)
		}
		return uplink{}, false
	}
	if reason := checkFCnt(c.sess.FCntUp, fcnt); reason != "" {
		r.drop(reason, "dev_eui", c.sess.DevEUI, "fcnt", fcnt, "expected", c.sess.FCntUp, "dedup_id", j.frame.ID)
		return uplink{}, false
	}
	mac.FHDR.FCnt = fcnt
	return uplink{job: j, mac: mac, sess: c.sess, dev: c.dev, fcnt: fcnt}, true
}

// matchStored finds the stored session on the frame's DevAddr whose keys
// verify its MIC; n is how many candidates failed it (0 when the look-up
// failed or found none, which is counted here).
func (r *Router) matchStored(ctx context.Context, j job, mac *lorawan.MACPayload) (c candidate, fcnt uint32, n int, ok bool) {
	addr := mac.FHDR.DevAddr
	sessions, err := r.store.SessionsByDevAddr(ctx, addr)
	if err != nil {
		r.storeFailed("sessions_by_devaddr", err, j)
		return c, 0, 0, false
	}
	if len(sessions) == 0 {
		r.drop(dropUnknownDevAddr, "dev_addr", addr, "dedup_id", j.frame.ID)
		return c, 0, 0, false
	}
	cands, ok := r.candidates(ctx, j, sessions)
	if !ok {
		return c, 0, 0, false
	}
	c, fcnt, ok = matchSession(&j.phy, mac, cands, txParamsOf(r.band, j.frame))
	return c, fcnt, len(cands), ok
}

// candidate is a session that may have sent a frame, with its device (whose
// MACVersion says how the MIC is computed).
type candidate struct {
	sess Session
	dev  Device
}

// candidates loads the device of each session on a DevAddr.
func (r *Router) candidates(ctx context.Context, j job, sessions []Session) ([]candidate, bool) {
	out := make([]candidate, 0, len(sessions))
	for _, s := range sessions {
		dev, err := r.store.GetDevice(ctx, s.DevEUI)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the sessions were read
		}
		if err != nil {
			r.storeFailed("get_device", err, j)
			return nil, false
		}
		out = append(out, candidate{sess: s, dev: dev})
	}
	if len(out) == 0 {
		r.drop(dropUnknownDevice, "dev_eui", sessions[0].DevEUI, "dedup_id", j.frame.ID)
		return nil, false
	}
	return out, true
}

// matchSession returns the first candidate whose keys verify the frame's
// MIC (as its device's LoRaWAN version computes it) with the full frame
// counter reconstructed for that session.
func matchSession(phy *lorawan.PHYPayload, mac *lorawan.MACPayload, cands []candidate, tx txParams) (candidate, uint32, bool) {
	f16 := uint16(mac.FHDR.FCnt)
	for _, c := range cands {
		fcnt := fullFCnt(c.sess.FCntUp, f16)
		mac.FHDR.FCnt = fcnt
		if uplinkMICValid(phy, profileOf(c.dev.MACVersion), c.sess, tx) {
			return c, fcnt, true
		}
	}
	mac.FHDR.FCnt = uint32(f16)
	return candidate{}, 0, false
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

// decrypt decrypts 1.1 FOpts with NwkSEncKey (1.0 FOpts are plaintext)
// and the FRMPayload: with AppSKey for FPort > 0, with the network key for
// FPort 0 (MAC commands).
func (r *Router) decrypt(u *uplink) error {
	if len(u.mac.FHDR.FOpts) > 0 {
		r.m.macCommands.Inc()
		if profileOf(u.dev.MACVersion).v1_1 {
			if err := decryptFOpts(u.mac, u.sess.NwkSEncKey); err != nil {
				return err
			}
		}
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
	if !r.charge(ctx, u) { // data credits: keeps the purchased copies, or drops
		return
	}
	r.answerUplink(ctx, u) // first: RX1 opens a second after the uplink
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
	ev.Object = r.object(ctx, u.dev, u.data)
	payload, err := marshalEvent(ev)
	if err != nil {
		r.log.Error("encode up event", "dev_eui", u.dev.DevEUI, "err", err)
		return
	}
	r.publish(ctx, eventUp, eventTopic(u.dev, eventUp), payload, u.job)
}
